"""What the judging screens read: each page's rows in a fixed number of queries, whatever the size
of the city. No state changes here (those are in services)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from app.auth.models import User
from app.competitions.models import Competition, Stage, StageKind
from app.extensions import db
from app.judging import services
from app.judging.models import Appearance, Panel, PanelJudge, ScoreSheet, SheetStatus
from app.judging.results import EntryResult, sheet_totals, stage_results
from app.judging.scoring import judge_spread, round_score
from app.orgs.models import District, School
from app.roles import Role
from app.rosters.models import Entry

# ---------------------------------------------------------------- the judge's queue (R-SCORE-2)


@dataclass
class QueueRow:
    appearance: Appearance
    state: str  # "submitted" | "draft" | "todo"
    current: bool  # the number on the room display now (R-X-3)
    who: services.Identity | None  # R-X-1: None on a blind stage
    others: list[ScoreSheet] = field(default_factory=list)  # for the head: the others' submitted sheets


@dataclass
class QueuePanel:
    panel: Panel
    head: bool  # 评委组长 of an open panel: may switch the display and amend (R-SCORE-2)
    done: int  # sheets I submitted
    total: int  # teachers in the panel
    venue: str | None  # R-X-1
    rows: list[QueueRow] = field(default_factory=list)


@dataclass
class Queue:
    active: list[QueuePanel]
    closed: list[QueuePanel]


def judge_queue(user: User) -> Queue:
    """R-SCORE-2: the judge's panels, open first, each with its queue in order of appearance.

    Three queries whatever the number of panels: the panels (with my counts), the ordered
    appearances of the panels still running, and the sheets of those panels I may see. A finished
    panel is only counted, never loaded row by row.
    """
    mine = sa.and_(ScoreSheet.judge_id == user.id, ScoreSheet.status == SheetStatus.SUBMITTED)
    done = (
        sa.select(sa.func.count(ScoreSheet.id)).where(ScoreSheet.panel_id == Panel.id, mine).scalar_subquery()
    )
    total = sa.select(sa.func.count(Appearance.id)).where(Appearance.panel_id == Panel.id).scalar_subquery()
    rows = db.session.execute(
        sa.select(Panel, PanelJudge.is_head, done.label("done"), total.label("total"))
        .join(PanelJudge, sa.and_(PanelJudge.panel_id == Panel.id, PanelJudge.user_id == user.id))
        .options(joinedload(Panel.stage), joinedload(Panel.subject), joinedload(Panel.unit_school))
        .order_by(Panel.id)
    ).all()
    panels = [
        QueuePanel(p, bool(is_head) and p.is_open, n_done, n_total, services.venue_for_judge(p))
        for p, is_head, n_done, n_total in rows
    ]
    active = sorted(
        (q for q in panels if not q.panel.is_closed), key=lambda q: (not q.panel.is_open, q.panel.id)
    )
    if active:
        by_panel = {q.panel.id: q for q in active}
        appearances = db.session.scalars(
            sa.select(Appearance)
            .where(Appearance.panel_id.in_(by_panel), Appearance.position.is_not(None))
            .options(joinedload(Appearance.entry).joinedload(Entry.school))
            .order_by(Appearance.panel_id, Appearance.position)
        ).all()
        headed = [pid for pid, q in by_panel.items() if q.head]
        sheets = db.session.scalars(
            sa.select(ScoreSheet)
            .where(
                ScoreSheet.panel_id.in_(by_panel),
                sa.or_(
                    ScoreSheet.judge_id == user.id,
                    sa.and_(ScoreSheet.panel_id.in_(headed), ScoreSheet.status == SheetStatus.SUBMITTED),
                ),
            )
            .options(joinedload(ScoreSheet.judge))
            .order_by(ScoreSheet.judge_id)
        ).all()
        own = {(s.panel_id, s.entry_id): s for s in sheets if s.judge_id == user.id}
        others: dict[tuple[int, int], list[ScoreSheet]] = defaultdict(list)
        for s in sheets:
            if s.judge_id != user.id:
                others[(s.panel_id, s.entry_id)].append(s)
        for a in appearances:
            q = by_panel[a.panel_id]
            s = own.get((a.panel_id, a.entry_id))
            state = (
                "submitted" if s is not None and s.is_submitted else ("draft" if s is not None else "todo")
            )
            q.rows.append(
                QueueRow(
                    a,
                    state,
                    q.panel.current_position == a.position,
                    services.identity_for_judge(a.entry, q.panel.stage),
                    others.get((a.panel_id, a.entry_id), []),
                )
            )
    closed = [q for q in panels if q.panel.is_closed]
    return Queue(active, closed)


# ---------------------------------------------------------------- organisers


def visible_panels(competition: Competition, user: User) -> list[Panel]:
    """Every panel of the competition the user manages (R-ROLE-1), in stage order."""
    return db.session.scalars(
        sa.select(Panel)
        .join(Stage, Stage.id == Panel.stage_id)
        .where(Stage.competition_id == competition.id, services.panels_scope_clause(user))
        .options(
            selectinload(Panel.stage),
            selectinload(Panel.subject),
            selectinload(Panel.unit_school),
            selectinload(Panel.district),
            selectinload(Panel.judges),
            selectinload(Panel.appearances),
        )
        .order_by(Stage.position, Panel.id)
    ).all()


def progress_counts(panel_ids: list[int]) -> dict[int, tuple[int, int]]:
    """panel → (submitted sheets, drafts), one aggregate query."""
    rows = (
        db.session.execute(
            sa.select(ScoreSheet.panel_id, ScoreSheet.status, sa.func.count())
            .where(ScoreSheet.panel_id.in_(panel_ids))
            .group_by(ScoreSheet.panel_id, ScoreSheet.status)
        ).all()
        if panel_ids
        else []
    )
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for panel_id, status, n in rows:
        counts[panel_id][0 if status == SheetStatus.SUBMITTED else 1] += n
    return {k: (v[0], v[1]) for k, v in counts.items()}


def preliminary_units(user: User) -> list[School]:
    """R-ORG-2: the schools that organise a preliminary (central schools, township junior schools and
    any other school with no central school, never a district-seat school) that ``user`` manages."""
    units = db.session.scalars(
        sa.select(School)
        .where(School.central_school_id.is_(None), ~School.is_seat, user.school_scope_clause())
        .order_by(School.code)
    ).all()
    return [u for u in units if services.can_manage_unit(user, u)]


def creatable(competition: Competition, user: User) -> list[tuple[Stage, list[School], list[District]]]:
    """What ``user`` may create panels for, per stage: (stage, unit schools, districts)."""
    options = []
    for stage in competition.stages:
        if stage.kind == StageKind.PRELIMINARY:
            options.append((stage, preliminary_units(user), []))
        elif stage.kind == StageKind.SEMIFINAL and user.role in (Role.CITY_ADMIN, Role.DISTRICT_ADMIN):
            districts = db.session.scalars(sa.select(District).order_by(District.code)).all()
            options.append((stage, [], [d for d in districts if user.can_manage_district(d.id)]))
        elif stage.kind == StageKind.FINAL and user.role == Role.CITY_ADMIN:
            options.append((stage, [], []))
    return options


def own_form_stages(competition: Competition, user: User) -> list[Stage]:
    """R-FORM-1: the preliminary stages a school admin may give their unit's own form (none for others)."""
    if (
        user.role != Role.SCHOOL_ADMIN
        or user.school is None
        or not services.can_manage_unit(user, user.school)
    ):
        return []
    return [s for s in competition.stages if s.kind == StageKind.PRELIMINARY]


