"""R-SCORE-2 on a 10-inch tablet: score item by item, lose the connection, lose nothing, submit, locked."""

import os
from decimal import Decimal as D

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.judging.models import ItemScore, ScoreSheet, SheetStatus
from tests.browser.conftest import sign_in
from tests.judging.helpers import preliminary_panel


def _snap(page, name):
    """JUDGING_SCREENSHOTS=/some/dir keeps pictures of the tablet screens for a human to look at."""
    folder = os.environ.get("JUDGING_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"judging_{name}.png"), full_page=True)


def _stored(sheet_items):
    db.session.rollback()
    sheet = db.session.scalar(sa.select(ScoreSheet))
    if sheet is None:
        return None, {}
    rows = dict(
        db.session.execute(
            sa.select(ItemScore.item_id, ItemScore.value).where(ItemScore.sheet_id == sheet.id)
        ).all()
    )
    return sheet, [rows.get(i) for i in sheet_items]


def test_tablet_scoring_survives_a_lost_connection(live_server, tablet, city):
    s = preliminary_panel(city)
    s.stage.blind = True
    db.session.commit()
    items = [i.id for i in s.panel.form.items]
    page = tablet
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, live_server, "judge")
    page.goto(f"{live_server}/judging/my")
    page.click("text=1号")
    page.wait_for_selector("#sheet-form")
    assert s.entries[0].name not in page.content()  # blind (R-X-1)

    # item by item, online: typed digits and the quick buttons
    page.fill(f"#item-{items[0]}", "90")
    page.locator(f"#item-{items[1]}").fill("84")
    page.locator(".item-row").nth(1).locator("button[data-step='1']").click()  # 84 → 85
    page.wait_for_function(
        "document.querySelector('#sheet-status .server-total') && "
        "document.querySelector('#sheet-status .server-total').textContent === '17.50'"
    )
    assert page.locator("#live-total").inner_text() == "17.50"
    assert _stored(items)[1][:2] == [D("90"), D("85")]

    # the connection drops mid-way; the judge keeps typing
    page.context.set_offline(True)
    page.fill(f"#item-{items[2]}", "88")
    page.fill(f"#item-{items[3]}", "86.5")
    page.locator(f"#item-{items[3]}").blur()
    page.wait_for_selector("#sheet-unsent:not([hidden])")
    page.wait_for_function(
        "document.querySelector('#sheet-unsent').textContent.indexOf('有 2 项未保存') === 0"
    )
    assert "网络恢复后自动重发" in page.locator("#sheet-unsent").inner_text()
    assert page.locator("#live-total").inner_text() == "87.15"  # the live total still follows the typing
    assert _stored(items)[1][2:] == [None, None]
    _snap(page, "tablet_offline")

    # back online: everything is resent, not a digit lost
    page.context.set_offline(False)
    page.wait_for_selector("#sheet-unsent", state="hidden", timeout=15_000)
    page.wait_for_function("document.querySelector('#sheet-status .server-total').textContent === '87.15'")
    sheet, stored = _stored(items)
    assert stored == [D("90"), D("85"), D("88"), D("86.5")] and sheet.status == SheetStatus.DRAFT
    _snap(page, "tablet")

    # submit with confirmation
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#submit-sheet")
    page.wait_for_selector(".sheet-form.locked")
    sheet, stored = _stored(items)
    assert sheet.status == SheetStatus.SUBMITTED and stored == [D("90"), D("85"), D("88"), D("86.5")]

    # after a reload the sheet is read-only, and a forced post is refused
    page.reload()
    assert page.locator(f"#item-{items[0]}").get_attribute("readonly") is not None
    assert page.locator("#submit-sheet").count() == 0
    status = page.evaluate(
        """async (url) => {
        const token = JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRFToken'];
        const body = new URLSearchParams({['item-%d']: '10', version: '99', editor: 'x'});
        const r = await fetch(url, {method: 'POST', body, headers: {'X-CSRFToken': token, 'HX-Request': 'true'}});
        return r.status; }"""
        % items[0],
        f"{live_server}/judging/score/{s.appearance(0).id}/autosave",
    )
    assert status == 409
    assert _stored(items)[1] == [D("90"), D("85"), D("88"), D("86.5")]
    assert errors == []


def test_unsent_values_come_back_after_a_reload(live_server, tablet, city):
    s = preliminary_panel(city)
    items = [i.id for i in s.panel.form.items]
    page = tablet
    sign_in(page, live_server, "judge")
    page.goto(f"{live_server}/judging/score/{s.appearance(0).id}")
    page.context.set_offline(True)
    page.fill(f"#item-{items[0]}", "77")
    page.locator(f"#item-{items[0]}").blur()
    page.wait_for_selector("#sheet-unsent:not([hidden])")
    page.context.route("**/autosave", lambda route: route.abort())  # still failing as the page reloads
    page.context.set_offline(False)
    page.reload()
    assert page.locator(f"#item-{items[0]}").input_value() == "77"  # restored from localStorage
    page.context.unroute("**/autosave")
    page.wait_for_function(
        "document.querySelector('#sheet-status .server-total') && "
        "document.querySelector('#sheet-status .server-total').textContent === '7.70'",
        timeout=15_000,
    )
    assert _stored(items)[1][0] == D("77")


