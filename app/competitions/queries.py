"""Which competition a page shows: one chooser for every domain."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from app.competitions.models import Competition
from app.errors import get_or_raise
from app.extensions import db


def competitions_stmt() -> sa.Select:
    """Every competition, the newest season first (lists and the default choice)."""
    return sa.select(Competition).order_by(Competition.year.desc(), Competition.id.desc())


def chosen_competition(
    competition_id: int | None = None, *, with_subjects: bool = False
) -> Competition | None:
    """The one chooser of "which competition" for every view.

    With ``competition_id`` (a URL's ``<competition_id>`` or a page's ``?competition=``): that
    competition, or NotFound (404) when there is none such. Without: the newest season, or None when
    no competition exists yet. Its stages come with it in the same query (every page reads a deadline
    or a stage switch); ``with_subjects`` loads the subjects too, so roster rows find theirs without SQL.
    """
    subjects = [selectinload(Competition.subjects)] if with_subjects else []
    if competition_id:
        options = [joinedload(Competition.stages), *subjects]
        return get_or_raise(Competition, competition_id, "赛事不存在。", options=options)
    stmt = competitions_stmt().options(selectinload(Competition.stages), *subjects).limit(1)
    return db.session.scalar(stmt)
