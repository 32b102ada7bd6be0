"""Pure roster rules of SPEC §3 (no database): exclusions, retirement, participation, the deadline lock."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from app.competitions.models import Competition, StageKind
from app.rosters.models import EntryStatus
from app.timeutil import BEIJING, beijing_today

SEAT_REASON = "区政府所在地学校教师"
RATE_PLACES = Decimal("0.0001")  # a rate is kept to 0.01 %


def award_in_window(award_year: int | None, competition_year: int, window_years: int) -> bool:
    """R-ROS-3: a first prize counts when won in the ``window_years`` years up to the competition's year.

    With the default window of 5 and a 2026 competition, 2022–2026 count and 2021 does not.
    """
    if award_year is None:
        return False
    return competition_year - window_years < award_year <= competition_year


def exclusion_reason(
    *, school_is_seat: bool, award_name: str | None, award_year: int | None, competition: Competition
) -> str | None:
    """R-ROS-3: why a teacher is 不在参赛范围, or None when they are in scope.

    Seat-school teachers are excluded; so is a teacher whose first prize (county level or higher) falls
    in the configured window — the reason names the award and its year.
    """
    if school_is_seat:
        return SEAT_REASON
    if award_name and award_in_window(award_year, competition.year, competition.award_window_years):
        return f"近{competition.award_window_years}年获县级及以上教学技能比赛一等奖：{award_name}（{award_year}年）"
    return None


def near_retirement(birth_date: date, sex: str, competition: Competition) -> bool:
    """R-ROS-4: fewer than five years to retirement = born *before* the configured date for the sex.

    Defaults: 男 before 1965-09-01, 女 before 1970-09-01. Born on the date itself is not near retirement.
    """
    limit = competition.retire_male_before if sex == "男" else competition.retire_female_before
    return birth_date < limit


def status_in_force(*, exclusion: str | None, exemption_approved: bool) -> tuple[EntryStatus, str | None]:
    """R-ROS-1: the status a row carries — excluded beats exempted; a pending exemption stays 参赛 (R-ROS-4)."""
    if exclusion:
        return EntryStatus.EXCLUDED, exclusion
    if exemption_approved:
        return EntryStatus.EXEMPT, "免赛（区县已批准）"
    return EntryStatus.COMPETING, None


def participation_rate(*, listed: int, competing: int, excluded: int) -> Decimal | None:
    """R-ROS-1: competing / (listed − excluded), rounded once, half up, to 0.01 %; None with no one in scope.

    E.g. 40 listed, 3 excluded, 35 competing → 35/37 = 0.9459.
    """
    in_scope = listed - excluded
    if in_scope <= 0:
        return None
    return (Decimal(competing) / Decimal(in_scope)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def roster_deadline(competition: Competition) -> date | None:
    """R-ROS-5: the roster closes with the preliminary stage's deadline (a Beijing date, inclusive)."""
    return next((s.deadline for s in competition.stages if s.kind == StageKind.PRELIMINARY), None)


def roster_locked(competition: Competition, today: date | None = None) -> bool:
    """R-ROS-5: locked for schools from the day after the preliminary deadline (Beijing time)."""
    deadline = roster_deadline(competition)
    if deadline is None:
        return False
    return (today or beijing_today()) > deadline


def on_time(uploaded_at: datetime | None, deadline: date | None) -> bool:
    """R-ROS-5 / R-AW-3: a stamped list uploaded (UTC) on or before the deadline day in Beijing is on time."""
    if uploaded_at is None:
        return False
    if deadline is None:
        return True
    return (uploaded_at + BEIJING).date() <= deadline


def team_of(school) -> str:
    """R-GRP-2: central schools and non-central schools form separate teams (中心校及非中心校分别组队)."""
    return "中心校" if school.is_central else "非中心校"
