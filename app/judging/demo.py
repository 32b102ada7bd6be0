"""Demo judging for the demo city (called by ``app.demo`` after the rosters): seeded, a few seconds.

东山县 (D02) has run its preliminary (yesterday, on the clock ``app.demo`` sets): every unit × subject
× group panel is scored and closed, so the advancement screens have rankings, except one panel of
青石镇中心小学 (the demo school login's unit) that is still scoring today, with today's sign-in codes. The demo judge 李老师 (白沙镇中学) heads that live panel: numbers 1 and 2 are
submitted, number 3 is on the room display and waits for him, while the other judges are ahead of him.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import generate_password_hash

from app.auth.models import User
from app.competitions.models import Competition, StageKind
from app.draws.models import Draw, DrawPurpose, DrawStatus
from app.draws.rfc3797 import PoolEntry, run_draw
from app.extensions import db
from app.judging import services, signin
from app.judging.models import Appearance, ItemScore, Panel, PanelJudge, PanelStatus, ScoreSheet, SheetStatus
from app.orgs.models import District, School
from app.roles import Role
from app.rosters.models import Entry
from app.rosters.queries import competitors_stmt
from app.timeutil import clock, utcnow

DEMO_PASSWORD = "demo2026"
SEED = 2026_4
DICE = "抽签现场掷骰子三次的点数"
EVENT_DELAY = timedelta(minutes=30)  # from announcing an order-of-appearance draw to the draw on site
# (username, display name, school code): extra judges of 东山县, from schools whose teachers they rarely meet
JUDGES = [
    ("judge02", "评委 王老师", "D02-S01"),
    ("judge03", "评委 陈老师", "D02-S01"),
    ("judge04", "评委 刘老师", "D02-S02"),
    ("judge05", "评委 杨老师", "D02-S02"),
    ("judge06", "评委 黄老师", "D02-T01"),
    ("judge07", "评委 周老师", "D02-T03"),
    ("judge08", "评委 吴老师", "D02-C03"),
    ("judge09", "评委 徐老师", "D02-C02"),
]
# 青石镇中心小学 adds 普通话 to its own preliminary form and re-weights (R-FORM-1)
OWN_FORM = [
    ("书写技能", Decimal(10)),
    ("学科经典案例展示", Decimal(10)),
    ("教学设计与科技运用", Decimal(25)),
    ("课堂教学", Decimal(45)),
    ("普通话", Decimal(10)),
]


def extend_demo(competition: Competition) -> None:
    """Panels, drawn orders and score sheets for 东山县's preliminary; one panel live for the demo judge."""
    rng = random.Random(SEED)
    stage = competition.stage(StageKind.PRELIMINARY)
    district = db.session.scalar(sa.select(District).where(District.code == "D02"))
    by = {
        u.username: u
        for u in db.session.scalars(
            sa.select(User).where(User.username.in_(["city", "district", "school", "judge"]))
        )
    }
    if stage is None or district is None or "judge" not in by or "district" not in by:
        return
    services.ensure_default_forms(competition)
    stage.live_display = True  # the room display (R-X-3) is on for the preliminary rooms
    judges = [by["judge"], *_judges(district)]
    schools = {
        s.id: s for s in db.session.scalars(sa.select(School).where(School.district_id == district.id))
    }
    live_unit = next(s for s in schools.values() if s.code == "D02-C01")
    services.save_school_form(
        stage, live_unit, [(n, w, Decimal(100)) for n, w in OWN_FORM], by=by.get("school", by["city"])
    )

    # every (unit, subject, group) with competitors in the district, in a stable order
    pools: dict[tuple, list[Entry]] = defaultdict(list)
    for entry in db.session.scalars(
        competitors_stmt(stage)
        .join(School, School.id == Entry.school_id)
        .where(School.district_id == district.id)
    ):
        pools[(schools[entry.school_id].unit_id, entry.subject_id, entry.group)].append(entry)
    keys = sorted(pools, key=lambda k: (schools[k[0]].code, k[1], k[2].value))
    live_key = max((k for k in keys if k[0] == live_unit.id), key=lambda k: (len(pools[k]), -k[1]))
    keys.remove(live_key)
    live = _panel(
        stage, live_key, pools[live_key], schools, judges[:5], rng, by, head=0, room="青石镇中心小学 录播教室"
    )
    closed = finished_panels(stage, keys, pools, schools, judges, rng, by["district"])
    db.session.flush()

    quality = {e.id: rng.gauss(82, 6) for entries in pools.values() for e in entries}
    bias = {j.id: rng.gauss(0, 1.2) for j in judges}
    bias[judges[6].id] = 4.5  # one lenient judge: the organiser's spread table shows it
    for panel in closed:
        score(panel, panel.judges, _ordered(panel), quality, bias, rng)
    ordered = _ordered(live)
    others = [pj for pj in live.judges if pj.user_id != by["judge"].id]
    score(live, live.judges, ordered[:2], quality, bias, rng)  # 1, 2: everyone has submitted
    score(live, others[:3], ordered[2:3], quality, bias, rng)  # 3: three of the others, one draft
    score(live, others[3:], ordered[2:3], quality, bias, rng, status=SheetStatus.DRAFT, partial=True)
    live.current_position = 3
    db.session.flush()


