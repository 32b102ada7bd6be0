"""The draw clock for tests (R-DRAW-1, R-TIME-1): announce for an event ahead, perform after it."""

from __future__ import annotations

from datetime import datetime, timedelta

from app import timeutil

# far enough ahead that every announcement made while a test runs is for a future event
EVENT_AT = timeutil.utcnow().replace(second=0, microsecond=0) + timedelta(days=30)
AFTER_EVENT = EVENT_AT + timedelta(minutes=1)


def move_clock(monkeypatch, moment: datetime) -> None:
    """Set "now" (naive UTC) for everything that reads ``app.timeutil.utcnow()`` at call time."""
    monkeypatch.setattr(timeutil, "utcnow", lambda: moment)


def beijing_form(moment: datetime) -> dict[str, str]:
    """The announce form's date and time fields (Beijing time) for a naive-UTC moment."""
    local = timeutil.to_beijing(moment)
    return {"event_date": local.date().isoformat(), "event_time": local.strftime("%H:%M")}
