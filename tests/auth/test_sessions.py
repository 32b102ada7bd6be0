"""Sessions end where the user says so (R-ROLE-1): logout, 修改密码 and 强制下线 kill every copy of a
session or remember-me cookie; sign-in starts a fresh session; passwords reset only within scope."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.auth import services
from app.auth.models import User
from app.config import apply_session_security
from app.errors import NotAllowed
from app.extensions import db

COOKIES = ("session", "remember_token")


def _sign_in(client, username, password="secret-pass", remember=True):
    data = {"username": username, "password": password}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)
    return response


def _device(app, source, names=COOKIES):
    """Another browser holding copies of ``source``'s cookies (a copied cookie, a shared tablet)."""
    other = app.test_client()
    for name in names:
        cookie = source.get_cookie(name, domain="localhost")
        assert cookie is not None, name
        other.set_cookie(name, cookie.value, domain="localhost")
    return other


def _signed_in(client) -> bool:
    return client.get("/account/password").status_code == 200


def _copies(app, client):
    """A copy of the session cookie alone, and of the remember-me cookie alone: both sign in now."""
    session_copy, remember_copy = _device(app, client, ["session"]), _device(app, client, ["remember_token"])
    assert _signed_in(session_copy) and _signed_in(remember_copy)
    return session_copy, remember_copy


def test_after_logout_a_copied_session_or_remember_cookie_no_longer_works_R_ROLE_1(app, client, city):
    _sign_in(client, "school")
    session_copy, remember_copy = _copies(app, client)
    assert client.post("/logout").status_code == 303
    assert not _signed_in(client)
    assert not _signed_in(session_copy)
    assert not _signed_in(remember_copy)


def test_after_a_password_change_other_devices_are_signed_out_this_one_continues_R_ROLE_1(app, client, city):
    _sign_in(client, "judge")
    session_copy, remember_copy = _copies(app, client)
    response = client.post(
        "/account/password",
        data={"current_password": "secret-pass", "new_password": "new-pass-123", "confirm": "new-pass-123"},
    )
    assert response.status_code == 303
    assert _signed_in(client)
    assert not _signed_in(session_copy)
    assert not _signed_in(remember_copy)
    # the new password works, the old one not
    fresh = app.test_client()
    assert fresh.post("/login", data={"username": "judge", "password": "secret-pass"}).status_code == 422
    assert fresh.post("/login", data={"username": "judge", "password": "new-pass-123"}).status_code == 303


def test_a_password_change_needs_the_current_password_and_is_audited_without_it_R_ROLE_1(client, city, login):
    login(city.school_admin)
    wrong = client.post(
        "/account/password",
        data={"current_password": "guess", "new_password": "new-pass-123", "confirm": "new-pass-123"},
    )
    assert wrong.status_code == 422 and "当前密码不正确" in wrong.get_data(as_text=True)
    mismatch = client.post(
        "/account/password",
        data={"current_password": "secret-pass", "new_password": "new-pass-123", "confirm": "new-pass-124"},
    )
    assert mismatch.status_code == 422 and "两次输入的新密码不一致" in mismatch.get_data(as_text=True)
    ok = client.post(
        "/account/password",
        data={"current_password": "secret-pass", "new_password": "new-pass-123", "confirm": "new-pass-123"},
    )
    assert ok.status_code == 303
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "user.password_change"))
    assert entry.actor_id == city.school_admin.id and entry.target_id == city.school_admin.id
    assert "new-pass-123" not in f"{entry.summary}{entry.before}{entry.after}{entry.reason}"


def test_force_sign_out_ends_every_session_of_the_user_R_ROLE_1(app, client, city):
    judge_device = app.test_client()
    _sign_in(judge_device, "judge")
    session_copy, remember_copy = _copies(app, judge_device)
    _sign_in(client, "district", remember=False)
    assert client.post(f"/admin/users/{city.judge.id}/sign-out").status_code == 303
    assert not _signed_in(judge_device)
    assert not _signed_in(session_copy)
    assert not _signed_in(remember_copy)
    assert _signed_in(client)  # the admin stays signed in
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "user.force_sign_out"))
    assert entry.actor_id == city.district_admin.id and entry.target_id == city.judge.id


