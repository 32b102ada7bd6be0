"""R-PUB-1/R-PUB-2 on a phone: search the public listing, file an objection, follow it by its code; an
admin upholds it for fraud, the teacher leaves the shortlist, the vacant drawn place is re-drawn (R-DRAW-2)
and the public page shows both draw records."""

from __future__ import annotations

import os

import sqlalchemy as sa

from app.advancement import services as advancement
from app.draws.models import Draw, DrawStatus
from app.extensions import db
from app.public.models import Objection
from app.rosters.models import AdvanceRoute
from tests.browser.conftest import sign_in
from tests.draws.helpers import AFTER_EVENT
from tests.public.helpers import advance_central_unit, listed

SCREENSHOT = os.environ.get("PUBLIC_SCREENSHOT", "/tmp/public_phone.png")


def _drawn(w):
    db.session.rollback()
    return next(r.entry for r in advancement.shortlist(w.semifinal) if r.route == AdvanceRoute.DRAWN)


def test_objection_upheld_on_a_phone_redraws_the_vacant_place(live_server, phone, tablet, city):
    w = listed(city)
    unit, draw = advance_central_unit(w, city)
    drawn = _drawn(w)
    errors = []
    phone.on("pageerror", lambda error: errors.append(str(error)))

    # The preliminary listing on a phone, readable (a picture for a human to look at).
    phone.goto(f"{live_server}/p/stages/{w.preliminary.id}")
    assert phone.locator("h1").inner_text() == "初赛参赛名单公示"
    phone.screenshot(path=SCREENSHOT, full_page=False)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling

    # The semifinal shortlist: search by name (htmx live filter), the drawn teacher's row links to the draw.
    listing_url = f"{live_server}/p/stages/{w.semifinal.id}"
    phone.goto(listing_url)
    assert phone.locator("#results tbody tr").count() == 3
    phone.fill("input[name=q]", drawn.name)
    phone.wait_for_function("document.querySelectorAll('#results tbody tr').length === 1")
    row = phone.locator("#results tbody tr")
    assert drawn.name in row.inner_text() and "抽取" in row.inner_text()
    assert "q=" in phone.url  # the search is in the address: sharable, works without JS too

    # File an objection and see the tracking code.
    row.locator("text=提出异议").click()
    phone.wait_for_selector("textarea[name=reason]")
    phone.fill("textarea[name=reason]", "该教师的身份信息与实际不符，涉嫌弄虚作假。")
    phone.fill("input[name=filer_name]", "赵公民")
    phone.fill("input[name=filer_phone]", "13811112222")
    phone.click("button:has-text('提交异议')")
    phone.wait_for_selector("#tracking-code")
    code = phone.locator("#tracking-code").inner_text().strip()
    assert len(code.replace("-", "")) == 10 and "待处理" in phone.locator("#objection-status").inner_text()
    assert "赵公民" not in phone.content() and "13811112222" not in phone.content()

    # The district admin upholds it as fraud.
    db.session.rollback()
    objection = db.session.scalar(sa.select(Objection))
    sign_in(tablet, live_server, "district")
    tablet.goto(f"{live_server}/admin/public/objections/{objection.id}")
    tablet.check("input[name=outcome][value=upheld]")
    tablet.check("input[name=fraud]")
    tablet.fill("textarea[name=note]", "经核实提供虚假身份信息，取消参赛资格。")
    tablet.click("button:has-text('确认处理')")
    tablet.wait_for_selector("#confirm-disqualify")  # the consequences first, in numbers
    assert "空出 1 个抽取名额" in tablet.locator("#confirm-disqualify").inner_text()
    tablet.click("button:has-text('确认取消资格')")
    tablet.wait_for_selector(".flash.success")
    assert "已公告重新抽取" in tablet.locator(".flash.success").inner_text()

    # Public: the teacher has left the shortlist, the disqualification note and the announced re-draw show.
    phone.goto(listing_url)
    assert drawn.name not in phone.locator("#results").inner_text()
    assert "经核实提供虚假身份信息" in phone.locator("#h-dq + ul").inner_text()
    assert "已公告，待抽取" in phone.locator(".draws").inner_text()

    # The re-draw event (advancement's service), then both records are public.
    db.session.rollback()
    redraw = db.session.scalar(sa.select(Draw).where(Draw.parent_id == draw.id))
    advancement.perform_draw(redraw, [[9, 8, 7], [1, 1, 2]], by=city.district_admin, now=AFTER_EVENT)
    db.session.commit()
    phone.goto(listing_url)
    records = phone.locator(".draws li")
    assert records.count() == 2 and "重抽" in records.nth(1).inner_text()
    assert all("已抽取" in records.nth(i).inner_text() for i in range(2))
    assert phone.locator("#results tbody tr").count() == 3
    db.session.rollback()
    assert [d.status for d in db.session.scalars(sa.select(Draw).order_by(Draw.id))] == [DrawStatus.DRAWN] * 2
    # advancement's public draw record, with its pool commitment
    assert phone.locator(".draws li a").count()
    records.nth(1).locator("a").first.click()
    phone.wait_for_url(f"**/draws/{redraw.id}")
    assert redraw.pool_sha256 in phone.content()

    # The filer follows the outcome with the code, typed in lower case.
    phone.goto(f"{live_server}/p/objections")
    phone.fill("input[name=code]", code.lower())
    phone.click("button:has-text('查询')")
    phone.wait_for_selector("#objection-status")
    assert "成立" in phone.locator("#objection-status").inner_text()
    assert errors == []
