"""Quota arithmetic (R-Q-1, R-Q-2, R-Q-3): pure functions on counts, exact Decimal, no database.

Standard library only, like ``app/draws/rfc3797.py``: anyone can re-run the figures of the quota page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

PER_UNIT = "per_unit"
LARGEST_REMAINDER = "largest_remainder"


def round_half_up(value: Decimal) -> int:
    """R-Q-3: 四舍五入 to a whole number (0.5 goes up), exactly, once."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Unit:
    """One quota unit: a preliminary unit (R-Q-1) or a district (R-Q-2). ``code`` breaks ties."""

    key: str
    code: str
    competitors: int


@dataclass(frozen=True)
class UnitQuota:
    key: str
    code: str
    competitors: int
    exact: Decimal  # ratio × competitors, before rounding
    quota: int
    recommended: int
    drawn: int
    note: str  # the rounding applied, in Chinese, for the quota page


def split(quota: int, recommend_ratio: Decimal) -> tuple[int, int]:
    """R-Q-1/R-Q-2 split of one unit's quota: recommended = round half up(ratio × quota), drawn = the rest."""
    recommended = min(quota, round_half_up(Decimal(recommend_ratio) * quota))
    return recommended, quota - recommended


def _check(units: Sequence[Unit], ratio: Decimal, recommend_ratio: Decimal) -> None:
    for value in (ratio, recommend_ratio):
        if not isinstance(value, Decimal) or not Decimal(0) <= value <= Decimal(1):
            raise ValueError(f"比例应为 0 到 1 之间的 Decimal，实际为 {value!r}")
    for unit in units:
        if (
            isinstance(unit.competitors, bool)
            or not isinstance(unit.competitors, int)
            or unit.competitors < 0
        ):
            raise ValueError(f"单位 {unit.code} 的参赛人数应为非负整数")


def per_unit(units: Sequence[Unit], ratio: Decimal, recommend_ratio: Decimal) -> list[UnitQuota]:
    """R-Q-3 *per unit, round half up*: quota = round(ratio × n) for each unit on its own.

    With the default 30% / 60% (R-Q-1): n = 0, 1, 2, 3, 5, 17 give quotas 0, 0, 1, 1, 2, 5 and
    recommended / drawn 0/0, 0/0, 1/0, 1/0, 1/1, 3/2. The units' quotas need not add up to
    round(ratio × total): those six units (28 competitors) get 9 places where 30% of 28 is 8.4 → 8.
    """
    _check(units, ratio, recommend_ratio)
    out = []
    for unit in units:
        exact = ratio * unit.competitors
        quota = round_half_up(exact)
        recommended, drawn = split(quota, recommend_ratio)
        out.append(
            UnitQuota(
                unit.key,
                unit.code,
                unit.competitors,
                exact,
                quota,
                recommended,
                drawn,
                f"{_fmt(exact)} 四舍五入为 {quota}",
            )
        )
    return out


def largest_remainder(units: Sequence[Unit], ratio: Decimal, recommend_ratio: Decimal) -> list[UnitQuota]:
    """R-Q-3 *largest remainder* (Hamilton) across the units of one district (semifinal) or the city (final).

    1. The total is T = round half up(ratio × Σn) — the figure the rule keeps.
    2. Each unit first gets floor(ratio × n).
    3. The T − Σfloor places left go one each to the units with the largest remainders
       (ratio × n − floor); equal remainders go to the unit with more competitors, then to the smaller
       unit code (deterministic, and published on the quota page).
    4. The split of each unit's quota is the per-unit rule: recommended = round half up(recommend
       ratio × quota), drawn = quota − recommended (the unit recommends, so its own share is rounded
       for it). The totals of recommended and drawn are therefore sums, not re-rounded.

    Example (30% / 60%): n = 0, 1, 2, 3, 5, 17 (Σ 28): T = round(8.4) = 8; floors 0, 0, 0, 0, 1, 5 (Σ 6);
    remainders 0, 0.3, 0.6, 0.9, 0.5, 0.1 → the two places left go to n = 3 (0.9) and n = 2 (0.6):
    quotas 0, 0, 1, 1, 1, 5 (Σ 8), recommended 0, 0, 1, 1, 1, 3, drawn 0, 0, 0, 0, 0, 2.
    """
    _check(units, ratio, recommend_ratio)
    exacts = [ratio * u.competitors for u in units]
    floors = [int(e.to_integral_value(rounding=ROUND_FLOOR)) for e in exacts]
    total = round_half_up(ratio * sum(u.competitors for u in units))
    left = total - sum(floors)
    order = sorted(
        range(len(units)), key=lambda i: (-(exacts[i] - floors[i]), -units[i].competitors, units[i].code)
    )
    bonus = set(order[: max(0, left)])
    out = []
    for i, unit in enumerate(units):
        quota = floors[i] + (1 if i in bonus else 0)
        recommended, drawn = split(quota, recommend_ratio)
        remainder = exacts[i] - floors[i]
        note = f"{_fmt(exacts[i])} 取整 {floors[i]}" + (
            f"，余数 {_fmt(remainder)} 获分配 1 名"
            if i in bonus
            else (f"，余数 {_fmt(remainder)}" if remainder else "")
        )
        out.append(
            UnitQuota(unit.key, unit.code, unit.competitors, exacts[i], quota, recommended, drawn, note)
        )
    return out


def allocate(
    units: Sequence[Unit], ratio: Decimal, recommend_ratio: Decimal, rounding: str
) -> list[UnitQuota]:
    """R-Q-3: the policy configured for the competition (``Rounding`` value)."""
    if rounding == LARGEST_REMAINDER:
        return largest_remainder(units, ratio, recommend_ratio)
    if rounding == PER_UNIT:
        return per_unit(units, ratio, recommend_ratio)
    raise ValueError(f"未知的取整方式：{rounding!r}")


def _fmt(value: Decimal) -> str:
    return f"{value.normalize():f}"
