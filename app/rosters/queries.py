"""Who competes in a stage: the one query judging, advancement, public and awards read."""

from __future__ import annotations

import sqlalchemy as sa

from app.competitions.models import Stage, StageKind
from app.rosters.models import Entry, EntryStatus, StageEntrant


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
