"""Worked examples of R-FORM-1, R-SCORE-1, R-SCORE-3 and R-RANK-1 (pure functions)."""

from decimal import Decimal as D
from fractions import Fraction

import pytest

from app.errors import DomainError
from app.judging.scoring import (
    FINAL_ITEMS,
    PRELIMINARY_ITEMS,
    aggregate,
    judge_total,
    parse_score,
    rank_entries,
    round_score,
    validate_form,
    weighted_total,
)

PRELIM = [(D("100"), D("10")), (D("100"), D("10")), (D("100"), D("30")), (D("100"), D("50"))]


def total(*scores):
    return weighted_total([(D(s) if s is not None else None, m, w) for s, (m, w) in zip(scores, PRELIM)])


class TestWeightedTotal:
    """R-SCORE-1: Σ score/max × weight, exact, rounded half up once at the end."""

    def test_preliminary_form_worked_example(self):
        # 9 + 8.5 + 26.4 + 43.25
        assert total("90", "85", "88", "86.5") == Fraction("87.15")
        assert round_score(total("90", "85", "88", "86.5")) == D("87.15")

    def test_half_point_on_a_15_percent_item_gives_three_decimals_rounded_half_up_once(self):
        final = [(D("100"), D("15")), (D("100"), D("15")), (D("100"), D("70"))]
        exact = weighted_total([(D("90.5"), *final[0]), (D("80"), *final[1]), (D("85"), *final[2])])
        assert exact == Fraction("13.575") + 12 + Fraction("59.5")  # 85.075
        assert round_score(exact) == D("85.08")  # half up, not banker's 85.08 vs 85.07

    def test_non_hundred_max_stays_exact_until_the_end(self):
        # 10 of 30 points at weight 10 is exactly 10/3; three such items are exactly 10, not 9.99
        items = [(D("10"), D("30"), D("10"))] * 3
        assert weighted_total(items) == 10
        assert round_score(weighted_total(items)) == D("10.00")
        assert round_score(Fraction(10, 3)) == D("3.33")
        assert round_score(Fraction(2, 3)) == D("0.67")

    def test_round_half_up_boundaries(self):
        assert round_score(Fraction("87.125")) == D("87.13")
        assert round_score(Fraction("87.124999")) == D("87.12")
        assert round_score(Fraction("0.005")) == D("0.01")
        assert round_score(100) == D("100.00")

    def test_blank_items_count_zero_in_a_draft(self):
        assert total("100", None, None, None) == 10

    def test_full_marks_is_100(self):
        assert round_score(total("100", "100", "100", "100")) == D("100.00")

    def test_judge_total_where_float_arithmetic_rounds_the_other_way(self):
        """R-SCORE-1: 6 + 9.325 + 18.9 + 43.25 = 77.475 exactly → 77.48 (floats: 77.4749… → 77.47);
        the tablet's live figure (judging.js) must give the same, see tests/browser/test_judging.py."""
        scores = [(D(v), m, w) for v, (m, w) in zip(("60", "93.25", "63", "86.5"), PRELIM)]
        assert weighted_total(scores) == Fraction("77.475")
        assert judge_total(scores) == D("77.48")
        assert round(60 / 100 * 10 + 93.25 / 100 * 10 + 63 / 100 * 30 + 86.5 / 100 * 50, 2) == 77.47
        assert judge_total(
            [
                (D("22"), *PRELIM[0]),
                (D("93.25"), *PRELIM[1]),
                (D("10.25"), *PRELIM[2]),
                (D("41.75"), *PRELIM[3]),
            ]
        ) == D("35.48")  # 35.475
        assert judge_total([(D("10"), D("30"), D("10")), (None, D("100"), D("90"))]) == D("3.33")

    def test_default_forms_sum_to_100(self):
        assert sum(w for _, w, _ in PRELIMINARY_ITEMS) == 100
        assert sum(w for _, w, _ in FINAL_ITEMS) == 100
        assert [n for n, _, f in FINAL_ITEMS if f] == ["特色项目展示"]


class TestParseScore:
    def test_accepts_decimals_within_range(self):
        assert parse_score("86.5", D("100")) == D("86.50")
        assert parse_score(" 0 ", D("100")) == D("0.00")
        assert parse_score("", D("100")) is None
        assert parse_score("86，5", D("100")) == D("86.50")  # Chinese keyboard comma

    @pytest.mark.parametrize(
        "text, message",
        [
            ("101", "0 到 100 之间"),
            ("-1", "0 到 100 之间"),
            ("abc", "不是数字"),
            ("8.555", "两位小数"),
            ("NaN", "不是数字"),
            ("Infinity", "不是数字"),
        ],
    )
    def test_refuses_with_the_reason(self, text, message):
        with pytest.raises(DomainError, match=message):
            parse_score(text, D("100"), "课堂教学")


