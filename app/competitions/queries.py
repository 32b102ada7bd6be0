"""Shared queries every domain uses: who competes where, and which competition a page shows."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.competitions.models import Competition, Entry, EntryStatus, Stage, StageEntrant, StageKind
from app.extensions import db


def competitors_stmt(stage: Stage) -> sa.Select:
    """Entries competing in ``stage``, ordered by entrant number.

    Preliminary: every entry whose status in force is 参赛 (a pending exemption still counts,
    R-ROS-4). Semifinal/final: the entries advanced into that stage (R-Q-*). Disqualified
    entries (R-PUB-2) never compete.
    """
    stmt = sa.select(Entry).where(
        Entry.competition_id == stage.competition_id, Entry.disqualified_at.is_(None)
    )
    if stage.kind == StageKind.PRELIMINARY:
        stmt = stmt.where(Entry.status == EntryStatus.COMPETING)
    else:
        stmt = stmt.join(StageEntrant, StageEntrant.entry_id == Entry.id).where(
            StageEntrant.stage_id == stage.id
        )
    return stmt.order_by(Entry.entrant_number)


def competitions_stmt() -> sa.Select:
    """Every competition, the newest season first (lists and the default choice)."""
    return sa.select(Competition).order_by(Competition.year.desc(), Competition.id.desc())


def chosen_competition(competition_id: int | None = None) -> Competition | None:
    """The competition a page asks for (``?competition=``), else the newest; None when there is none."""
    stages = selectinload(Competition.stages)  # every page reads a deadline or a stage switch
    if competition_id:
        return db.session.get(Competition, competition_id, options=[stages])
    return db.session.scalar(competitions_stmt().options(stages).limit(1))
