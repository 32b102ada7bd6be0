"""Which competition a page shows: one chooser for every domain."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.competitions.models import Competition
from app.extensions import db


def competitions_stmt() -> sa.Select:
    """Every competition, the newest season first (lists and the default choice)."""
    return sa.select(Competition).order_by(Competition.year.desc(), Competition.id.desc())


def chosen_competition(competition_id: int | None = None) -> Competition | None:
    """The competition a page asks for (``?competition=``), else the newest; None when there is none."""
    stages = selectinload(Competition.stages)  # every page reads a deadline or a stage switch
    if competition_id:
        return db.session.get(Competition, competition_id, options=[stages])
    return db.session.scalar(competitions_stmt().options(stages).limit(1))
