"""Demo advancement (SPEC §5): semifinal quotas frozen; units at every step of recommendation and draw.

Deterministic; on the clock ``app.demo`` sets (yesterday afternoon: quotas frozen after the roster
deadline, draws performed at yesterday evening's event, one announced for tomorrow). 东山县 (the demo district login) shows each state: its central school 青石镇中心小学
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
from app.timeutil import beijing_at, clock, to_beijing, utcnow


def sources_for(event_at: datetime) -> list[str]:
    """The future sources of randomness announced for a draw event at ``event_at`` (naive UTC, R-DRAW-1)."""
    day = to_beijing(event_at).date()
    return [
        f"{day.year}年{day.month}月{day.day}日 中国福利彩票3D开奖号码",
        "抽签现场由监督员掷骰子三次的点数",
    ]


def values(rng: random.Random) -> list[list[int]]:
    return [[rng.randrange(10) for _ in range(3)], [rng.randint(1, 6) for _ in range(3)]]


def extend_demo(competition: Competition) -> None:
    city = db.session.scalar(sa.select(User).where(User.role == Role.CITY_ADMIN).order_by(User.id).limit(1))
    stage = competition.stage(StageKind.SEMIFINAL)
    if city is None or stage.frozen_at is not None:
        return
    rng = random.Random(3797)
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
    # R-DRAW-1: the clock stands at the afternoon before the demo's day; this evening's draw event is
    # performed below once it has come, one unit's draw is announced for the day after the demo's day.
    day = to_beijing(utcnow()).date()
    evening = beijing_at(day, 20)
    tomorrow = beijing_at(day + timedelta(days=2), 19, 30)
    performed: list = []
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
        event_at = tomorrow if unit is announced else evening
        draw = services.announce_unit_draw(unit, sources_for(event_at), by=city, event_at=event_at)
        if unit is not announced:
            performed.append((unit, draw))
    clock.set(evening + timedelta(minutes=15), tick=True)
    for unit, draw in performed:
        services.perform_draw(draw, values(rng), by=city)
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
        clock.advance(timedelta(minutes=30))
        redraws = services.handle_disqualification(cheat, by=city, event_at=utcnow() + timedelta(minutes=40))
        clock.advance(timedelta(minutes=45))  # the re-draw at the same evening's event, once announced
        for redraw in redraws:
            services.perform_draw(redraw, values(rng), by=city)
    db.session.flush()
