"""The rosters tests' competition: preliminary deadline 2026-12-02, so tests choose "today" either side of it."""

from __future__ import annotations

from datetime import date

import pytest

from app.competitions.models import StageKind
from app.extensions import db


@pytest.fixture
def comp(city, f):
    competition = f.gen_competition(deadlines={StageKind.PRELIMINARY: date(2026, 12, 2)})
    db.session.commit()
    return competition
