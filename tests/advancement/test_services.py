"""Advancement services: quotas (R-Q-1..3), recommendation (R-Q-4), draws (R-DRAW-1/2), shortlists,
disqualification (R-PUB-2), scope (R-ROLE-1)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.advancement import services
from app.advancement.models import Nomination
from app.audit.models import AuditEntry
from app.competitions.models import Rounding
from app.draws.models import DrawStatus
from app.draws.rfc3797 import DrawRecord, verify_record, verify_redraw
from app.errors import DomainError, NotAllowed
from app.extensions import db
from app.rosters.models import AdvanceRoute, StageEntrant
from app.timeutil import utcnow
from tests.advancement.helpers import SOURCES, freeze_and_confirm, world
from tests.draws.helpers import AFTER_EVENT, EVENT_AT

VALUES = [["3", "7", "1"], ["6", "2", "5"]]


def by_key(rows):
    return {r.name: (r.competitors, r.quota, r.recommended, r.drawn) for r in rows}


def test_r_q_1_live_semifinal_quotas_per_preliminary_unit(city):
    """R-Q-1/R-ORG-2: the central school's unit counts its affiliate; the seat school has no competitors."""
    w = world(city)
    rows = by_key(services.quota_rows(w.semifinal))
    assert rows["青石镇中心小学"] == (10, 3, 2, 1)
    assert rows["青石镇中学"] == (5, 2, 1, 1)
    assert rows["松岭镇中心小学"] == (17, 5, 3, 2)
    assert "青石镇前村小学" not in rows and "东山县实验小学" not in rows


def test_r_q_3_largest_remainder_is_applied_within_each_district(city):
    w = world(city, central=2, affiliate=1, township=5, rounding=Rounding.LARGEST_REMAINDER)
    # 东山县: 3 + 5 = 8 → 2.4 → 2 places; floors 0 and 1, remainders .9 and .5 → the central unit gets the place
    rows = by_key(services.quota_rows(w.semifinal, district_id=city.d1.id))
    assert rows == {"青石镇中心小学": (3, 1, 1, 0), "青石镇中学": (5, 1, 1, 0)}


def test_quotas_recompute_live_until_frozen_then_stay_and_the_change_is_audited(city):
    w = world(city)
    teacher = w.entries["township"][0]
    teacher.disqualified_at, teacher.disqualified_note = utcnow(), "弄虚作假"
    db.session.flush()
    assert by_key(services.quota_rows(w.semifinal))["青石镇中学"] == (4, 1, 1, 0)  # 1.2 → 1
    services.freeze_quotas(w.semifinal, by=city.city_admin)
    assert w.semifinal.frozen_at is not None
    w.entries["township"][1].disqualified_at = utcnow()
    services.handle_disqualification(w.entries["township"][1], by=city.city_admin)
    row = next(r for r in services.quota_rows(w.semifinal) if r.name == "青石镇中学")
    assert (row.competitors, row.live_competitors, row.quota, row.changed_since_freeze) == (4, 3, 1, True)
    assert (
        db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "advancement.quota_kept"))
        is not None
    )
    with pytest.raises(DomainError, match="已冻结"):
        services.freeze_quotas(w.semifinal, by=city.city_admin)


def test_only_the_city_freezes(city):
    w = world(city)
    with pytest.raises(NotAllowed):
        services.freeze_quotas(w.semifinal, by=city.district_admin)


