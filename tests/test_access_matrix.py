"""R-ROLE-1 as a matrix: every endpoint declares its access, and the server enforces it for each role."""

from __future__ import annotations

import re

import pytest

from app.roles import Role
from app.web.access import PUBLIC, declared_access


def _endpoints(app):
    """(endpoint, url, methods) for every rule, int/str parameters filled with an id nobody has."""
    out = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        values = {}
        for arg in rule.arguments:
            converter = rule._converters[arg].__class__.__name__
            values[arg] = 987654 if "Integer" in converter else "zz-none"
        url = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m, values=values: str(values[m.group(1)]), rule.rule)
        out.append((rule.endpoint, url, sorted(rule.methods - {"HEAD", "OPTIONS"})))
    return out


def test_every_endpoint_declares_access(app):
    with app.test_request_context():
        undeclared = [e for e, _, _ in _endpoints(app) if declared_access(e) is None]
    assert undeclared == [], f"endpoints without @public or @roles_required: {undeclared}"


def test_an_undeclared_view_is_refused_not_served(app, client):
    app.view_functions["web.healthz"].__dict__.pop("access_rule")
    try:
        response = client.get("/healthz")
    finally:
        app.view_functions["web.healthz"].access_rule = PUBLIC
    assert response.status_code == 403


def test_anonymous_is_sent_to_login_on_every_private_endpoint(app, client):
    checked = 0
    for endpoint, url, methods in _endpoints(app):
        with app.test_request_context():
            if declared_access(endpoint) == PUBLIC:
                continue
        for method in methods:
            response = client.open(url, method=method)
            assert response.status_code == 302, (endpoint, method, response.status_code)
            assert "/login" in response.headers["Location"], (endpoint, method)
            checked += 1
    assert checked >= 10


def test_anonymous_htmx_request_gets_hx_redirect_not_a_login_page(client):
    response = client.get("/admin/schools", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login")


@pytest.mark.parametrize("role", list(Role))
def test_each_role_is_refused_where_it_is_not_allowed(app, client, city, login, role):
    user = {
        Role.CITY_ADMIN: city.city_admin,
        Role.DISTRICT_ADMIN: city.district_admin,
        Role.SCHOOL_ADMIN: city.school_admin,
        Role.JUDGE: city.judge,
    }[role]
    login(user)
    refused = allowed = 0
    for endpoint, url, methods in _endpoints(app):
        with app.test_request_context():
            rule = declared_access(endpoint)
        if rule == PUBLIC or endpoint == "auth.logout":
            continue
        for method in methods:
            response = client.open(url, method=method)
            if role in rule:
                allowed += 1
                assert response.status_code != 403 or "范围" in response.get_data(as_text=True), (
                    endpoint,
                    method,
                )
            else:
                refused += 1
                assert response.status_code == 403, (endpoint, method, response.status_code)
    assert allowed > 0
    if role != Role.CITY_ADMIN:
        assert refused > 0
