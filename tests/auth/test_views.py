"""Sign-in, CSRF, rate limits and sessions (R-ROLE-1)."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.auth.models import User
from app.extensions import db
from app.roles import Role


def _csrf(client, url):
    html = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def test_login_with_the_right_password_lands_on_the_dashboard(client, city):
    response = client.post("/login", data={"username": "school", "password": "secret-pass"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/dashboard")
    page = client.get("/dashboard").get_data(as_text=True)
    assert "学校管理员" in page and "青石镇中心小学" in page


def test_a_bad_login_says_so_in_chinese_and_signs_nobody_in(client, city):
    response = client.post("/login", data={"username": "school", "password": "wrong"})
    assert response.status_code == 422
    assert "用户名或密码错误" in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302


def test_a_bad_login_through_htmx_gets_the_form_block_with_the_message(client, city):
    # The block is rendered on its own (jinja2-fragments): the form macros must not depend on the page's imports.
    response = client.post(
        "/login", data={"username": "school", "password": "wrong"}, headers={"HX-Request": "true"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "用户名或密码错误" in html and 'id="login-form"' in html and "<html" not in html
    assert client.get("/login", headers={"HX-Request": "true"}).status_code == 200


def test_the_signed_in_menu_is_shown_folded_and_as_a_bar(client, city, login):
    login(city.district_admin)
    html = client.get("/dashboard").get_data(as_text=True)
    folded = re.search(r'<details class="menu">.*?</details>', html, re.S).group(0)
    bar = re.search(r'<nav class="menu-bar".*?</nav>', html, re.S).group(0)
    for menu in (folded, bar):  # the phone's <details>, the wide screen's bar
        assert 'href="/admin/schools"' in menu and 'href="/admin/users"' in menu


def test_a_deactivated_account_cannot_sign_in(client, city):
    city.judge.active = False
    db.session.commit()
    response = client.post("/login", data={"username": "judge", "password": "secret-pass"})
    assert response.status_code == 422


def test_failed_logins_are_rate_limited_but_successes_are_not_counted(app, client, city, rate_limits_on):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    try:
        for _ in range(3):
            assert client.post("/login", data={"username": "city", "password": "nope"}).status_code == 422
        blocked = client.post("/login", data={"username": "city", "password": "secret-pass"})
        assert blocked.status_code == 429
        assert "尝试次数过多" in blocked.get_data(as_text=True)
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "10 per 5 minutes"


def test_a_post_without_csrf_token_is_refused_and_changes_nothing(client, city, login, csrf_on):
    login(city.city_admin)
    response = client.post("/admin/districts/new", data={"code": "D09", "name": "新区"})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 6
    from app.orgs.models import District

    assert db.session.scalar(sa.select(District).where(District.code == "D09")) is None


def test_a_post_with_the_csrf_token_goes_through(client, city, login, csrf_on):
    login(city.city_admin)
    token = _csrf(client, "/admin/districts/new")
    response = client.post("/admin/districts/new", data={"code": "D09", "name": "新区", "csrf_token": token})
    assert response.status_code == 303


def test_htmx_requests_carry_the_token_in_a_header(client, city, login, csrf_on):
    login(city.city_admin)
    html = client.get("/dashboard").get_data(as_text=True)
    token = re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)
    response = client.post(
        "/admin/districts/new",
        data={"code": "D09", "name": "新区"},
        headers={"X-CSRFToken": token, "HX-Request": "true"},
    )
    assert response.status_code == 303


def test_next_parameter_never_redirects_off_site(client, city):
    response = client.post(
        "/login?next=https://evil.example/x", data={"username": "city", "password": "secret-pass"}
    )
    assert response.headers["Location"].endswith("/dashboard")
    client.post("/logout")
    response = client.post("/login?next=/admin/schools", data={"username": "city", "password": "secret-pass"})
    assert response.headers["Location"].endswith("/admin/schools")


def test_changing_the_password_signs_the_user_out_everywhere(client, city, login):
    login(city.school_admin)
    assert client.get("/dashboard").status_code == 200
    city.school_admin.set_password("another-pass-1", method="pbkdf2:sha256:1000")
    db.session.commit()
    response = client.get("/dashboard")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_logout_needs_a_post(client, city, login):
    login(city.judge)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 303
    assert client.get("/dashboard").status_code == 302


def test_district_admin_creates_a_judge_in_own_district_only(client, city, login):
    login(city.district_admin)
    ok = client.post(
        "/admin/users/new",
        data={
            "username": "judge-new",
            "display_name": "新评委",
            "role": "judge",
            "school_id": city.township.id,
            "password": "long-enough-1",
            "active": "y",
        },
    )
    assert ok.status_code == 303
    created = db.session.scalar(sa.select(User).where(User.username == "judge-new"))
    assert created.role == Role.JUDGE and created.district_id == city.d1.id
    refused = client.post(
        "/admin/users/new",
        data={
            "username": "judge-x",
            "display_name": "外区评委",
            "role": "judge",
            "school_id": city.other_school.id,
            "password": "long-enough-1",
        },
    )
    assert refused.status_code == 422  # the other district's school is not even offered as a choice
    assert db.session.scalar(sa.select(User).where(User.username == "judge-x")) is None


def test_district_admin_cannot_open_a_city_admin_account(client, city, login):
    login(city.district_admin)
    assert client.get(f"/admin/users/{city.city_admin.id}").status_code == 403
    assert client.get(f"/admin/users/{city.other_district_admin.id}").status_code == 403


def test_duplicate_username_is_refused_with_a_message(client, city, login):
    login(city.city_admin)
    response = client.post(
        "/admin/users/new",
        data={"username": "judge", "display_name": "重名", "role": "judge", "password": "long-enough-1"},
    )
    assert response.status_code == 422
    assert "已被使用" in response.get_data(as_text=True)