def test_r_q_4_unit_recommends_exactly_its_number_and_district_confirms(city):
    w = world(city)
    services.freeze_quotas(w.semifinal, by=city.city_admin)
    unit = w.unit(city.central)
    ids = [e.id for e in w.entries["central"][:3]]
    with pytest.raises(DomainError, match="应推荐 2 人"):
        services.set_nominations(unit, ids, by=city.school_admin)
    with pytest.raises(DomainError, match="不属于本单位"):
        services.set_nominations(unit, [ids[0], w.entries["township"][0].id], by=city.school_admin)
    services.set_nominations(unit, ids[:2], by=city.school_admin)
    assert unit.submitted_at is not None
    with pytest.raises(NotAllowed):
        services.confirm_unit(unit, by=city.school_admin)
    with pytest.raises(NotAllowed):
        services.confirm_unit(unit, by=city.other_district_admin)
    services.confirm_unit(unit, by=city.district_admin)
    entrants = db.session.scalars(
        sa.select(StageEntrant).where(StageEntrant.stage_id == w.semifinal.id)
    ).all()
    assert sorted(e.entry_id for e in entrants) == sorted(ids[:2])
    assert {e.route for e in entrants} == {AdvanceRoute.RECOMMENDED}
    with pytest.raises(DomainError, match="已确认"):
        services.set_nominations(unit, ids[1:], by=city.school_admin)


def test_r_q_4_scope_school_admin_only_for_its_own_unit(city):
    w = world(city)
    services.freeze_quotas(w.semifinal, by=city.city_admin)
    township = w.unit(city.township)
    with pytest.raises(NotAllowed, match="范围"):
        services.set_nominations(township, [w.entries["township"][0].id], by=city.school_admin)
    with pytest.raises(NotAllowed):  # an affiliate's admin does not run the central school's unit
        services.set_nominations(w.unit(city.central), [], by=city.affiliate_admin)
    assert services.can_view(city.affiliate_admin, w.unit(city.central))


def test_r_q_4_deadline_binds_the_unit_but_not_the_district(city):
    w = world(city)
    w.semifinal.deadline = date.today() - timedelta(days=3)
    services.freeze_quotas(w.semifinal, by=city.city_admin)
    unit = w.unit(city.central)
    ids = services.suggest_by_rank(unit)
    with pytest.raises(DomainError, match="截止日期"):
        services.set_nominations(unit, ids, by=city.school_admin)
    services.set_nominations(unit, ids, by=city.district_admin)
    assert len(unit.nominations) == 2


def test_suggest_by_rank_takes_the_best_aggregates_first(city, monkeypatch):
    w = world(city)
    services.freeze_quotas(w.semifinal, by=city.city_admin)
    unit = w.unit(city.central)
    people = w.entries["central"] + w.entries["affiliate"]
    scores = {
        people[4].id: (Decimal("91.50"), 1),
        people[9].id: (Decimal("88.00"), 1),
        people[0].id: (Decimal("88.00"), 2),
    }
    monkeypatch.setattr(services, "source_results", lambda stage, ids: scores)
    assert services.suggest_by_rank(unit) == [people[4].id, people[9].id]  # equal 88.00: better rank first
    order = [c.entry.id for c in services.candidates(unit)]
    assert order[:3] == [people[4].id, people[9].id, people[0].id]
    assert order[3] == people[1].id  # no result yet: by entrant number


def test_draw_flow_announce_commitment_perform_once(city):
    w = world(city)
    unit = freeze_and_confirm(w, city, city.other_school)  # 17 competitors: 3 recommended, 2 drawn
    recommended = {n.entry.entrant_number for n in unit.nominations}
    with pytest.raises(NotAllowed):
        services.announce_unit_draw(
            unit, SOURCES, by=city.district_admin, event_at=EVENT_AT
        )  # the other district's unit
    draw = services.announce_unit_draw(unit, SOURCES, by=city.other_district_admin, event_at=EVENT_AT)
    assert draw.status == DrawStatus.ANNOUNCED and draw.count == 2 and len(draw.pool_json) == 14
    assert not recommended & {p["number"] for p in draw.pool_json}
    with pytest.raises(DomainError, match="重复抽签"):
        services.announce_unit_draw(unit, SOURCES, by=city.other_district_admin, event_at=EVENT_AT)
    with pytest.raises(DomainError, match="每个已公布的随机源"):
        services.perform_draw(draw, VALUES[:1], by=city.other_district_admin, now=AFTER_EVENT)
    added = services.perform_draw(draw, VALUES, by=city.other_district_admin, now=AFTER_EVENT)
    record = DrawRecord.from_json(draw.record_json)
    assert verify_record(record) == [] and record.key == "1.3.7./2.5.6./"
    assert [a.route for a in added] == [AdvanceRoute.DRAWN] * 2 and {a.draw_id for a in added} == {draw.id}
    with pytest.raises(DomainError, match="不能再抽一次"):
        services.perform_draw(draw, VALUES, by=city.other_district_admin, now=AFTER_EVENT)
    with pytest.raises(DomainError, match="没有待抽取"):
        services.announce_unit_draw(unit, SOURCES, by=city.other_district_admin, event_at=EVENT_AT)
    rows = services.shortlist(w.semifinal)
    assert [r.route for r in rows].count(AdvanceRoute.DRAWN) == 2 and len(rows) == 5
    assert all(r.draw_id == draw.id for r in rows if r.route == AdvanceRoute.DRAWN)


