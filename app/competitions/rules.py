"""Pure rules of §2 (no database)."""

from __future__ import annotations

from datetime import date

from app.competitions.models import Group, Level


def group_for(birth_date: date, level: Level, youth_cutoff: date) -> Group:
    """R-GRP-1: born on or after the cutoff → youth group of the subject's level; before it → 中老年组.

    >>> group_for(date(1980, 1, 1), Level.PRIMARY, date(1980, 1, 1)).label
    '小学青年组'
    >>> group_for(date(1979, 12, 31), Level.JUNIOR, date(1980, 1, 1)).label
    '中老年组'
    """
    if birth_date < youth_cutoff:
        return Group.SENIOR
    return Group.PRIMARY_YOUTH if level == Level.PRIMARY else Group.JUNIOR_YOUTH
