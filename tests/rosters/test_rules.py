"""Worked examples of the pure roster rules: R-GRP-1, R-GRP-2, R-ROS-1, R-ROS-3, R-ROS-4, R-ROS-5."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from app.competitions.models import Competition, Group, Level, Stage, StageKind
from app.competitions.rules import group_for
from app.rosters import rules
from app.rosters.models import EntryStatus


def _competition(**kw) -> Competition:
    c = Competition(
        name="t",
        year=kw.pop("year", 2026),
        youth_cutoff=date(1980, 1, 1),
        award_window_years=5,
        retire_male_before=date(1965, 9, 1),
        retire_female_before=date(1970, 9, 1),
        **kw,
    )
    c.stages = [Stage(kind=StageKind.PRELIMINARY, position=0, deadline=date(2026, 12, 2))]
    return c


@pytest.mark.parametrize(
    "birth, level, group",
    [
        (date(1980, 1, 1), Level.PRIMARY, Group.PRIMARY_YOUTH),  # born on the cutoff day → youth
        (date(1980, 1, 1), Level.JUNIOR, Group.JUNIOR_YOUTH),
        (date(1979, 12, 31), Level.PRIMARY, Group.SENIOR),  # one day earlier → 中老年组, whatever the level
        (date(1979, 12, 31), Level.JUNIOR, Group.SENIOR),
        (date(1995, 7, 7), Level.JUNIOR, Group.JUNIOR_YOUTH),
    ],
)
def test_r_grp_1_group_boundary(birth, level, group):
    assert group_for(birth, level, date(1980, 1, 1)) == group


def test_r_grp_1_cutoff_is_configurable():
    assert group_for(date(1982, 5, 1), Level.PRIMARY, date(1985, 1, 1)) == Group.SENIOR


def test_r_grp_2_central_and_non_central_are_separate_teams():
    assert rules.team_of(SimpleNamespace(is_central=True)) == "中心校"
    assert rules.team_of(SimpleNamespace(is_central=False)) == "非中心校"


@pytest.mark.parametrize(
    "birth, sex, near",
    [
        (date(1965, 8, 31), "男", True),  # born before 1965-09-01 → fewer than five years to retirement
        (date(1965, 9, 1), "男", False),  # born on the date itself → not near retirement
        (date(1970, 8, 31), "女", True),
        (date(1970, 9, 1), "女", False),
        (date(1968, 1, 1), "男", False),  # a man born in 1968 is not, a woman is
        (date(1968, 1, 1), "女", True),
    ],
)
def test_r_ros_4_retirement_boundary(birth, sex, near):
    assert rules.near_retirement(birth, sex, _competition()) is near


def test_r_ros_4_retirement_dates_are_configurable():
    c = _competition()
    c.retire_male_before = date(1966, 1, 1)
    assert rules.near_retirement(date(1965, 12, 31), "男", c)


@pytest.mark.parametrize(
    "year, counts", [(2022, True), (2026, True), (2021, False), (2027, False), (None, False)]
)
def test_r_ros_3_award_window_of_five_years(year, counts):
    assert rules.award_in_window(year, 2026, 5) is counts


def test_r_ros_3_exclusion_reasons_name_the_award_and_year():
    c = _competition()
    assert (
        rules.exclusion_reason(school_is_seat=True, award_name=None, award_year=None, competition=c)
        == "区政府所在地学校教师"
    )
    reason = rules.exclusion_reason(
        school_is_seat=False, award_name="2024年东山县教学技能大赛一等奖", award_year=2024, competition=c
    )
    assert "2024年东山县教学技能大赛一等奖" in reason and "（2024年）" in reason
    assert (
        rules.exclusion_reason(
            school_is_seat=False, award_name="2020年一等奖", award_year=2020, competition=c
        )
        is None
    )
    c.award_window_years = 7
    assert rules.exclusion_reason(
        school_is_seat=False, award_name="2020年一等奖", award_year=2020, competition=c
    )


def test_r_ros_1_status_in_force():
    assert rules.status_in_force(exclusion=None, exemption_approved=False) == (EntryStatus.COMPETING, None)
    assert rules.status_in_force(exclusion=None, exemption_approved=True)[0] == EntryStatus.EXEMPT
    assert (
        rules.status_in_force(exclusion="区政府所在地学校教师", exemption_approved=True)[0]
        == EntryStatus.EXCLUDED
    )


@pytest.mark.parametrize(
    "listed, competing, excluded, rate",
    [
        (40, 35, 3, Decimal("0.9459")),  # 35 / 37 = 0.945945… → 94.59 %
        (10, 10, 0, Decimal("1.0000")),
        (3, 1, 0, Decimal("0.3333")),
        (8, 5, 0, Decimal("0.6250")),
        (50, 0, 50, None),  # a seat school: nobody in scope, no rate
        (0, 0, 0, None),
    ],
)
def test_r_ros_1_participation_rate(listed, competing, excluded, rate):
    assert rules.participation_rate(listed=listed, competing=competing, excluded=excluded) == rate


def test_r_ros_1_rate_rounds_half_up_once():
    # 1/16 = 0.0625 exactly at 4 places; 1/32 = 0.03125 → half up → 0.0313 (banker's rounding would give 0.0312)
    assert rules.participation_rate(listed=32, competing=1, excluded=0) == Decimal("0.0313")


@pytest.mark.parametrize(
    "today, locked", [(date(2026, 12, 2), False), (date(2026, 12, 3), True), (date(2026, 11, 1), False)]
)
def test_r_ros_5_lock_starts_the_day_after_the_preliminary_deadline(today, locked):
    assert rules.roster_locked(_competition(), today) is locked


def test_r_ros_5_no_deadline_no_lock():
    c = _competition()
    c.stages[0].deadline = None
    assert not rules.roster_locked(c, date(2100, 1, 1))


def test_r_ros_5_on_time_is_judged_in_beijing_time():
    deadline = date(2026, 12, 2)
    assert rules.on_time(datetime(2026, 12, 2, 15, 59), deadline)  # 23:59 Beijing on the day
    assert not rules.on_time(datetime(2026, 12, 2, 16, 0), deadline)  # 00:00 Beijing the next day
    assert not rules.on_time(None, deadline)