def test_draw_needs_confirmed_recommendations(city):
    w = world(city)
    services.freeze_quotas(w.semifinal, by=city.city_admin)
    with pytest.raises(DomainError, match="先确认"):
        services.announce_unit_draw(w.unit(city.township), SOURCES, by=city.district_admin, event_at=EVENT_AT)


def test_stale_announced_pool_is_refused_then_voided_and_announced_again(city):
    w = world(city)
    unit = freeze_and_confirm(w, city, city.township)
    draw = services.announce_unit_draw(unit, SOURCES, by=city.district_admin, event_at=EVENT_AT)
    # a pool member advances by another way in between (the pool no longer matches its commitment's meaning)
    member = next(e for e in w.entries["township"] if e.entrant_number == draw.pool_json[0]["number"])
    db.session.add(StageEntrant(stage_id=w.semifinal.id, entry_id=member.id, route=AdvanceRoute.RECOMMENDED))
    db.session.flush()
    with pytest.raises(DomainError, match="作废"):
        services.perform_draw(draw, VALUES, by=city.district_admin, now=AFTER_EVENT)
    services.void_draw(draw, "名单有变", by=city.district_admin)
    assert draw.status == DrawStatus.VOID
    again = services.announce_unit_draw(unit, SOURCES, by=city.district_admin, event_at=EVENT_AT)
    assert member.entrant_number not in {p["number"] for p in again.pool_json}


def test_r_pub_2_r_draw_2_whole_path_disqualified_drawn_teacher_is_redrawn(city):
    """A drawn teacher is disqualified: removed (audited), a linked re-draw for the one vacant place is
    announced from the remaining pool, and performing it fills the place."""
    w = world(city)
    unit = freeze_and_confirm(w, city, city.other_school)
    draw = services.announce_unit_draw(unit, SOURCES, by=city.city_admin, event_at=EVENT_AT)
    services.perform_draw(draw, VALUES, by=city.city_admin, now=AFTER_EVENT)
    db.session.commit()
    record = DrawRecord.from_json(draw.record_json)
    cheat = next(e for e in w.entries["other"] if e.entrant_number == record.selected[0])
    cheat.disqualified_at, cheat.disqualified_note = utcnow(), "异议成立：弄虚作假"
    redraws = services.handle_disqualification(cheat, by=city.city_admin)
    assert len(redraws) == 1
    redraw = redraws[0]
    assert (redraw.parent_id, redraw.count, redraw.status) == (draw.id, 1, DrawStatus.ANNOUNCED)
    pool = {p["number"] for p in redraw.pool_json}
    assert not pool & set(record.selected)
    recommended = {n.entry.entrant_number for n in unit.nominations}
    assert not pool & recommended and len(pool) == 14 - 2
    assert [s["name"] for s in redraw.sources_announced] == [f"重抽：{s}" for s in SOURCES]
    assert db.session.scalar(sa.select(StageEntrant).where(StageEntrant.entry_id == cheat.id)) is None
    removed = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "advancement.disqualified_removed")
    )
    assert removed.before["route"] == "drawn" and removed.reason == "异议成立：弄虚作假"
    with pytest.raises(DomainError, match="新的"):  # the same values as the original would repeat its key
        services.perform_draw(redraw, VALUES, by=city.city_admin, now=AFTER_EVENT)
    added = services.perform_draw(
        redraw, [["4", "4", "2"], ["1", "1", "6"]], by=city.city_admin, now=AFTER_EVENT
    )
    assert len(added) == 1 and added[0].draw_id == redraw.id and added[0].route == AdvanceRoute.DRAWN
    child = DrawRecord.from_json(redraw.record_json)
    assert verify_redraw(record, child) == []
    drawn = [r for r in services.shortlist(w.semifinal) if r.route == AdvanceRoute.DRAWN]
    assert len(drawn) == 2 and cheat.id not in {r.entry.id for r in drawn}


