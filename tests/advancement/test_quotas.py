"""R-Q-1, R-Q-2, R-Q-3: worked examples of both rounding policies (per unit, largest remainder)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.advancement.quotas import Unit, allocate, largest_remainder, per_unit, round_half_up, split

R30, R60, R10 = Decimal("0.30"), Decimal("0.60"), Decimal("0.10")
SIX = [Unit(f"u{n}", f"C{i:02d}", n) for i, n in enumerate([0, 1, 2, 3, 5, 17])]


def figures(rows):
    return [(r.competitors, r.quota, r.recommended, r.drawn) for r in rows]


def test_round_half_up_is_exact_and_half_goes_up():
    assert [round_half_up(Decimal(x)) for x in ("0.4", "0.5", "1.5", "2.5", "8.4", "8.5", "0.49999")] == [
        0,
        1,
        2,
        3,
        8,
        9,
        0,
    ]


def test_r_q_3_per_unit_worked_examples_0_1_2_3_5_17():
    """R-Q-1 with R-Q-3 per unit: quota = round(30% × n), recommended = round(60% × quota), drawn = rest."""
    rows = per_unit(SIX, R30, R60)
    assert figures(rows) == [
        (0, 0, 0, 0),
        (1, 0, 0, 0),
        (2, 1, 1, 0),
        (3, 1, 1, 0),
        (5, 2, 1, 1),
        (17, 5, 3, 2),
    ]
    assert [r.exact for r in rows] == [
        Decimal("0.00"),
        Decimal("0.30"),
        Decimal("0.60"),
        Decimal("0.90"),
        Decimal("1.50"),
        Decimal("5.10"),
    ]
    assert rows[4].note == "1.5 四舍五入为 2"


def test_r_q_3_per_unit_overshoots_the_district_total():
    """28 competitors: 30% is 8.4 → 8 for the district, but the units' own roundings add up to 9."""
    rows = per_unit(SIX, R30, R60)
    assert sum(r.quota for r in rows) == 9
    assert round_half_up(R30 * 28) == 8


def test_r_q_3_largest_remainder_keeps_the_total_worked_example():
    """Floors 0,0,0,0,1,5 (Σ6); remainders .3 .6 .9 .5 .1 → the 2 places left go to n=3 (.9) and n=2 (.6).
    The split stays per unit: recommended = round(60% × unit quota), drawn = the rest."""
    rows = largest_remainder(SIX, R30, R60)
    assert figures(rows) == [
        (0, 0, 0, 0),
        (1, 0, 0, 0),
        (2, 1, 1, 0),
        (3, 1, 1, 0),
        (5, 1, 1, 0),
        (17, 5, 3, 2),
    ]
    assert sum(r.quota for r in rows) == 8 == round_half_up(R30 * 28)
    assert "获分配 1 名" in rows[3].note and "获分配 1 名" in rows[2].note and "获分配" not in rows[4].note


def test_r_q_3_largest_remainder_ties_go_to_the_larger_unit_then_the_smaller_code():
    # 15 and 5 both leave a remainder of .5 at 30% (4.5, 1.5); total 6 → one place left: the unit of 15 wins.
    rows = largest_remainder([Unit("a", "A", 5), Unit("b", "B", 15)], R30, R60)
    assert [r.quota for r in rows] == [1, 5]
    # equal size and remainder: the smaller code wins, whatever the input order
    rows = largest_remainder([Unit("b", "B", 5), Unit("a", "A", 5)], R30, R60)
    assert [(r.code, r.quota) for r in rows] == [("B", 1), ("A", 2)]


def test_r_q_2_final_quota_per_district_example():
    """R-Q-2: 10% of semifinal competitors per district; 60% recommended, 40% drawn."""
    districts = [Unit("d1", "D01", 57), Unit("d2", "D02", 44), Unit("d3", "D03", 25), Unit("d4", "D04", 38)]
    assert figures(per_unit(districts, R10, R60)) == [
        (57, 6, 4, 2),
        (44, 4, 2, 2),
        (25, 3, 2, 1),
        (38, 4, 2, 2),
    ]
    # total 164 → 16.4 → 16, whereas the districts' own roundings give 17
    # floors 5,4,2,3 (14), remainders .7 .4 .5 .8 → D04 and D01 get the two places left
    assert figures(largest_remainder(districts, R10, R60)) == [
        (57, 6, 4, 2),
        (44, 4, 2, 2),
        (25, 2, 1, 1),
        (38, 4, 2, 2),
    ]


def test_split_never_exceeds_the_quota():
    assert split(0, R60) == (0, 0)
    assert split(1, R60) == (1, 0)  # 0.6 → 1
    assert split(2, R60) == (1, 1)  # 1.2 → 1
    assert split(3, R60) == (2, 1)  # 1.8 → 2
    assert split(5, R60) == (3, 2)
    assert split(4, Decimal("1")) == (4, 0)


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        per_unit([Unit("x", "X", -1)], R30, R60)
    with pytest.raises(ValueError):
        allocate(SIX, R30, R60, "banana")
    with pytest.raises(ValueError):
        per_unit(SIX, 0.3, R60)  # floats never reach a rule


@given(
    st.lists(st.integers(0, 400), max_size=40),
    st.sampled_from([Decimal("0.30"), Decimal("0.10"), Decimal("0.25"), Decimal("0.333")]),
)
def test_largest_remainder_total_is_round_of_ratio_times_total(counts, ratio):
    units = [Unit(f"u{i}", f"C{i:03d}", n) for i, n in enumerate(counts)]
    rows = largest_remainder(units, ratio, R60)
    assert sum(r.quota for r in rows) == round_half_up(ratio * sum(counts))
    for r in rows:
        assert 0 <= r.quota <= r.competitors
        assert r.recommended + r.drawn == r.quota and r.drawn >= 0
        assert abs(Decimal(r.quota) - r.exact) < 1