def test_sign_in_starts_a_fresh_session_with_a_new_csrf_token_R_ROLE_1(app, client, city, csrf_on):
    page = client.get("/login")
    assert page.status_code == 200
    with client.session_transaction() as session:
        anonymous_token = session["csrf_token"]
        session["planted"] = "by someone else"
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)).group(
        1
    )
    response = client.post(
        "/login", data={"username": "city", "password": "secret-pass", "csrf_token": token}
    )
    assert response.status_code == 303
    assert _signed_in(client)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("csrf_token") not in (None, anonymous_token)
        assert session["_user_id"] == f"{city.city_admin.id}:{city.city_admin.session_token}"


def test_session_and_remember_cookies_are_httponly_and_samesite_lax(client, city):
    response = _sign_in(client, "city")
    cookies = {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}
    for name in COOKIES:
        assert "HttpOnly" in cookies[name] and "SameSite=Lax" in cookies[name], cookies[name]
        assert "Secure" not in cookies[name]  # this deployment is not configured for HTTPS


def test_one_https_setting_makes_every_cookie_secure():
    config = {"HTTPS": True, "RATELIMIT_STORAGE_URI": "redis://cache:6379/0"}
    apply_session_security(config, testing_or_debug=False)
    assert config["SESSION_COOKIE_SECURE"] is True and config["REMEMBER_COOKIE_SECURE"] is True
    assert config["PREFERRED_URL_SCHEME"] == "https"


def test_an_old_style_or_forged_session_id_signs_nobody_in(client, city):
    for forged in (
        f"{city.city_admin.id}.0",
        f"{city.city_admin.id}",
        f"{city.city_admin.id}:",
        f"{city.city_admin.id}:x",
    ):
        with client.session_transaction() as session:
            session["_user_id"] = forged
        assert not _signed_in(client), forged


def test_loading_the_user_costs_one_primary_key_select(app, client, city, login):
    from tests.querycount import count_queries

    login(city.judge)
    with count_queries() as queries:
        assert client.get("/account/password").status_code == 200
    user_selects = [q for q in queries if "FROM users" in q]
    assert len(user_selects) == 1, user_selects
    assert "WHERE users.id = " in user_selects[0]


class TestPasswordReset:
    """R-ROLE-1: city admins reset anyone; district admins the school admins and judges of their district."""

    def _reset(self, client, user, password="reset-pass-1"):
        return client.post(
            f"/admin/users/{user.id}/password", data={"new_password": password, "confirm": password}
        )

    def test_a_district_admin_resets_a_judge_of_the_district_who_is_signed_out_everywhere(
        self, app, client, city
    ):
        judge_device = app.test_client()
        _sign_in(judge_device, "judge")
        _sign_in(client, "district", remember=False)
        assert client.get(f"/admin/users/{city.judge.id}/password").status_code == 200
        assert self._reset(client, city.judge).status_code == 303
        assert not _signed_in(judge_device)
        fresh = app.test_client()
        assert fresh.post("/login", data={"username": "judge", "password": "reset-pass-1"}).status_code == 303
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "user.password_reset"))
        assert entry.actor_id == city.district_admin.id and entry.target_id == city.judge.id
        assert "reset-pass-1" not in f"{entry.summary}{entry.before}{entry.after}{entry.reason}"

    def test_out_of_scope_resets_are_refused_on_the_server(self, client, city, login):
        login(city.district_admin)
        other_school_admin = city.other_school  # a school admin of the other district
        from tests.factories import gen_user

        stranger = gen_user(city.school_admin.role, username="stranger", school=other_school_admin)
        db.session.commit()
        before = {u.id: u.password_hash for u in db.session.scalars(sa.select(User))}
        for target in (stranger, city.city_admin, city.other_district_admin):
            assert self._reset(client, target).status_code == 403, target
            assert client.post(f"/admin/users/{target.id}/sign-out").status_code == 403, target
        login(city.school_admin)
        assert self._reset(client, city.affiliate_admin).status_code == 403
        db.session.expire_all()
        assert {u.id: u.password_hash for u in db.session.scalars(sa.select(User))} == before

    def test_the_service_refuses_out_of_scope_actors_too(self, city):
        for actor, target in (
            (city.district_admin, city.other_district_admin),
            (city.district_admin, city.city_admin),
            (city.school_admin, city.affiliate_admin),
            (city.judge, city.school_admin),
        ):
            try:
                services.reset_password(actor, target, "reset-pass-1")
            except NotAllowed:
                pass
            else:
                raise AssertionError(f"{actor} reset {target}")
        assert services.can_manage_account(city.city_admin, city.district_admin)
        assert services.can_manage_account(city.district_admin, city.school_admin)
        assert services.can_manage_account(city.district_admin, city.judge)