def test_r_pub_2_disqualified_recommended_teacher_reopens_the_units_recommendation(city):
    w = world(city)
    unit = freeze_and_confirm(w, city, city.central)
    cheat = unit.nominations[0].entry
    kept = unit.nominations[1].entry
    cheat.disqualified_at = utcnow()
    assert services.handle_disqualification(cheat, by=city.district_admin) == []
    assert unit.confirmed_at is None and unit.submitted_at is None
    assert db.session.scalar(sa.select(Nomination).where(Nomination.entry_id == cheat.id)) is None
    row = next(r for r in services.quota_rows(w.semifinal) if r.name == unit.name)
    assert (row.recommended, row.advanced_recommended) == (2, 1)  # the vacancy shows
    suggestion = services.suggest_by_rank(unit)
    assert suggestion[0] == kept.id and cheat.id not in suggestion and len(suggestion) == 2
    with pytest.raises(DomainError, match="不能撤换"):
        services.set_nominations(
            unit, list(suggestion[1:]) + [w.entries["central"][-1].id], by=city.school_admin
        )
    services.set_nominations(unit, suggestion, by=city.school_admin)
    services.confirm_unit(unit, by=city.district_admin)
    assert len([r for r in services.shortlist(w.semifinal) if r.route == AdvanceRoute.RECOMMENDED]) == 2


def test_disqualification_of_a_pool_member_voids_and_reannounces_the_pending_draw(city):
    w = world(city)
    unit = freeze_and_confirm(w, city, city.other_school)
    draw = services.announce_unit_draw(unit, SOURCES, by=city.city_admin, event_at=EVENT_AT)
    member = next(e for e in w.entries["other"] if e.entrant_number == draw.pool_json[3]["number"])
    member.disqualified_at = utcnow()
    new = services.handle_disqualification(member, by=city.city_admin)
    assert draw.status == DrawStatus.VOID and "取消资格" in draw.void_reason
    assert len(new) == 1 and new[0].parent_id is None and len(new[0].pool_json) == len(draw.pool_json) - 1
    assert [s["name"] for s in new[0].sources_announced] == SOURCES


def test_final_quotas_per_district_from_semifinal_competitors(city):
    w = world(city)
    for school in (city.central, city.township, city.other_school):
        unit = freeze_and_confirm(w, city, school)
        draw = services.announce_unit_draw(unit, SOURCES, by=city.city_admin, event_at=EVENT_AT)
        services.perform_draw(draw, VALUES, by=city.city_admin, now=AFTER_EVENT)
    summary = {s["district"]: s for s in services.city_summary(w.competition)}
    assert summary["东山县"]["semifinal_competitors"] == 5 and summary["东山县"]["quota"] == 1  # 0.5 → 1
    assert summary["西岭县"]["semifinal_competitors"] == 5
    final_rows = services.quota_rows(w.final)
    assert {r.name: r.quota for r in final_rows} == {"东山县": 1, "西岭县": 1}
    services.freeze_quotas(w.final, by=city.city_admin)
    unit = next(
        u
        for u in db.session.query(services.AdvancementUnit).filter_by(stage_id=w.final.id)
        if u.district_id == city.d1.id
    )
    assert services.can_recommend(city.district_admin, unit) and not services.can_confirm(
        city.district_admin, unit
    )
    assert not services.can_recommend(city.school_admin, unit)
    services.set_nominations(unit, services.suggest_by_rank(unit), by=city.district_admin)
    with pytest.raises(NotAllowed):
        services.confirm_unit(unit, by=city.district_admin)
    services.confirm_unit(unit, by=city.city_admin)
    assert len(services.shortlist(w.final)) == 1


