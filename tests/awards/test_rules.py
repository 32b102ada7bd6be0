"""R-AW-1 prize counts with ties and R-AW-3 team ranking: worked examples of the pure rules."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.awards.rules import (
    TeamFigures,
    assign_prizes,
    deserves_organisation_award,
    prize_counts,
    rank_teams,
    round_count,
)

SEMI = [Decimal("0.20"), Decimal("0.30")]
FINAL = [Decimal("0.20"), Decimal("0.30"), Decimal("0.50")]


@pytest.mark.parametrize(
    "size, semifinal, final",
    [
        (0, [0, 0], [0, 0, 0]),
        (1, [0, 0], [0, 0, 1]),  # 0.2 → 0, 0.3 → 0, 0.5 → 1 (half up)
        (3, [1, 1], [1, 1, 2]),  # 0.6 → 1, 0.9 → 1, 1.5 → 2
        (5, [1, 2], [1, 2, 3]),  # 1.0, 1.5 → 2, 2.5 → 3
        (10, [2, 3], [2, 3, 5]),
        (17, [3, 5], [3, 5, 9]),  # 3.4 → 3, 5.1 → 5, 8.5 → 9
    ],
)
def test_prize_counts_round_half_up_r_aw_1(size, semifinal, final):
    assert prize_counts(size, SEMI) == semifinal
    assert prize_counts(size, FINAL) == final


def test_round_count_is_decimal_half_up_not_bankers():
    assert round_count(Decimal("0.5"), 1) == 1
    assert round_count(Decimal("0.25"), 10) == 3  # 2.5 → 3, where round() would give 2
    assert round_count(Decimal("0.30"), 5) == 2


def _prizes(ranks, size, ratios=SEMI):
    got = assign_prizes(dict(enumerate(ranks)), size, ratios)
    return [got.get(i) for i in range(len(ranks))]


def test_no_ties_ten_competitors():
    # 10 → 2 first, 3 second
    assert _prizes(range(1, 11), 10) == [0, 0, 1, 1, 1, None, None, None, None, None]


def test_tie_straddling_the_first_boundary_goes_up_whole_and_second_shrinks():
    # ranks 1, 2, 2, 2, 5, 6 …: places 1–2 are 一等奖, the three tied at 2 all get it; places 3–5 are
    # 二等奖, of which 3 and 4 went to the tie → only rank 5 gets 二等奖.
    ranks = [1, 2, 2, 2, 5, 6, 7, 8, 9, 10]
    assert _prizes(ranks, 10) == [0, 0, 0, 0, 1, None, None, None, None, None]


def test_tie_straddling_the_last_boundary_is_included_whole():
    # places 3–5 are 二等奖; ranks 5, 5, 5 share place 5 → all three get 二等奖 (7 prizes instead of 5).
    ranks = [1, 2, 3, 4, 5, 5, 5, 8, 9, 10]
    assert _prizes(ranks, 10) == [0, 0, 1, 1, 1, 1, 1, None, None, None]


def test_everybody_tied_everybody_gets_the_first_prize():
    assert _prizes([1] * 5, 5) == [0] * 5


def test_tie_just_outside_the_last_boundary_gets_nothing():
    ranks = [1, 2, 3, 4, 5, 6, 6, 8, 9, 10]
    assert _prizes(ranks, 10) == [0, 0, 1, 1, 1, None, None, None, None, None]


def test_teachers_without_result_get_none_but_count_towards_the_size():
    # 5 competitors (1 first, 2 second), two of them have no result yet.
    assert _prizes([1, 2, None, 3, None], 5) == [0, 1, None, 1, None]


def test_pool_of_one_gets_no_semifinal_prize_but_a_final_third_prize():
    assert _prizes([1], 1) == [None]
    assert _prizes([1], 1, FINAL) == [2]


def test_a_prize_that_rounds_to_zero_is_skipped_not_given_to_the_next_place():
    # 3 in the final: 1 first, 1 second, 2 third (0.6 → 1, 0.9 → 1, 1.5 → 2): all three get a prize.
    assert _prizes([1, 2, 3], 3, FINAL) == [0, 1, 2]
    # 2 in the semifinal: 0.4 → 0 first prizes, 0.6 → 1 second prize, for rank 1.
    assert _prizes([1, 2], 2) == [1, None]


def test_seventeen_with_a_tie_at_rank_three():
    ranks = [1, 2, 3, 3, 5, 6, 7, 8] + list(range(9, 18))
    got = _prizes(ranks, 17)
    assert got[:4] == [0, 0, 0, 0]  # 3 first prizes, the tie at 3 takes 4
    assert got[4:8] == [1, 1, 1, 1]  # places 4–8 are second; place 4 is gone → ranks 5–8
    assert got[8:] == [None] * 9


# ---------------------------------------------------------------- R-AW-3 team ranking


def _t(key, competitors, prized, eligible):
    return TeamFigures(key, competitors, prized, eligible)


def test_team_ranking_worked_example_share_then_participation():
    # 5 schools, 20% → 1 place.
    teams = [
        _t("A", 4, 2, 5),  # 50%, participation 80%
        _t("B", 2, 1, 2),  # 50%, participation 100% → wins the tie on participation
        _t("C", 4, 1, 4),  # 25%
        _t("D", 10, 1, 10),  # 10%
        _t("E", 3, 0, 3),  # 0%
    ]
    places = rank_teams(teams, Decimal("0.20"))
    assert [(p.figures.key, p.rank, p.awarded) for p in places] == [
        ("B", 1, True),
        ("A", 2, False),
        ("C", 3, False),
        ("D", 4, False),
        ("E", 5, False),
    ]


def test_team_tie_at_the_boundary_is_included():
    teams = [_t("A", 4, 2, 4), _t("B", 2, 1, 2), _t("C", 4, 1, 4), _t("D", 4, 1, 4), _t("E", 4, 0, 4)]
    places = rank_teams(teams, Decimal("0.20"))
    assert [(p.figures.key, p.rank, p.awarded) for p in places] == [
        ("A", 1, True),
        ("B", 1, True),
        ("C", 3, False),
        ("D", 3, False),
        ("E", 5, False),
    ]


def test_team_without_prize_never_awarded_and_school_without_competitors_not_ranked():
    # 3 ranked schools → round(0.6) = 1 place, but nobody has a prize → nobody is awarded.
    teams = [_t("A", 3, 0, 3), _t("B", 2, 0, 4), _t("C", 5, 0, 5), _t("seat", 0, 0, 0)]
    places = rank_teams(teams, Decimal("0.20"))
    assert [p.figures.key for p in places] == ["A", "C", "B"]  # equal shares: participation decides
    assert [p.rank for p in places] == [1, 1, 3]
    assert not any(p.awarded for p in places)


def test_team_share_is_exact_not_float():
    # 1/3 vs 2/6 are equal exactly; participation 3/3 vs 6/7 decides.
    places = rank_teams([_t("X", 6, 2, 7), _t("Y", 3, 1, 3)], Decimal("0.50"))
    assert [(p.figures.key, p.rank, p.awarded) for p in places] == [("Y", 1, True), ("X", 2, False)]


def test_organisation_award_needs_all_three_conditions():
    assert deserves_organisation_award(True, 10, 10, 0)
    assert not deserves_organisation_award(True, 9, 10, 0)  # 90% participation
    assert not deserves_organisation_award(False, 10, 10, 0)  # late roster
    assert not deserves_organisation_award(None, 10, 10, 0)  # unknown → no
    assert not deserves_organisation_award(True, 10, 10, 1)  # an upheld objection
    assert not deserves_organisation_award(True, 0, 0, 0)  # nobody to take part
