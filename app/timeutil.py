"""Time helpers: the database stores naive UTC; people read Beijing time.

R-TIME-1: this module is the portal's one clock. Every "now" (deadlines, listing periods, draw
times, timestamps) is read through ``utcnow``/``beijing_today``, so a test — or the demo builder,
which plays last season in last year's dates — can set the clock in one place.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta

BEIJING = timedelta(hours=8)


def _system_utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Clock:
    """The season's clock (R-TIME-1): real time unless set; a set clock stands still or ticks from there.

    ``set`` is refused in a running app that is not TESTING (except inside a ``frozen_at`` block), so a
    production server never runs on a made-up date; ``frozen_at`` (a context manager) is for the demo
    builder and tests alike.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._fixed: datetime | None = None
        self._offset: timedelta | None = None
        self._depth = 0  # inside frozen_at(): the block's owner may move the clock

    def now(self) -> datetime:
        """Naive UTC now."""
        fixed, offset = self._fixed, self._offset
        if fixed is not None:
            return fixed
        real = _system_utcnow()
        return real + offset if offset is not None else real

    @property
    def is_set(self) -> bool:
        return self._fixed is not None or self._offset is not None

    def set(self, when: datetime, *, tick: bool = False) -> None:
        """Set now to ``when`` (naive UTC, or aware in any zone); ``tick`` lets time run on from there."""
        if not self._depth:
            _refuse_outside_tests()
        self._set(when, tick=tick)

    def set_beijing(self, when: datetime, *, tick: bool = False) -> None:
        """Set now to ``when`` read as Beijing wall-clock time (naive), e.g. 2026-12-02 21:30."""
        self.set(when - BEIJING if when.tzinfo is None else when, tick=tick)

    def advance(self, delta: timedelta) -> None:
        """Move the clock on by ``delta``, keeping whether it stands still or ticks."""
        self.set(self.now() + delta, tick=self._fixed is None)

    def reset(self) -> None:
        """Back to real time."""
        with self._lock:
            self._fixed = self._offset = None

    def _set(self, when: datetime, *, tick: bool) -> None:
        if when.tzinfo is not None:
            when = when.astimezone(UTC).replace(tzinfo=None)
        with self._lock:
            if tick:
                self._fixed, self._offset = None, when - _system_utcnow()
            else:
                self._fixed, self._offset = when, None

    @contextmanager
    def frozen_at(self, when: datetime, *, tick: bool = False) -> Iterator[Clock]:
        """Within the block now is ``when`` (naive UTC); the previous setting comes back afterwards."""
        with self._lock:
            saved = (self._fixed, self._offset)
            self._depth += 1
        self._set(when, tick=tick)
        try:
            yield self
        finally:
            with self._lock:
                self._fixed, self._offset = saved
                self._depth -= 1


def _refuse_outside_tests() -> None:
    from flask import current_app, has_app_context

    if has_app_context() and not current_app.config.get("TESTING"):
        raise RuntimeError("The clock can be set only in tests (TESTING) or inside clock.frozen_at().")


clock = Clock()
frozen_at = clock.frozen_at


def utcnow() -> datetime:
    """Naive UTC now, the form every timestamp column stores (R-TIME-1: read from ``clock``)."""
    return clock.now()


def beijing_now() -> datetime:
    """Beijing wall-clock now (naive)."""
    return utcnow() + BEIJING


def beijing_today() -> date:
    """Today's date in Beijing, which is what deadlines written as dates mean."""
    return beijing_now().date()


def to_beijing(value: datetime | None) -> datetime | None:
    return None if value is None else value + BEIJING


def beijing_midnight(day: date) -> datetime:
    """00:00 Beijing time of ``day`` as the naive UTC the database stores."""
    return datetime.combine(day, time()) - BEIJING


def beijing_at(day: date, hour: int, minute: int = 0) -> datetime:
    """``hour:minute`` Beijing time on ``day`` as the naive UTC the database stores."""
    return datetime.combine(day, time(hour, minute)) - BEIJING