def panel_results(panel: Panel) -> dict[int, EntryResult]:
    """R-SCORE-3 / R-RANK-1 results of the panel's competitors, ranked over the whole stage."""
    return {
        r.entry_id: r for r in stage_results(panel.stage, entry_ids=[a.entry_id for a in panel.appearances])
    }


def panel_grid(panel: Panel):
    """Sheets of the panel by (judge, entry) with their totals as shown, and the spread per judge."""
    sheets = db.session.scalars(sa.select(ScoreSheet).where(ScoreSheet.panel_id == panel.id)).all()
    totals: dict[int, Fraction] = sheet_totals([s.id for s in sheets])
    grid = {(s.judge_id, s.entry_id): (s, round_score(totals[s.id])) for s in sheets}
    spread = judge_spread({(s.judge_id, s.entry_id): totals[s.id] for s in sheets if s.is_submitted})
    return grid, spread


def judge_candidates(panel: Panel) -> list[User]:
    """Active judge accounts not yet in the panel, by name."""
    assigned = {pj.user_id for pj in panel.judges}
    users = db.session.scalars(
        sa.select(User)
        .where(User.role == Role.JUDGE, User.active)
        .options(selectinload(User.school))
        .order_by(User.display_name)
    ).all()
    return [u for u in users if u.id not in assigned]


def ordered_appearances(panel: Panel) -> list[Appearance]:
    return sorted(
        panel.appearances, key=lambda a: (a.position is None, a.position or 0, a.entry.entrant_number)
    )
