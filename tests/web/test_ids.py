"""Out-of-range ids answer 404, never 500 (issue 12.7): URL parts, query strings and form fields."""

from __future__ import annotations

import re

import pytest

from app.web.ids import MAX_ID

HUGE = "99999999999999999999"


def _int_rules(app):
    for rule in app.url_map.iter_rules():
        ints = [a for a in rule.arguments if "Integer" in rule._converters[a].__class__.__name__]
        if ints:
            yield rule, ints


def _url(rule, ints, value: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: value if m.group(1) in ints else "zz-none", rule.rule)


@pytest.mark.parametrize("role", ["city_admin", "school_admin", "judge"])
def test_every_url_with_an_id_beyond_the_id_range_answers_404(app, client, login, city, role):
    """``/admin/users/99999999999999999999`` and ``/draws/99999999999999999999.json`` answered 500."""
    login(getattr(city, role))
    checked = []
    for rule, ints in _int_rules(app):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for value in (HUGE, str(2**63), str(MAX_ID + 1)):
                response = client.open(_url(rule, ints, value), method=method)
                assert response.status_code == 404, (rule.rule, method, value, response.status_code)
                checked.append(rule.rule)
    assert "/admin/users/<int:user_id>" in checked and "/draws/<int:draw_id>.json" in checked


def test_every_url_with_the_largest_id_answers_without_a_server_error(app, client, login, city):
    login(city.city_admin)
    for rule, ints in _int_rules(app):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(_url(rule, ints, str(MAX_ID)), method=method)
            assert response.status_code < 500, (rule.rule, method, response.status_code)


@pytest.mark.parametrize(
    "url",
    [f"/audit?before={HUGE}", f"/admin/schools?district={HUGE}", f"/audit?before=-{HUGE}"],
)
def test_an_id_in_the_query_string_beyond_the_id_range_answers_404(client, login, city, url):
    login(city.city_admin)
    assert client.get(url).status_code == 404


def test_query_ids_in_range_and_non_numbers_behave_as_before(client, login, city):
    login(city.city_admin)
    assert client.get(f"/audit?before={MAX_ID}").status_code == 200
    assert client.get("/audit?before=abc").status_code == 200
