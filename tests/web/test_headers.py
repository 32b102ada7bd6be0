"""Security headers on every endpoint of the access matrix (R-ROLE-1, R-PUB-1): a CSP without inline
script, no framing (the room display: same origin only), nosniff, a referrer policy, and no caching of
anything a signed-in user sees or downloads."""

from __future__ import annotations

import pytest

from app.roles import Role
from tests.test_access_matrix import _endpoints


def _check_common(response, where):
    csp = response.headers.get("Content-Security-Policy", "")
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp, where
    assert "object-src 'none'" in csp, where
    expected = "frame-ancestors 'self'" if where[0] == "judging.display" else "frame-ancestors 'none'"
    assert expected in csp, (where, csp)
    assert response.headers.get("X-Content-Type-Options") == "nosniff", where
    assert response.headers.get("Referrer-Policy") == "same-origin", where


def _walk(app, client):
    seen = 0
    for endpoint, url, methods in _endpoints(app):
        if endpoint == "auth.logout":
            continue
        for method in methods:
            response = client.open(url, method=method)
            yield (endpoint, method, response.status_code), response
            seen += 1
    assert seen > 50


@pytest.mark.parametrize("role", list(Role))
def test_every_signed_in_answer_carries_the_headers_and_is_never_cached(app, client, city, login, role):
    user = {
        Role.CITY_ADMIN: city.city_admin,
        Role.DISTRICT_ADMIN: city.district_admin,
        Role.SCHOOL_ADMIN: city.school_admin,
        Role.JUDGE: city.judge,
    }[role]
    login(user)
    for where, response in _walk(app, client):
        _check_common(response, where)
        assert response.headers.get("Cache-Control") == "no-store", where


def test_every_anonymous_answer_carries_the_headers(app, client, city):
    for where, response in _walk(app, client):
        _check_common(response, where)


def test_a_real_download_and_a_real_page_are_not_cached(client, city, login):
    login(city.city_admin)
    for url in ("/admin/schools.xlsx", "/admin/schools", "/dashboard"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url
        _check_common(response, (url,))


def test_public_pages_may_stay_cacheable_and_static_files_are_not_touched(client, city):
    response = client.get("/login")
    assert "no-store" not in response.headers.get("Cache-Control", "")
    static = client.get("/static/js/app.js")
    assert static.status_code == 200 and "no-store" not in static.headers.get("Cache-Control", "")
    assert static.headers["X-Content-Type-Options"] == "nosniff"
    static.close()


def test_no_template_carries_inline_script_or_event_handlers():
    """The CSP would block them: behaviour lives in static/js (data-ask, data-print, data-autosubmit)."""
    import re
    from pathlib import Path

    offenders = []
    for path in (Path(__file__).resolve().parents[2] / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"\son[a-z]+\s*=", text) or re.search(r"<script(?![^>]*\ssrc=)[^>]*>", text):
            offenders.append(str(path))
        if re.search(r"\sstyle\s*=|<style", text) or "hx-on" in text or "javascript:" in text:
            offenders.append(str(path))
    assert offenders == []
