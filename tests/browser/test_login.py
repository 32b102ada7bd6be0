"""The login page in a real browser, on a phone: CSRF token, htmx loaded from static/, dashboard reached."""

from tests.browser.conftest import sign_in


def test_sign_in_on_a_phone_reaches_the_dashboard(live_server, phone, city):
    errors = []
    phone.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(phone, live_server, "district")
    assert phone.locator("h1").inner_text() == "工作台"
    assert phone.evaluate("typeof htmx") == "object"  # vendored htmx, no CDN
    assert errors == []


def test_a_wrong_password_shows_the_message_in_chinese(live_server, phone, city):
    phone.goto(f"{live_server}/login")
    phone.fill("input[name=username]", "district")
    phone.fill("input[name=password]", "wrong-password")
    phone.click("button:has-text('登录')")
    assert "用户名或密码错误" in phone.locator("#login-form").inner_text()