def test_two_tabs_of_one_judge_never_overwrite_each_other(live_server, tablet, city):
    """R-SCORE-2: the second tab is told (409) and stops; it neither overwrites nor keeps retrying."""
    s = preliminary_panel(city)
    items = [i.id for i in s.panel.form.items]
    url = f"{live_server}/judging/score/{s.appearance(0).id}"
    tab_a = tablet
    sign_in(tab_a, live_server, "judge")
    tab_a.goto(url)
    tab_a.fill(f"#item-{items[0]}", "90")
    tab_a.locator(f"#item-{items[0]}").blur()
    tab_a.wait_for_function(
        "document.querySelector('#sheet-status .server-total') && "
        "document.querySelector('#sheet-status .server-total').textContent === '9.00'"
    )
    tab_b = tab_a.context.new_page()  # same judge, same session: a second tab
    tab_b.goto(url)
    tab_b.fill(f"#item-{items[0]}", "91")
    tab_b.locator(f"#item-{items[0]}").blur()
    tab_b.wait_for_function("document.querySelector('#sheet-status .server-total').textContent === '9.10'")

    sent = []
    tab_a.on(
        "request", lambda request: sent.append(request.url) if request.url.endswith("/autosave") else None
    )
    tab_a.fill(f"#item-{items[1]}", "50")
    tab_a.locator(f"#item-{items[1]}").blur()
    tab_a.wait_for_selector("#sheet-status .status-error")
    assert "另一个页面或设备上修改过" in tab_a.locator("#sheet-status").inner_text()
    tab_a.wait_for_function("document.querySelector('#sheet-unsent').textContent.indexOf('请重新载入') > 0")
    tab_a.fill(f"#item-{items[2]}", "70")  # typing on does not send anything any more
    tab_a.locator(f"#item-{items[2]}").blur()
    tab_a.wait_for_timeout(1500)
    assert len(sent) == 1
    assert _stored(items)[1] == [D("91"), None, None, None]
    _snap(tab_a, "tablet_conflict")

    tab_a.click("text=重新载入最新分数")
    tab_a.wait_for_selector("#sheet-status .server-total")
    assert tab_a.locator(f"#item-{items[0]}").input_value() == "91"
    assert tab_a.locator(f"#item-{items[1]}").input_value() == ""  # the stale local values were dropped


PORTRAIT = {"width": 768, "height": 1024}  # a tablet held upright


