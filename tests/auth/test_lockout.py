"""Per-account lockout after repeated wrong passwords and QR PINs (R-ROLE-1, R-X-2), beside the per-address
rate limits; the 429 answer says how long to wait."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.auth.models import User
from app.extensions import db
from app.judging import signin
from app.timeutil import utcnow
from tests.judging.helpers import preliminary_panel


@pytest.fixture
def three_strikes(app):
    app.config["LOCKOUT_THRESHOLD"] = 3
    yield
    app.config["LOCKOUT_THRESHOLD"] = 10


def _login(client, username, password, **headers):
    return client.post("/login", data={"username": username, "password": password}, headers=headers)


def test_wrong_passwords_lock_the_account_not_the_others_R_ROLE_1(client, city, three_strikes):
    for _ in range(3):
        assert _login(client, "judge", "wrong").status_code == 422
    locked = _login(client, "judge", "secret-pass")
    text = locked.get_data(as_text=True)
    assert locked.status_code == 422 and "已暂时锁定" in text and "15 分钟后再试" in text
    assert client.get("/account/password").status_code == 302  # nobody signed in
    assert _login(client, "school", "secret-pass").status_code == 303  # another account is not affected


def test_the_lock_ends_after_its_time_and_a_success_clears_the_count_R_ROLE_1(client, city, three_strikes):
    for _ in range(3):
        _login(client, "judge", "wrong")
    judge = db.session.get(User, city.judge.id)
    assert judge.signin_locked_until > utcnow()
    judge.signin_locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert _login(client, "judge", "wrong").status_code == 422
    assert _login(client, "judge", "secret-pass").status_code == 303
    db.session.expire_all()
    assert db.session.get(User, city.judge.id).failed_signins == 0


def test_failures_older_than_the_window_start_the_count_afresh_R_ROLE_1(city, app, three_strikes):
    from app.auth import services

    long_ago = utcnow() - timedelta(hours=2)
    services.record_failed_signin(city.judge, long_ago)
    services.record_failed_signin(city.judge, long_ago)
    services.record_failed_signin(city.judge)
    assert city.judge.failed_signins == 1 and city.judge.signin_locked_until is None


def test_an_admin_reset_unlocks_the_account_R_ROLE_1(client, city, login, three_strikes):
    for _ in range(3):
        _login(client, "judge", "wrong")
    login(city.district_admin)
    data = {"new_password": "reset-pass-1", "confirm": "reset-pass-1"}
    assert client.post(f"/admin/users/{city.judge.id}/password", data=data).status_code == 303
    client.post("/logout")
    assert _login(client, "judge", "reset-pass-1").status_code == 303


def test_wrong_qr_pins_across_codes_lock_the_judge_R_X_2(client, city, three_strikes):
    s = preliminary_panel(city)
    first = next(c for c in signin.issue_codes(s.panel, by=city.city_admin) if c.judge.id == city.judge.id)
    db.session.commit()
    wrong = "000000" if first.pin != "000000" else "111111"
    for _ in range(2):
        assert client.post(f"/judge/signin/{first.token}", data={"pin": wrong}).status_code == 422
    # a fresh sheet: the code's own 5 attempts start again, the account's count does not
    second = next(c for c in signin.issue_codes(s.panel, by=city.city_admin) if c.judge.id == city.judge.id)
    db.session.commit()
    wrong = "000000" if second.pin != "000000" else "111111"
    assert client.post(f"/judge/signin/{second.token}", data={"pin": wrong}).status_code == 422
    refused = client.post(f"/judge/signin/{second.token}", data={"pin": second.pin})
    assert refused.status_code == 422 and "已暂时锁定" in refused.get_data(as_text=True)
    assert client.get("/judging/my").status_code == 302
    # and the same account's password sign-in is locked too
    assert "已暂时锁定" in _login(client, "judge", "secret-pass").get_data(as_text=True)


def test_the_429_page_says_how_long_to_wait_R_ROLE_1(app, client, city, rate_limits_on):
    app.config["LOGIN_RATE_LIMIT"] = "2 per 5 minutes"
    try:
        for _ in range(2):
            assert _login(client, "nobody", "nope").status_code == 422
        blocked = _login(client, "city", "secret-pass")
        assert blocked.status_code == 429
        assert 0 < int(blocked.headers["Retry-After"]) <= 300
        text = blocked.get_data(as_text=True)
        assert "尝试次数过多" in text and ("分钟后再试" in text or "秒后再试" in text)
        htmx = _login(client, "city", "secret-pass", **{"HX-Request": "true"})
        assert htmx.status_code == 429 and htmx.headers["HX-Reswap"] == "beforebegin"  # beside the form
        assert "分钟后再试" in htmx.get_data(as_text=True) or "秒后再试" in htmx.get_data(as_text=True)
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "10 per 5 minutes"


def test_without_trusted_proxies_forwarded_headers_are_ignored_R_ROLE_1(app, client, city, rate_limits_on):
    """Off by default: anyone could forge X-Forwarded-For, so the socket peer stays the client."""
    app.config["LOGIN_RATE_LIMIT"] = "2 per 5 minutes"
    try:
        assert _login(client, "nobody", "x", **{"X-Forwarded-For": "10.0.0.1"}).status_code == 422
        assert _login(client, "nobody", "x", **{"X-Forwarded-For": "10.0.0.2"}).status_code == 422
        assert _login(client, "nobody", "x", **{"X-Forwarded-For": "10.0.0.3"}).status_code == 429
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "10 per 5 minutes"
