"""With the CSP on, pages still work in a real browser (R-ROLE-1): sign-in, an htmx swap, a confirmation
moved from an inline handler to static JS — and the console shows no CSP violation."""

from __future__ import annotations

from tests.browser.conftest import sign_in

WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


def test_sign_in_htmx_search_and_a_confirmation_work_under_the_csp(live_server, tablet, city):
    console = []
    tablet.on("console", lambda message: console.append(message.text))
    tablet.on("pageerror", lambda error: console.append(str(error)))
    tablet.add_init_script(WATCH)

    sign_in(tablet, live_server, "city")
    assert tablet.locator("h1").inner_text() == "工作台"

    tablet.goto(f"{live_server}/admin/users")
    assert tablet.locator("#user-rows tr").count() > 3
    tablet.fill("input[name=q]", "village")  # htmx swaps the rows in place
    tablet.wait_for_function("document.querySelectorAll('#user-rows tr').length === 1")
    assert "village" in tablet.locator("#user-rows").inner_text()
    assert tablet.evaluate("window.__cspViolations") == []

    # 强制下线 asks first (data-ask, formerly an inline onsubmit): dismissing sends nothing
    tablet.goto(f"{live_server}/admin/users/{city.judge.id}")
    tablet.once("dialog", lambda dialog: dialog.dismiss())
    tablet.click("button:has-text('强制下线')")
    tablet.wait_for_timeout(300)
    assert "/admin/users/" in tablet.url and "已在所有设备上下线" not in tablet.content()
    tablet.once("dialog", lambda dialog: dialog.accept())
    tablet.click("button:has-text('强制下线')")
    tablet.wait_for_selector("text=已在所有设备上下线")

    assert tablet.evaluate("window.__cspViolations") == []
    assert [line for line in console if "Content Security Policy" in line or "Refused" in line] == []