@pytest.fixture
def upright(browser):
    context = browser.new_context(viewport=PORTRAIT, locale="zh-CN", has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def _server_total(page, figure):
    page.wait_for_function(
        "document.querySelector('#sheet-status .server-total') && "
        f"document.querySelector('#sheet-status .server-total').textContent === '{figure}'"
    )


def test_r_score_2_offline_submit_is_never_sent_by_itself_after_reconnecting(live_server, upright, city):
    """R-SCORE-2: tapping 提交评分 offline queues nothing but the save; back online the values are
    saved and the judge is asked again; only a confirmed tap submits, and the lock shows at once."""
    s = preliminary_panel(city)
    items = [i.id for i in s.panel.form.items]
    page = upright
    dialogs = []

    def on_dialog(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    sign_in(page, live_server, "judge")
    page.goto(f"{live_server}/judging/score/{s.appearance(0).id}")
    for item, value in zip(items, ["90", "85", "88", "86"]):
        page.fill(f"#item-{item}", value)
    page.locator(f"#item-{items[3]}").blur()
    _server_total(page, "86.90")

    page.context.set_offline(True)
    page.fill(f"#item-{items[3]}", "86.5")
    page.locator(f"#item-{items[3]}").blur()
    page.wait_for_selector("#sheet-unsent:not([hidden])")
    page.click("#submit-sheet")
    assert "评分未提交" in page.locator("#sheet-notice").inner_text()
    assert dialogs == []  # nothing to confirm while it cannot be sent

    page.context.set_offline(False)
    _server_total(page, "87.15")  # the queued action was the save
    page.wait_for_function("document.querySelector('#sheet-notice').textContent.indexOf('再次点击') >= 0")
    page.wait_for_timeout(1500)
    sheet, stored = _stored(items)
    assert sheet.status == SheetStatus.DRAFT and stored[3] == D("86.5")
    assert dialogs == [] and "尚未提交" in page.locator("#sheet-notice").inner_text()
    assert page.locator(".sheet-form.locked").count() == 0

    # asked again: a dismissed confirmation submits nothing either
    page.click("#submit-sheet")
    assert len(dialogs) == 1 and "确认提交" in dialogs[0]
    page.wait_for_timeout(500)
    assert _stored(items)[0].status == SheetStatus.DRAFT

    # confirmed: submitted, and the page is locked at once, without a reload
    page.evaluate("window.__same_page = true")
    page.remove_listener("dialog", on_dialog)
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#submit-sheet")
    page.wait_for_selector(".sheet-form.locked")
    page.wait_for_selector("#sheet-status.locked")
    assert page.evaluate("window.__same_page === true")
    assert all(page.locator(f"#item-{item}").is_disabled() for item in items)
    assert page.locator("#submit-sheet").count() == 0 and page.locator(".locked-banner").is_visible()
    assert "已提交" in page.locator("#sheet-status").inner_text()
    sheet, stored = _stored(items)
    assert sheet.status == SheetStatus.SUBMITTED and stored == [D("90"), D("85"), D("88"), D("86.5")]


def test_r_score_1_score_above_the_maximum_says_why_and_is_not_being_saved(live_server, upright, city):
    """R-SCORE-1/2: 120 of 100 turns the row red with the reason; the other items are still saved;
    the bar never shows "✓ 已保存" beside unsaved items."""
    s = preliminary_panel(city)
    items = [i.id for i in s.panel.form.items]
    page = upright
    sign_in(page, live_server, "judge")
    page.goto(f"{live_server}/judging/score/{s.appearance(0).id}")
    page.fill(f"#item-{items[0]}", "90")
    page.locator(f"#item-{items[0]}").blur()
    _server_total(page, "9.00")

    page.fill(f"#item-{items[1]}", "120")
    page.locator(f"#item-{items[1]}").blur()
    row = page.locator(".item-row").nth(1)
    page.wait_for_selector(".item-row.invalid .row-error:not([hidden])")
    assert "invalid" in row.get_attribute("class")
    assert row.locator(".row-error").inner_text() == "超过满分 100"
    page.fill(f"#item-{items[2]}", "80")  # the others still save
    page.locator(f"#item-{items[2]}").blur()
    _server_total(page, "33.00")
    page.wait_for_timeout(1000)
    bar = page.locator("#sheet-unsent").inner_text()
    assert "正在保存" not in bar and "有误" in bar
    assert not page.locator("#sheet-status .saved-line").is_visible()
    assert page.locator("#live-total").inner_text() == "33.00"  # the bad value counts for nothing
    assert _stored(items)[1] == [D("90"), None, D("80"), None]

    # fixed: saved, and only then "✓ 已保存"
    page.fill(f"#item-{items[1]}", "100")
    page.locator(f"#item-{items[1]}").blur()
    _server_total(page, "43.00")
    page.wait_for_selector("#sheet-unsent", state="hidden")
    assert page.locator("#sheet-status .saved-line").is_visible()
    assert not page.locator(".row-error").first.is_visible()

    # offline with an unsaved value: "有 1 项未保存" and no "✓ 已保存" beside it
    page.context.set_offline(True)
    page.fill(f"#item-{items[3]}", "50")
    page.locator(f"#item-{items[3]}").blur()
    page.wait_for_function(
        "document.querySelector('#sheet-unsent').textContent.indexOf('有 1 项未保存') === 0"
    )
    assert not page.locator("#sheet-status .saved-line").is_visible()
    page.context.set_offline(False)


def test_r_score_1_live_total_is_exact_where_javascript_floats_round_wrong(live_server, upright, city):
    """R-SCORE-1: 60, 93.25, 63, 86.5 on 10/10/30/50 is exactly 77.475 → 77.48; float arithmetic
    gives 77.47499… → 77.47. The tablet's live figure and the server's agree on 77.48."""
    s = preliminary_panel(city)
    items = [i.id for i in s.panel.form.items]
    page = upright
    sign_in(page, live_server, "judge")
    page.goto(f"{live_server}/judging/score/{s.appearance(0).id}")
    naive = page.evaluate(
        "(Math.round((60 / 100 * 10 + 93.25 / 100 * 10 + 63 / 100 * 30 + 86.5 / 100 * 50) * 100) / 100).toFixed(2)"
    )
    assert naive == "77.47"  # the trap
    assert (
        page.evaluate(
            "window.saixuntong.judgeTotal([['60','100','10'],['93.25','100','10'],['63','100','30'],['86.5','100','50']])"
        )
        == "77.48"
    )
    assert (
        page.evaluate("window.saixuntong.judgeTotal([['10','30','10'],['20','30','10'],['','100','80']])")
        == "10.00"
    )
    assert page.evaluate("window.saixuntong.judgeTotal([['10','30','10']])") == "3.33"
    page.context.set_offline(True)  # the live figure alone, before the server answers
    for item, value in zip(items, ["60", "93.25", "63", "86.5"]):
        page.fill(f"#item-{item}", value)
    page.locator(f"#item-{items[3]}").blur()
    assert page.locator("#live-total").inner_text() == "77.48"
    assert page.locator(".item-row").nth(1).locator(".points").inner_text() == "9.33"  # 9.325 half up
    page.context.set_offline(False)
    _server_total(page, "77.48")
    assert page.locator("#live-total").inner_text() == "77.48"
