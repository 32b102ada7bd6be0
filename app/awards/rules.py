"""The award rules as pure functions (R-AW-1, R-AW-3): no database, no Flask, worked examples in tests.

Counts are ``round half up`` of ratio × size, computed in Decimal once. Ties always share: a teacher's
(or a school's) prize depends only on their shared rank, so people with the same rank can never end up
with different prizes.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction


def round_count(ratio: Decimal, size: int) -> int:
    """round half up (ratio × size): 20% of 17 = 3.4 → 3, 30% of 5 = 1.5 → 2, 50% of 1 = 0.5 → 1."""
    return int((Decimal(ratio) * size).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def prize_counts(size: int, ratios: Sequence[Decimal]) -> list[int]:
    """R-AW-1: the nominal number of each prize for a pool of ``size`` competitors, each rounded on its own.

    Semifinal 20% / 30%: 0 → [0, 0], 1 → [0, 0], 3 → [1, 1], 5 → [1, 2], 10 → [2, 3], 17 → [3, 5].
    """
    return [round_count(ratio, size) for ratio in ratios]


def assign_prizes(
    ranks: Mapping[Hashable, int | None], size: int, ratios: Sequence[Decimal]
) -> dict[Hashable, int]:
    """R-AW-1: prize index (0 = 一等奖, 1 = 二等奖, …) per competitor; those without a prize are left out.

    ``ranks`` are R-RANK-1 competition ranks (1, 2, 2, 4) within the pool, None for "no result yet";
    ``size`` is the number of competitors of the pool (people without a result count: the ratio is
    of competitors, and they simply get no prize).

    The prizes are cumulative places: with counts c₁, c₂, … a teacher ranked r gets the first prize k
    with r ≤ c₁ + … + c_k. A tie that straddles a boundary therefore goes up whole — every tied teacher
    gets the higher prize, because their shared rank is within it — and the next prize shrinks by the
    overflow, as its places were taken (并列者同奖，占用后续名次). Only a tie straddling the last
    boundary makes the total exceed the nominal count. A prize whose count rounds to 0 is not given.

    Example (10 competitors, 20% / 30% → 2 / 3): ranks 1, 2, 2, 2, 5, 6, 7 … → 一等奖 ×4 (ranks 1–2),
    二等奖 ×1 (rank 5; places 3 and 4 went to the tie), rank 6 gets nothing.
    """
    limits: list[int] = []
    total = 0
    for count in prize_counts(size, ratios):
        total += count
        limits.append(total if count else 0)
    prizes: dict[Hashable, int] = {}
    for key, rank in ranks.items():
        if rank is None:
            continue
        for index, limit in enumerate(limits):
            if limit and rank <= limit:
                prizes[key] = index
                break
    return prizes


@dataclass(frozen=True)
class TeamFigures:
    """One school's figures for R-AW-3 (counts; the shares are derived exactly)."""

    key: Hashable
    competitors: int  # teachers competing for the school (status 参赛)
    prized: int  # distinct teachers of the school holding a published prize
    eligible: int  # listed − excluded (the participation-rate denominator, R-ROS-1)

    @property
    def share(self) -> Fraction:
        return Fraction(self.prized, self.competitors) if self.competitors else Fraction(0)

    @property
    def participation(self) -> Fraction:
        return Fraction(self.competitors, self.eligible) if self.eligible else Fraction(0)


@dataclass(frozen=True)
class TeamPlace:
    figures: TeamFigures
    rank: int
    awarded: bool


def rank_teams(teams: Sequence[TeamFigures], top_ratio: Decimal) -> list[TeamPlace]:
    """R-AW-3 优秀团队奖 within one category (central schools, or non-central schools — the caller splits).

    Schools with competitors are ranked by prize share (prized / competitors) descending, participation
    rate breaking ties; equal on both → same rank (1, 2, 2, 4). The award goes to the top
    round-half-up(top_ratio × number of ranked schools) places, a tie at the boundary included whole,
    and never to a school none of whose teachers won a prize. Schools without competitors are not ranked.

    Example (5 schools, 20% → 1 place): A 2/4 = 50% (participation 80%), B 1/2 = 50% (100%), C 1/4 → B 1st,
    A 2nd, C 3rd; only B is awarded. If A's participation were also 100%, A and B would share rank 1 and
    both be awarded.
    """
    ranked = sorted(
        (t for t in teams if t.competitors > 0), key=lambda t: (t.share, t.participation), reverse=True
    )
    places = round_count(top_ratio, len(ranked))
    out: list[TeamPlace] = []
    previous: tuple[int, tuple[Fraction, Fraction]] | None = None
    for index, team in enumerate(ranked, start=1):
        sort_key = (team.share, team.participation)
        if previous is None or sort_key != previous[1]:
            previous = (index, sort_key)
        rank = previous[0]
        out.append(TeamPlace(team, rank, awarded=rank <= places and team.prized > 0))
    return out


def to_percent(value: Fraction) -> Decimal:
    """A share as a Decimal fraction rounded half up to 4 places (shown as 66.67%)."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        Decimal("0.0001"), rounding=ROUND_HALF_UP
    )


def deserves_organisation_award(
    on_time: bool | None, competitors: int, eligible: int, upheld_objections: int, fraud: int = 0
) -> bool:
    """R-AW-3 组织奖 for a school or a district: roster submitted on time, full participation
    (participation rate = competitors / (listed − excluded) = 100%, with someone to take part), no
    upheld objection, and no teacher disqualified for fraud (弄虚作假) in the competition — ``fraud``
    counts those teachers however the disqualification was recorded (directly on the entry, or
    through an objection upheld for fraud). ``on_time`` None means "not known" and does not qualify.

    Example: a school on time with 12 of 12 competing and no upheld objection qualifies; the same
    school with one teacher disqualified directly (no objection at all) does not, and neither does
    its district.
    """
    return (
        bool(on_time) and eligible > 0 and competitors == eligible and upheld_objections == 0 and fraud == 0
    )
