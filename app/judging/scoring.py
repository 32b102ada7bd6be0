"""The scoring rules as pure functions (no database): R-FORM-1, R-SCORE-1, R-SCORE-3, R-RANK-1.

Arithmetic is exact: a judge's unrounded total is a ``Fraction`` (an item scored 10 of 30 points
with weight 10 is worth exactly 10/3), and rounding to two decimals, half up, happens once, on the
figure people read — a judge's total, or the aggregate (which is computed from the *unrounded*
totals and then rounded once). Rounding every judge's total first and averaging the rounded figures
would let a teacher gain or lose 0.01 through rounding alone.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from app.errors import DomainError

CENT = Decimal("0.01")
HUNDRED = Decimal("100")

# Default forms (R-FORM-1, R-FORM-2): (name, weight in %, featured item?)
PRELIMINARY_ITEMS: list[tuple[str, Decimal, bool]] = [
    ("书写技能", Decimal("10"), False),
    ("学科经典案例展示", Decimal("10"), False),
    ("教学设计与科技运用", Decimal("30"), False),
    ("课堂教学", Decimal("50"), False),
]
FINAL_ITEMS: list[tuple[str, Decimal, bool]] = [
    ("特色项目展示", Decimal("15"), True),
    ("现场问答", Decimal("15"), False),
    ("教学设计和微型课堂教学", Decimal("70"), False),
]


def round_score(value: Fraction | Decimal | int) -> Decimal:
    """Two decimals, half up (R-SCORE-1): 87.125 → 87.13, 10/3 → 3.33, 2/3 → 0.67."""
    exact = Fraction(value)
    cents = exact * 100
    whole = cents.numerator // cents.denominator
    if cents - whole >= Fraction(1, 2):  # scores are never negative: half up = half away from zero
        whole += 1
    return (Decimal(whole) / HUNDRED).quantize(CENT)


def item_points(value: Decimal, max_points: Decimal, weight: Decimal) -> Fraction:
    """R-SCORE-1 term: score / max × weight, exact."""
    return Fraction(value) / Fraction(max_points) * Fraction(weight)


def weighted_total(scores: Sequence[tuple[Decimal | None, Decimal, Decimal]]) -> Fraction:
    """R-SCORE-1: Σ score_i / max_i × weight_i over (score, max, weight), unrounded; blank counts 0.

    Example: 书写 90/100×10 + 案例 85/100×10 + 设计 88/100×30 + 课堂 86.5/100×50
    = 9 + 8.5 + 26.4 + 43.25 = 87.15.
    """
    return sum((item_points(v, m, w) for v, m, w in scores if v is not None), Fraction(0))


def judge_total(scores: Sequence[tuple[Decimal | None, Decimal, Decimal]]) -> Decimal:
    """R-SCORE-1 as a judge reads it: :func:`weighted_total` rounded once, half up, to 0.01.

    The tablet's live figure (static/js/judging.js) computes the same in integer hundredths.
    Example: 60, 93.25, 63, 86.5 on 10/10/30/50 → 6 + 9.325 + 18.9 + 43.25 = 77.475 → 77.48
    (JavaScript floats give 77.47499… → 77.47).
    """
    return round_score(weighted_total(scores))


def parse_score(text: str | None, max_points: Decimal, item_name: str = "该项") -> Decimal | None:
    """A typed score → Decimal within 0..max with at most two decimals; blank → None (not yet scored)."""
    text = (text or "").strip().replace("，", ".").replace("。", ".")
    if not text:
        return None
    value = parse_decimal(text, f"「{item_name}」的分数", field=item_name)
    if value < 0 or value > max_points:
        raise DomainError(
            f"「{item_name}」的分数应在 0 到 {score_text(max_points)} 之间，收到 {score_text(value)}。",
            field=item_name,
        )
    if value != value.quantize(CENT):
        raise DomainError(f"「{item_name}」的分数最多保留两位小数，收到 {text}。", field=item_name)
    return value.quantize(CENT)


def parse_decimal(text: str | None, what: str, *, field: str | None = None) -> Decimal:
    """A finite decimal number, else a DomainError naming ``what``: 「课堂教学」的分数「abc」不是数字。"""
    text = (text or "").strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise DomainError(f"{what}「{text}」不是数字。", field=field) from None
    if not value.is_finite():
        raise DomainError(f"{what}「{text}」不是数字。", field=field)
    return value


def score_text(value: Decimal | None) -> str:
    """A figure as typed: 86.50 → "86.5", 90.00 → "90", None → ""."""
    if value is None:
        return ""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def validate_form(items: Sequence[tuple[str, Decimal, Decimal]]) -> None:
    """R-FORM-1: (name, weight %, max points) rows — names unique, weights > 0 summing to exactly 100.

    Example: 10 + 10 + 30 + 50 = 100 is accepted; adding 普通话 10 without re-weighting gives 110
    and is refused, naming the sum.
    """
    if not items:
        raise DomainError("评分表至少需要一个评分项目。")
    names = [name.strip() for name, _, _ in items]
    if any(not name for name in names):
        raise DomainError("每个评分项目都需要名称。")
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise DomainError(f"评分项目名称重复：{'、'.join(duplicates)}。")
    for name, weight, max_points in items:
        if weight is None or weight <= 0:
            raise DomainError(f"「{name}」的权重必须大于 0。")
        if max_points is None or max_points <= 0:
            raise DomainError(f"「{name}」的满分必须大于 0。")
    total = sum((w for _, w, _ in items), Decimal(0))
    if total != HUNDRED:
        raise DomainError(f"各项权重之和必须正好为 100%，当前为 {score_text(total)}%。")


def aggregate(totals: Sequence[Fraction | Decimal], trim_threshold: int) -> Fraction | None:
    """R-SCORE-3: mean of the judges' totals; with ≥ trim_threshold totals, drop ONE highest and ONE lowest.

    Examples (threshold 5): [80, 85, 90] → 85; [80, 85, 90, 91] → 86.5;
    [70, 80, 85, 90, 99] → (80+85+90)/3 = 85; [90, 90, 80, 80, 85] → (90+80+85)/3 = 85 — of tied
    highest (or lowest) totals only one is dropped. Empty → None.
    """
    values = sorted(Fraction(t) for t in totals)
    if not values:
        return None
    if len(values) >= trim_threshold and len(values) > 2:
        values = values[1:-1]
    return sum(values, Fraction(0)) / len(values)


def rank_entries(
    rows: Sequence[tuple[Hashable, Decimal | None, tuple[Decimal, ...]]],
) -> dict[Hashable, int | None]:
    """R-RANK-1: competition ranking (1, 2, 2, 4) by aggregate desc, ties broken by the item aggregates
    in the order given (highest-weight item first); still equal → same rank. No aggregate → None.

    Example: A 90, B 88 (课堂 45), C 88 (课堂 44), D 88 (课堂 45) → A 1, B 2, D 2, C 4.
    """
    scored = [(key, (aggregate_, tuple(items))) for key, aggregate_, items in rows if aggregate_ is not None]
    ranks: dict[Hashable, int | None] = {key: None for key, _, _ in rows}
    ordered = sorted(scored, key=lambda kv: kv[1], reverse=True)
    previous = None
    for index, (key, sort_key) in enumerate(ordered, start=1):
        if previous is None or sort_key != previous[1]:
            previous = (index, sort_key)
        ranks[key] = previous[0]
    return ranks


def judge_spread(
    totals: dict[tuple[Hashable, Hashable], Fraction],
) -> dict[Hashable, tuple[int, Fraction, Fraction]]:
    """Per judge: (sheets, mean total, mean deviation from the per-teacher mean of all judges).

    ``totals`` maps (judge, teacher) → unrounded total. A judge who scores everyone 5 points above the
    panel has deviation +5 — the outlier an organiser should look at. Example: teacher T scored 80, 90,
    100 by judges a, b, c → deviations −10, 0, +10.
    """
    by_teacher: dict[Hashable, list[Fraction]] = {}
    for (_, teacher), total in totals.items():
        by_teacher.setdefault(teacher, []).append(total)
    teacher_mean = {t: sum(v, Fraction(0)) / len(v) for t, v in by_teacher.items()}
    per_judge: dict[Hashable, list[tuple[Fraction, Fraction]]] = {}
    for (judge, teacher), total in totals.items():
        per_judge.setdefault(judge, []).append((total, total - teacher_mean[teacher]))
    return {
        judge: (
            len(rows),
            sum((t for t, _ in rows), Fraction(0)) / len(rows),
            sum((d for _, d in rows), Fraction(0)) / len(rows),
        )
        for judge, rows in per_judge.items()
    }
