"""R-SCORE-2 on a 10-inch tablet: score item by item, lose the connection, lose nothing, submit, locked."""

import os
from decimal import Decimal as D

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
