"""Issue 15.7 × R-PUB-2: upholding an objection for fraud goes through a confirmation screen (no JS
needed) that says who leaves which list and which places reopen; only the confirm POST acts."""

from __future__ import annotations

import sqlalchemy as sa

from app.advancement import services as advancement
from app.audit.models import AuditEntry
from app.draws.models import Draw
from app.extensions import db
from app.public import services
from app.public.models import ObjectionStatus
from app.rosters.models import AdvanceRoute
from tests.public.helpers import advance_central_unit, listed


def _drawn_and_recommended(w):
    rows = advancement.shortlist(w.semifinal)
    return (
        next(r.entry for r in rows if r.route == AdvanceRoute.DRAWN),
        next(r.entry for r in rows if r.route == AdvanceRoute.RECOMMENDED),
    )


def test_fraud_confirmation_names_the_list_and_the_reopened_place_and_changes_nothing(client, login, city):
    w = listed(city)
    advance_central_unit(w, city)
    drawn, recommended = _drawn_and_recommended(w)
    objection = services.file_objection(
        w.semifinal, drawn, reason="年龄造假。", filer_name="王五", filer_phone="13800001111"
    )
    db.session.commit()
    login(city.district_admin)
    url = f"/admin/public/objections/{objection.id}"
    decision = {"outcome": "upheld", "fraud": "y", "note": "经核实身份信息造假，取消资格。"}
    first = client.post(url, data=decision)
    html = first.get_data(as_text=True)
    assert first.status_code == 200 and 'id="confirm-disqualify"' in html
    assert f"{drawn.entrant_number:04d} {drawn.name}" in html
    assert "移出复赛名单（抽取晋级）；青石镇中心小学空出 1 个抽取名额，需重新抽签" in html
    assert "复赛名额已冻结，不因取消资格而重算" in html and "不再符合组织奖条件" in html
    assert 'name="confirm" value="1"' in html and "经核实身份信息造假" in html
    db.session.expire_all()
    assert objection.status == ObjectionStatus.PENDING and drawn.disqualified_at is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Draw)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEntry.action == "objection.resolve")) == 0

    assert client.post(url, data={**decision, "confirm": "1"}).status_code == 303
    db.session.expire_all()
    assert drawn.disqualified_at is not None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Draw)) == 2  # the re-draw announced


def test_fraud_on_a_recommended_teacher_reopens_the_recommendation(city):
    w = listed(city)
    advance_central_unit(w, city)
    _, recommended = _drawn_and_recommended(w)
    objection = services.file_objection(
        w.semifinal, recommended, reason="材料造假。", filer_name="王五", filer_phone="13800001111"
    )
    lines = services.disqualification_preview(objection, by=city.district_admin)
    assert any("移出复赛名单（推荐晋级）；青石镇中心小学空出 1 个推荐名额" in line for line in lines)


def test_dismissing_needs_no_confirmation(client, login, city):
    w = listed(city)
    advance_central_unit(w, city)
    drawn, _ = _drawn_and_recommended(w)
    objection = services.file_objection(
        w.semifinal, drawn, reason="对该教师的资格有疑问。", filer_name="王五", filer_phone="13800001111"
    )
    db.session.commit()
    login(city.district_admin)
    response = client.post(
        f"/admin/public/objections/{objection.id}", data={"outcome": "dismissed", "note": "经核实无误。"}
    )
    assert response.status_code == 303
