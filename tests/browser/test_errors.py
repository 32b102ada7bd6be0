"""Issue 15.2 in a real browser: every error the server renders reaches the screen where the user acted
(the one rule of app/web/errors.py + static/js/app.js). Phone 390×844 and tablet 768×1024.
SPEC R-AW-2 (verify), R-PUB-2 (objection tracking), R-PANEL-1 (回避 refusal)."""

from __future__ import annotations

from app.awards import services as awards
from app.awards.models import AwardKind
from app.awards.services import Scope
from app.competitions.models import StageKind
from app.extensions import db
from app.roles import Role
from tests.awards.helpers import competitors, stub_results
from tests.browser.conftest import sign_in
from tests.judging.helpers import preliminary_panel

TABLET_PORTRAIT = {"width": 768, "height": 1024}


def _tablet(browser):
    context = browser.new_context(viewport=TABLET_PORTRAIT, locale="zh-CN", has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def test_r_aw_2_fake_code_after_a_genuine_certificate_never_shows_valid(
    live_server, phone, city, f, monkeypatch
):
    competition = f.gen_competition()
    entries = competitors(competition, StageKind.SEMIFINAL, [city.central], 5)
    db.session.commit()
    stub_results(monkeypatch, {e.id: str(90 - i) for i, e in enumerate(entries)})
    release = awards.publish(competition, Scope(AwardKind.SEMIFINAL, city.d1.id), by=city.district_admin)
    code = release.awards[0].display_code
    db.session.commit()
    errors = []
    phone.on("pageerror", lambda error: errors.append(str(error)))

    phone.goto(f"{live_server}/verify")
    phone.fill("input[name=code]", code)
    phone.click("button:has-text('验证')")
    phone.wait_for_selector(".verdict.ok")
    assert "证书有效" in phone.locator("#verdict").inner_text()

    phone.fill("input[name=code]", "ZZZZ-2222")
    assert "证书有效" not in phone.locator("#verdict").inner_text()  # emptied as soon as the code changes
    phone.click("button:has-text('验证')")
    phone.wait_for_selector(".verdict.bad")
    verdict = phone.locator("#verdict").inner_text()
    assert "没有找到验证码" in verdict and "证书有效" not in verdict
    assert phone.locator(".toast").count() == 0
    assert "/verify/ZZZZ2222" in phone.url
    phone.screenshot(path="/tmp/errors_verify_phone.png", full_page=True)
    assert errors == []


def test_r_pub_2_wrong_tracking_code_shows_the_servers_message_on_a_phone(live_server, phone):
    phone.goto(f"{live_server}/p/objections")
    phone.fill("input[name=code]", "ABCDE-FGHJK")
    phone.click("button:has-text('查询')")
    phone.wait_for_selector("text=没有找到该查询码对应的异议")
    assert phone.locator("input[name=code]").input_value() == "ABCDE-FGHJK"
    assert phone.locator(".toast").count() == 0
    phone.screenshot(path="/tmp/errors_track_phone.png", full_page=True)


def test_r_panel_1_refused_assignment_shows_beside_the_form_on_a_tablet(live_server, browser, city, f):
    s = preliminary_panel(city, open_=False)
    own = f.gen_user(Role.JUDGE, school=city.central)
    db.session.commit()
    context, tablet = _tablet(browser)
    try:
        sign_in(tablet, live_server, city.district_admin.username)
        tablet.goto(f"{live_server}/judging/panels/{s.panel.id}")
        title = tablet.locator("h1").inner_text()
        form = tablet.locator("form:has(select[name=user_id])")
        form.locator("select[name=user_id]").select_option(str(own.id))
        form.locator("button:has-text('加入评委组')").click()
        alert = tablet.locator("[data-htmx-error]")
        alert.wait_for()
        assert "须回避" in alert.inner_text()
        assert tablet.locator("h1").inner_text() == title  # the page is still there
        assert form.is_visible() and tablet.url.endswith(f"/judging/panels/{s.panel.id}")
        form.locator("button:has-text('加入评委组')").click()  # again: still one alert, not two
        tablet.wait_for_timeout(300)
        assert tablet.locator("[data-htmx-error]").count() == 1
        tablet.screenshot(path="/tmp/errors_assign_tablet.png", full_page=True)
    finally:
        context.close()