def test_shortlist_scope_clause(city):
    w = world(city)
    freeze_and_confirm(w, city, city.central)
    freeze_and_confirm(w, city, city.other_school)
    assert len(services.shortlist(w.semifinal)) == 5
    assert len(services.shortlist(w.semifinal, scope=city.school_admin.school_scope_clause())) == 2
    assert len(services.shortlist(w.semifinal, scope=city.other_district_admin.school_scope_clause())) == 3


def test_disqualification_when_nobody_is_left_to_draw_keeps_the_vacancy_and_logs_why(city):
    # ratio 100 %, nothing recommended: both teachers of the unit are drawn, nobody is left for a re-draw
    w = world(
        city,
        central=2,
        affiliate=0,
        township=0,
        other=0,
        semifinal_ratio=Decimal("1"),
        semifinal_recommend_ratio=Decimal("0"),
    )
    unit = freeze_and_confirm(w, city, city.central)
    assert (unit.quota, unit.recommended, unit.drawn) == (2, 0, 2)
    draw = services.announce_unit_draw(unit, SOURCES, by=city.city_admin, event_at=EVENT_AT)
    services.perform_draw(draw, VALUES, by=city.city_admin, now=AFTER_EVENT)
    cheat = w.entries["central"][0]
    cheat.disqualified_at = utcnow()
    assert services.handle_disqualification(cheat, by=city.city_admin) == []
    logged = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "advancement.redraw_not_possible")
    )
    assert logged is not None and "少于" in logged.summary
    assert services.vacancies(unit) == 1


def test_final_cannot_be_frozen_before_the_semifinal(city):
    w = world(city)
    with pytest.raises(DomainError, match="先冻结复赛"):
        services.freeze_quotas(w.final, by=city.city_admin)


def test_district_returns_a_submitted_list_with_a_reason(city):
    w = world(city)
    services.freeze_quotas(w.semifinal, by=city.city_admin)
    unit = w.unit(city.central)
    services.set_nominations(unit, services.suggest_by_rank(unit), by=city.school_admin)
    with pytest.raises(DomainError, match="退回原因"):
        services.return_unit(unit, " ", by=city.district_admin)
    with pytest.raises(NotAllowed):
        services.return_unit(unit, "名单有误", by=city.school_admin)
    services.return_unit(unit, "请按成绩重新推荐", by=city.district_admin)
    assert unit.submitted_at is None
    logged = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "advancement.returned"))
    assert logged.reason == "请按成绩重新推荐"
    with pytest.raises(DomainError, match="尚未提交"):
        services.confirm_unit(unit, by=city.district_admin)


def test_r_draw_2_two_organisers_performing_at_once_store_one_draw(city):
    """The second submission finds the row already drawn (compare-and-set) and changes nothing."""
    from app.draws.models import Draw

    w = world(city)
    unit = freeze_and_confirm(w, city, city.other_school)
    draw = services.announce_unit_draw(unit, SOURCES, by=city.city_admin, event_at=EVENT_AT)
    # the other organiser's request has just stored its result; this session still holds the old row state
    db.session.execute(
        sa.update(Draw)
        .where(Draw.id == draw.id)
        .values(status=DrawStatus.DRAWN, record_json="{}")
        .execution_options(synchronize_session=False)
    )
    assert draw.status == DrawStatus.ANNOUNCED
    with pytest.raises(DomainError, match="已由他人完成"):
        services.perform_draw(draw, VALUES, by=city.city_admin, now=AFTER_EVENT)
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(StageEntrant)
            .where(StageEntrant.route == AdvanceRoute.DRAWN)
        )
        == 0
    )
