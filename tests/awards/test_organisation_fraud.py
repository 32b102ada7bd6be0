"""R-AW-3: no 组织奖 for a school or district with a teacher disqualified for fraud (弄虚作假) in the
competition, however the disqualification was recorded (issue 15.5)."""

from __future__ import annotations

import io
from datetime import datetime

from openpyxl import load_workbook

from app.awards import rules, services
from app.awards.models import AwardKind
from app.awards.services import Scope
from app.competitions.models import StageKind
from app.extensions import db
from app.public.models import Listing, Objection, ObjectionStatus
from app.timeutil import utcnow
from tests.awards.helpers import competitors
from tests.awards.test_services import _stamp


def test_r_aw_3_rule_fraud_alone_blocks_the_organisation_award():
    assert rules.deserves_organisation_award(True, 12, 12, 0, 0)
    assert not rules.deserves_organisation_award(True, 12, 12, 0, 1)


def _fraud_objection(competition, entry, *, upheld_fraud: bool):
    listing = Listing(
        competition=competition,
        stage=competition.stage(StageKind.PRELIMINARY),
        opens_at=utcnow(),
        days=5,
        closes_at=utcnow(),
    )
    db.session.add(
        Objection(
            competition_id=competition.id,
            listing=listing,
            entry=entry,
            tracking_code=f"F{entry.id:09d}",
            reason="弄虚作假",
            status=ObjectionStatus.UPHELD if upheld_fraud else ObjectionStatus.DISMISSED,
            fraud=upheld_fraud,
        )
    )


def test_r_aw_3_direct_disqualification_blocks_school_and_district(city, f):
    """Worked example: 松岭镇中心小学 (西岭县) is on time with 3 of 3 competing and no objection at all,
    but one teacher was disqualified directly on the entry (as 后松庄小学 in the demo): no 组织奖 for
    the school nor for 西岭县; 青石镇中心小学 (东山县), equally on time and complete, keeps its award."""
    competition = f.gen_competition()
    cheat, *_ = competitors(competition, StageKind.PRELIMINARY, [city.other_school], 3)
    competitors(competition, StageKind.PRELIMINARY, [city.central], 2)
    _stamp(competition, city.other_school, datetime(2026, 12, 1, 8, 0))
    _stamp(competition, city.central, datetime(2026, 12, 1, 8, 0))
    cheat.disqualified_at, cheat.disqualified_note = utcnow(), "经核实，材料弄虚作假，取消资格。"
    db.session.commit()
    rows = {(r.category, r.name): r for r in services.organisation_preview(competition)}
    school = rows[("学校", "松岭镇中心小学")]
    assert school.on_time and school.competitors == school.eligible == 3 and school.upheld == 0
    assert school.fraud == 1 and not school.awarded
    assert not rows[("区县", "西岭县")].awarded and rows[("区县", "西岭县")].fraud == 1
    assert rows[("学校", "青石镇中心小学")].awarded
    release = services.publish(competition, Scope(AwardKind.ORGANISATION), by=city.city_admin)
    assert "松岭镇中心小学" not in [a.recipient for a in release.awards]
    assert "西岭县" not in [a.recipient for a in release.awards]


def test_r_aw_3_objection_upheld_for_fraud_counts_once_dismissed_does_not(city, f):
    competition = f.gen_competition()
    first, second = competitors(competition, StageKind.PRELIMINARY, [city.other_school], 2)
    _stamp(competition, city.other_school, datetime(2026, 12, 1, 8, 0))
    _fraud_objection(competition, first, upheld_fraud=False)
    db.session.commit()
    rows = {(r.category, r.name): r for r in services.organisation_preview(competition)}
    assert rows[("学校", "松岭镇中心小学")].awarded  # a dismissed objection changes nothing
    _fraud_objection(competition, second, upheld_fraud=True)
    second.disqualified_at = utcnow()  # recorded both ways: the teacher still counts once
    db.session.commit()
    rows = {(r.category, r.name): r for r in services.organisation_preview(competition)}
    assert rows[("学校", "松岭镇中心小学")].fraud == 1 and not rows[("学校", "松岭镇中心小学")].awarded


def test_r_aw_3_organisation_export_carries_the_fraud_column_the_preview_shows(client, login, city, f):
    """R-XLS-1: the 组织奖 preview's 弄虚作假 column is in its xlsx too, as a number."""
    competition = f.gen_competition()
    cheat, *_ = competitors(competition, StageKind.PRELIMINARY, [city.other_school], 3)
    _stamp(competition, city.other_school, datetime(2026, 12, 1, 8, 0))
    cheat.disqualified_at = utcnow()
    db.session.commit()
    login(city.city_admin)
    response = client.get(f"/awards/{competition.id}/export/organisation.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    header = [c.value for c in sheet[1]]
    rows = {r[1]: dict(zip(header, r)) for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["松岭镇中心小学"]["弄虚作假"] == 1 and rows["松岭镇中心小学"]["组织奖"] == "否"
    assert rows["西岭县"]["弄虚作假"] == 1
