"""Demo advancement (SPEC §5): semifinal quotas frozen; units at every step of recommendation and draw.

Deterministic. 东山县 (the demo district login) shows each state: its central school 青石镇中心小学
(the demo school login) still has to recommend; one unit awaits the district's confirmation; one has
an announced draw (commitment published, values not yet entered); the rest are drawn. The other
districts are complete, so shortlists and public draw pages have content; one re-draw after a
disqualification shows the R-DRAW-2 link.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.advancement import services
from app.advancement.models import AdvancementUnit
from app.auth.models import User
from app.competitions.models import Competition, StageKind
from app.extensions import db
from app.orgs.models import District, School
from app.roles import Role
from app.rosters.models import StageEntrant
from app.timeutil import beijing_midnight, beijing_today, utcnow

SOURCES = ["2026年12月18日 中国福利彩票3D开奖号码", "抽签现场由监督员掷骰子三次的点数"]


def _values(rng: random.Random) -> list[list[int]]:
    return [[rng.randrange(10) for _ in range(3)], [rng.randint(1, 6) for _ in range(3)]]


def _event_times() -> tuple[datetime, datetime]:
    """R-DRAW-1: the held events (two days ago, 20:30 Beijing) and the pending one (tomorrow, 10:00)."""
    held = beijing_midnight(beijing_today() - timedelta(days=2)) + timedelta(hours=20, minutes=30)
    pending = beijing_midnight(beijing_today() + timedelta(days=1)) + timedelta(hours=10)
    return held, pending


def extend_demo(competition: Competition) -> None:
    city = db.session.scalar(sa.select(User).where(User.role == Role.CITY_ADMIN).order_by(User.id).limit(1))
    stage = competition.stage(StageKind.SEMIFINAL)
    if city is None or stage.frozen_at is not None:
        return
    rng = random.Random(3797)
    held_at, pending_at = _event_times()
    services.freeze_quotas(stage, by=city)
    units = db.session.scalars(
        sa.select(AdvancementUnit)
        .join(District, District.id == AdvancementUnit.district_id)
        .outerjoin(School, School.id == AdvancementUnit.unit_school_id)
        .where(AdvancementUnit.stage_id == stage.id, AdvancementUnit.quota > 0)
        .order_by(District.code, School.code)
    ).all()
    demo_school = db.session.scalar(sa.select(School).where(School.code == "D02-C01"))
    d02 = [
        u
        for u in units
        if u.district.code == "D02" and u.unit_school_id != (demo_school.id if demo_school else None)
    ]
    waiting, announced = (d02[0] if d02 else None), (d02[1] if len(d02) > 1 else None)
    drawn = []
    ranking = services.source_results(
        stage
    )  # 东山县 has preliminary results (judging demo); others suggest by number
    for unit in units:
        if demo_school is not None and unit.unit_school_id == demo_school.id:
            continue  # the demo school login recommends itself
        services.set_nominations(
            unit, services.suggest_by_rank(unit, services.candidates(unit, results=ranking)), by=city
        )
        if unit is waiting:
            continue  # the demo district login confirms it
        services.confirm_unit(unit, by=city)
        if unit.drawn == 0:
            continue
        if unit is announced:  # waits for its event, tomorrow
            services.announce_unit_draw(unit, SOURCES, by=city, event_at=pending_at)
            continue
        draw = services.announce_unit_draw(
            unit, SOURCES, by=city, event_at=held_at, now=held_at - timedelta(days=3)
        )
        services.perform_draw(draw, _values(rng), by=city, now=held_at + timedelta(minutes=5))
        drawn.append((unit, draw))
    # one upheld objection against a drawn teacher (R-PUB-2) → a linked re-draw, performed (R-DRAW-2)
    far = [(u, d) for u, d in drawn if u.district.code == "D03"]
    if far:
        unit, draw = far[0]
        cheat = next(
            se.entry
            for se in db.session.scalars(sa.select(StageEntrant).where(StageEntrant.draw_id == draw.id))
        )
        cheat.disqualified_at, cheat.disqualified_note = (
            utcnow(),
            "经核实，初赛材料弄虚作假，取消资格（示例）",
        )
        redraw_at = utcnow() + timedelta(minutes=1)  # announced now, drawn at its event a minute later
        for redraw in services.handle_disqualification(cheat, by=city, event_at=redraw_at):
            services.perform_draw(redraw, _values(rng), by=city, now=redraw_at + timedelta(minutes=1))
    db.session.flush()