def _judges(district: District) -> list[User]:
    """The extra judge logins (password demo2026), hashed once: they share the demo password."""
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    password_hash = generate_password_hash(DEMO_PASSWORD, method=method)
    codes = {
        s.code: s for s in db.session.scalars(sa.select(School).where(School.district_id == district.id))
    }
    made = []
    for username, name, code in JUDGES:
        user = User(
            username=username,
            display_name=name,
            role=Role.JUDGE,
            district=district,
            school=codes[code],
            password_hash=password_hash,
        )
        db.session.add(user)
        made.append(user)
    db.session.flush()
    return made


def _panel(stage, key, entries, schools, judges, rng, by, *, head: int, room: str | None = None) -> Panel:
    """A panel built the way an organiser does it: create, fill, assign (recusal checked), draw, open."""
    unit_id, subject_id, group = key
    unit = schools[unit_id]
    admin = by["school"] if by.get("school") and by["school"].school_id == unit.id else by["district"]
    subject = next(s for s in stage.competition.subjects if s.id == subject_id)
    panel = services.create_panel(
        stage,
        subject,
        group,
        by=admin,
        unit_school=unit,
        room=room or f"{unit.name} 第{rng.randint(1, 6)}教室",
    )
    services.fill_panel(panel, by=admin)
    for n, judge in enumerate(judges):
        services.assign_judge(panel, judge, by=admin, is_head=n == head)
    services.announce_appearance_draw(panel, [DICE], by=admin, event_at=event_time())
    clock.advance(EVENT_DELAY + timedelta(minutes=5))  # drawn on site once the announced event has come
    services.perform_appearance_draw(panel, [dice(rng)], by=admin)
    services.open_panel(panel, by=admin)
    return panel