class TestValidateForm:
    """R-FORM-1: a school's own preliminary form must still sum to exactly 100%."""

    def test_default_accepted(self):
        validate_form([(n, w, D("100")) for n, w, _ in PRELIMINARY_ITEMS])

    def test_adding_putonghua_without_reweighting_is_refused_with_the_sum(self):
        rows = [(n, w, D("100")) for n, w, _ in PRELIMINARY_ITEMS] + [("普通话", D("10"), D("100"))]
        with pytest.raises(DomainError, match="正好为 100%，当前为 110%"):
            validate_form(rows)

    def test_reweighted_with_putonghua_accepted(self):
        validate_form(
            [
                ("书写技能", D("10"), D("100")),
                ("学科经典案例展示", D("10"), D("100")),
                ("教学设计与科技运用", D("25"), D("100")),
                ("课堂教学", D("45"), D("100")),
                ("普通话", D("10"), D("20")),
            ]
        )

    def test_fractional_weights_must_hit_exactly_100(self):
        validate_form(
            [("甲", D("33.33"), D("100")), ("乙", D("33.33"), D("100")), ("丙", D("33.34"), D("100"))]
        )
        with pytest.raises(DomainError, match="当前为 99.99%"):
            validate_form(
                [("甲", D("33.33"), D("100")), ("乙", D("33.33"), D("100")), ("丙", D("33.33"), D("100"))]
            )

    @pytest.mark.parametrize(
        "rows, message",
        [
            ([], "至少需要一个"),
            ([("甲", D("50"), D("100")), ("甲", D("50"), D("100"))], "名称重复：甲"),
            ([("甲", D("0"), D("100")), ("乙", D("100"), D("100"))], "权重必须大于 0"),
            ([("甲", D("100"), D("0"))], "满分必须大于 0"),
            ([(" ", D("100"), D("100"))], "需要名称"),
        ],
    )
    def test_other_refusals(self, rows, message):
        with pytest.raises(DomainError, match=message):
            validate_form(rows)


def agg(values, threshold=5):
    result = aggregate([Fraction(v) for v in values], threshold)
    return None if result is None else round_score(result)


class TestAggregate:
    """R-SCORE-3 with the default threshold of five judges."""

    def test_three_judges_plain_mean(self):
        assert agg(["80", "85", "90"]) == D("85.00")
        assert agg(["80", "85", "86"]) == D("83.67")  # 251/3 = 83.666…

    def test_four_judges_plain_mean(self):
        assert agg(["80", "85", "90", "91"]) == D("86.50")

    def test_five_judges_drop_one_highest_and_one_lowest(self):
        assert agg(["70", "80", "85", "90", "99"]) == D("85.00")

    def test_five_judges_with_tied_highest_and_lowest_drop_only_one_each(self):
        # sorted 80 80 85 90 90 → 80 85 90
        assert agg(["90", "90", "80", "80", "85"]) == D("85.00")

    def test_seven_judges(self):
        # sorted 60 82 83 84 85 86 99 → 82..86 mean 84
        assert agg(["99", "82", "60", "85", "83", "86", "84"]) == D("84.00")
        # all equal: trimming changes nothing
        assert agg(["88.5"] * 7) == D("88.50")

    def test_mean_of_unrounded_totals_rounded_once(self):
        # three judges' exact totals 85.075, 85.075, 85.074: rounded first they would be 85.08, 85.08, 85.07
        # (mean 85.0766… → 85.08); exact mean 85.0746… → 85.07
        assert agg(["85.075", "85.075", "85.074"]) == D("85.07")

    def test_threshold_is_configurable(self):
        assert agg(["80", "85", "90", "91"], threshold=4) == D("87.50")  # 85, 90
        assert agg(["70", "80", "85", "90", "99"], threshold=6) == D("84.80")

    def test_no_sheets_no_aggregate(self):
        assert aggregate([], 5) is None


class TestRankEntries:
    """R-RANK-1: aggregate desc; ties by the highest-weight item's aggregate, then the next; 1, 2, 2, 4."""

    def test_plain_competition_ranking(self):
        rows = [("a", D("90"), ()), ("b", D("88"), ()), ("c", D("88"), ()), ("d", D("80"), ())]
        assert rank_entries(rows) == {"a": 1, "b": 2, "c": 2, "d": 4}

    def test_tie_broken_at_first_item(self):
        rows = [
            ("a", D("90"), (D("45"), D("27"))),
            ("b", D("88"), (D("45"), D("26"))),
            ("c", D("88"), (D("44"), D("27"))),
            ("d", D("88"), (D("45"), D("26"))),
        ]
        assert rank_entries(rows) == {"a": 1, "b": 2, "d": 2, "c": 4}

    def test_tie_broken_at_second_item(self):
        rows = [
            ("a", D("88"), (D("44"), D("27"))),
            ("b", D("88"), (D("44"), D("26.5"))),
            ("c", D("88"), (D("44"), D("27.5"))),
        ]
        assert rank_entries(rows) == {"c": 1, "a": 2, "b": 3}

    def test_tie_broken_at_third_item_then_still_equal(self):
        rows = [
            ("a", D("88"), (D("44"), D("26"), D("9"))),
            ("b", D("88"), (D("44"), D("26"), D("9.5"))),
            ("c", D("88"), (D("44"), D("26"), D("9"))),
            ("e", D("70"), (D("35"), D("20"), D("8"))),
        ]
        assert rank_entries(rows) == {"b": 1, "a": 2, "c": 2, "e": 4}

    def test_no_aggregate_no_rank(self):
        assert rank_entries([("a", None, ()), ("b", D("80"), ())]) == {"a": None, "b": 1}


def test_judge_spread_shows_the_outlier():
    from app.judging.scoring import judge_spread

    totals = {
        ("a", 1): Fraction(80),
        ("b", 1): Fraction(90),
        ("c", 1): Fraction(100),
        ("a", 2): Fraction(70),
        ("b", 2): Fraction(75),
        ("c", 2): Fraction(95),
    }
    spread = judge_spread(totals)
    # teacher means 90 and 80: c is +10 and +15 above → +12.5
    assert spread["c"] == (2, Fraction("97.5"), Fraction("12.5"))
    assert spread["a"] == (2, Fraction(75), Fraction("-10"))
    assert spread["b"][2] == Fraction("-2.5")
