"""Time helpers: the database stores naive UTC; people read Beijing time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

BEIJING = timedelta(hours=8)


def utcnow() -> datetime:
    """Naive UTC now, the form every timestamp column stores."""
    return datetime.now(UTC).replace(tzinfo=None)


def beijing_today() -> date:
    """Today's date in Beijing, which is what deadlines written as dates mean."""
    return (utcnow() + BEIJING).date()


def to_beijing(value: datetime | None) -> datetime | None:
    return None if value is None else value + BEIJING


def beijing_midnight(day: date) -> datetime:
    """00:00 Beijing time of ``day`` as the naive UTC the database stores."""
    return datetime.combine(day, time()) - BEIJING