def finished_panels(stage, keys, pools, schools, judges, rng, admin: User) -> list[Panel]:
    """The district's finished panels, built in bulk (a hundred panels through the services take seconds)
    under the same rules: recusal checked, order of appearance by the RFC 3797 draw, the unit's form."""
    subjects = {s.id: s for s in stage.competition.subjects}
    now = utcnow()
    planned = []
    for n, key in enumerate(keys):
        unit, entries = schools[key[0]], pools[key]
        pool = judges if n < 8 or len(judges) <= 3 else judges[1:]  # the first judge sat on a few only
        free = [j for j in pool if not any(services.recusal_reason(j, e, stage) for e in entries)]
        chosen = [free[(n + k) % len(free)] for k in range(3)]
        title = services.panel_name(stage, subjects[key[1]], key[2], unit) + " 上课顺序抽签"
        record = run_draw(
            [PoolEntry(e.entrant_number, "") for e in entries],
            [{"name": DICE, "values": dice(rng)}],
            len(entries),
            title=title,
        )
        draw = Draw(
            competition_id=stage.competition_id,
            stage_id=stage.id,
            purpose=DrawPurpose.APPEARANCE,
            title=title,
            unit_school_id=unit.id,
            status=DrawStatus.DRAWN,
            count=len(entries),
            pool_json=[
                {"number": e.entrant_number, "label": ""}
                for e in sorted(entries, key=lambda e: e.entrant_number)
            ],
            pool_sha256=record.pool_sha256,
            sources_announced=[{"name": DICE}],
            record_json=record.to_json(),
            announced_at=now - EVENT_DELAY - timedelta(minutes=5),
            event_at=now - timedelta(minutes=5),
            drawn_at=now,
            created_by_id=admin.id,
        )
        planned.append((key, unit, entries, chosen, record, draw))
    db.session.add_all([p[-1] for p in planned])
    db.session.flush()
    panels = []
    for (unit_id, subject_id, group), unit, entries, chosen, record, draw in planned:
        position = {number: n for n, number in enumerate(record.selected, start=1)}
        panel = Panel(
            stage=stage,
            subject=subjects[subject_id],
            group=group,
            unit_school=unit,
            name=services.panel_name(stage, subjects[subject_id], group, unit),
            form=services.form_for(stage, unit_id),
            room=f"{unit.name} 第{rng.randint(1, 6)}教室",
            status=PanelStatus.CLOSED,
            draw_id=draw.id,
            current_position=len(entries),
        )
        for n, judge in enumerate(chosen):
            panel.judges.append(PanelJudge(user=judge, is_head=n == 0))
        for entry in entries:
            panel.appearances.append(
                Appearance(
                    stage_id=stage.id, entry=entry, position=position[entry.entrant_number], draw_id=draw.id
                )
            )
        panels.append(panel)
    db.session.add_all(panels)
    return panels


def event_time():
    """The event time (R-DRAW-1) announced with an order-of-appearance draw: ``EVENT_DELAY`` from now."""
    return utcnow() + EVENT_DELAY


def this_morning(competition: Competition) -> None:
    """Today's sign-in codes (R-X-2) for the live panel, valid for today (Beijing time)."""
    district = db.session.scalar(sa.select(User).where(User.username == "district"))
    stage = competition.stage(StageKind.PRELIMINARY)
    live = db.session.scalars(
        sa.select(Panel).where(Panel.stage_id == stage.id, Panel.status == PanelStatus.OPEN)
    ).all()
    if district is not None:
        for panel in live:
            signin.issue_codes(panel, by=district)


def dice(rng: random.Random) -> list[str]:
    return [str(rng.randint(1, 6)) for _ in range(3)]


def _ordered(panel: Panel) -> list:
    return sorted(panel.appearances, key=lambda a: a.position)


def score(
    panel,
    members,
    appearances,
    quality,
    bias,
    rng,
    *,
    status=SheetStatus.SUBMITTED,
    partial: bool = False,
) -> None:
    """Sheets as judges would fill them: the teacher's level, the judge's leaning, a little noise per item."""
    items = panel.form.items
    now = utcnow()
    for appearance in appearances:
        for member in members:
            base = quality[appearance.entry_id] + bias[member.user_id]
            sheet = ScoreSheet(
                panel_id=panel.id,
                judge_id=member.user_id,
                entry_id=appearance.entry_id,
                status=status,
                version=len(items) + 1,
                created_at=now,
                updated_at=now,
                submitted_at=now if status == SheetStatus.SUBMITTED else None,
            )
            for n, item in enumerate(items):
                value = None
                if not (partial and n >= len(items) // 2):
                    raw = min(98.0, max(55.0, base + rng.gauss(0, 2.5)))
                    value = (Decimal(round(raw * 2)) / 2 * item.max_points / 100).quantize(Decimal("0.01"))
                sheet.scores.append(ItemScore(item_id=item.id, value=value))
            db.session.add(sheet)
