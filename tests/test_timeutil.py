"""R-TIME-1: one clock that tests can set; every deadline reads it (Beijing time)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from app.competitions.models import StageKind
from app.errors import DomainError
from app.rosters import rules, services
from app.timeutil import beijing_today, frozen_at, utcnow
from app.timeutil import clock as the_clock


def test_roster_deadline_flips_when_the_clock_passes_midnight_in_beijing_R_TIME_1(f, city, clock):
    """R-TIME-1 / R-ROS-5: open all of 2026-12-02 (Beijing), locked from 00:00 on 12-03 (= 16:00 UTC 12-02)."""
    competition = f.gen_competition(deadlines={StageKind.PRELIMINARY: date(2026, 12, 2)})
    clock.set_beijing(datetime(2026, 12, 2, 23, 59))
    assert beijing_today() == date(2026, 12, 2) and utcnow() == datetime(2026, 12, 2, 15, 59)
    assert not rules.roster_locked(competition)
    assert services.edit_check(city.school_admin, competition) is False
    clock.advance(timedelta(minutes=1))
    assert beijing_today() == date(2026, 12, 3)
    assert rules.roster_locked(competition)
    with pytest.raises(DomainError, match="截止"):
        services.edit_check(city.school_admin, competition)
    clock.reset()
    assert abs(utcnow() - datetime.utcnow()) < timedelta(minutes=1)


def test_a_set_clock_stands_still_or_ticks_and_frozen_at_restores_it(app, clock):
    clock.set(datetime(2027, 3, 1, 0, 0))
    assert utcnow() == datetime(2027, 3, 1) and beijing_today() == date(2027, 3, 1)
    with frozen_at(datetime(2025, 12, 31, 16, 0)):
        assert beijing_today() == date(2026, 1, 1)
    assert utcnow() == datetime(2027, 3, 1)
    clock.set(datetime(2027, 3, 1), tick=True)
    assert datetime(2027, 3, 1) <= utcnow() < datetime(2027, 3, 1, 0, 1)


def test_the_clock_cannot_be_set_in_a_running_app_outside_tests(app):
    app.config["TESTING"] = False
    try:
        with pytest.raises(RuntimeError):
            the_clock.set(datetime(2030, 1, 1))
        with frozen_at(datetime(2030, 1, 1)):  # the demo builder's way: scoped, restored afterwards
            the_clock.advance(timedelta(days=1))
            assert utcnow() == datetime(2030, 1, 2)
    finally:
        app.config["TESTING"] = True
        the_clock.reset()
    assert utcnow().year < 2030
