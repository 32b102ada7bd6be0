"""Advancement verbs (SPEC §5): quotas, recommendations, draws, shortlists, disqualifications.

Flush, never commit; no Flask globals. Units: a semifinal quota belongs to a preliminary unit
(R-ORG-2: the central school for itself and its affiliates, a township junior school, any other
non-affiliated school), a final quota to a district. Who does what:

* the city freezes a stage's quotas (R-Q-3 figures are stored; before that they are live);
* a semifinal unit's school admin (a final unit's district admin) recommends (R-Q-4) before the
  stage deadline; the district (for the final: the city) confirms;
* the district (for the final: the city) announces and performs the unit's draw (R-DRAW-1).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload

from app import timeutil
from app.advancement.models import AdvancementUnit, Nomination
from app.advancement.quotas import Unit, UnitQuota, allocate
from app.audit import services as audit
from app.auth.models import User
from app.competitions.models import Competition, Rounding, Stage, StageKind
from app.draws import services as draw_store
from app.draws.models import Draw, DrawPurpose, DrawStatus
from app.draws.rfc3797 import PoolEntry
from app.errors import DomainError, NotAllowed, NotFound, get_or_raise
from app.extensions import db
from app.judging.results import stage_results
from app.orgs.models import District, School
from app.roles import Role
from app.rosters.models import AdvanceRoute, Entry, StageEntrant
from app.rosters.queries import competitors_stmt
from app.timeutil import beijing_today, utcnow

__all__ = [
    "ShortlistRow",
    "QuotaRow",
    "shortlist",
    "handle_disqualification",
    "perform_draw",
    "announce_unit_draw",
    "freeze_quotas",
    "quota_rows",
    "set_nominations",
    "confirm_unit",
    "suggest_by_rank",
    "candidates",
]


# ---------------------------------------------------------------- stages and units


def source_stage(stage: Stage) -> Stage:
    """The stage whose competitors a quota is taken from: preliminary → semifinal, semifinal → final."""
    if stage.kind == StageKind.SEMIFINAL:
        return stage.competition.stage(StageKind.PRELIMINARY)
    if stage.kind == StageKind.FINAL:
        return stage.competition.stage(StageKind.SEMIFINAL)
    raise DomainError("初赛没有晋级名额：名额只分配给复赛和决赛。")


def advancement_stage(stage_id: int) -> Stage:
    stage = db.session.get(Stage, stage_id, options=[joinedload(Stage.competition)])
    if stage is None or stage.kind == StageKind.PRELIMINARY:
        raise NotFound("晋级阶段不存在（只有复赛和决赛有晋级名额）。")
    return stage


def _unit_key(stage: Stage, *, school_id: int | None, district_id: int | None) -> str:
    """``AdvancementUnit.unit_key``: the organising school for the semifinal (R-Q-1), the district for the final (R-Q-2)."""
    return f"S{school_id}" if stage.kind == StageKind.SEMIFINAL else f"D{district_id}"


def _unit_column(stage: Stage) -> sa.ColumnElement:
    """The unit of a teacher's ``School`` as SQL: its organising school (R-ORG-2) or its district."""
    if stage.kind == StageKind.SEMIFINAL:
        return sa.func.coalesce(School.central_school_id, School.id)
    return School.district_id


def _in_unit(unit: AdvancementUnit) -> sa.ColumnElement[bool]:
    """The schools of ``unit`` as a condition on ``School``: the organising school and its affiliates, or the district."""
    if unit.unit_school_id is not None:
        return sa.or_(School.id == unit.unit_school_id, School.central_school_id == unit.unit_school_id)
    return School.district_id == unit.district_id


def _stored_unit(stage: Stage, key: str) -> AdvancementUnit | None:
    return db.session.scalar(
        sa.select(AdvancementUnit).where(
            AdvancementUnit.stage_id == stage.id, AdvancementUnit.unit_key == key
        )
    )


@dataclass
class LiveUnit:
    key: str
    code: str
    name: str
    district_id: int
    district_name: str
    school_id: int | None
    competitors: int


def live_units(stage: Stage) -> list[LiveUnit]:
    """Units of ``stage`` with their competitor counts now (two queries).

    Semifinal (R-Q-1): every non-affiliated school that is not a district-seat school is a
    preliminary unit; its count is the preliminary competitors of it and its affiliates.
    Final (R-Q-2): every district, counting its semifinal competitors.
    """
    base = competitors_stmt(source_stage(stage)).subquery()
    unit_col = _unit_column(stage)
    counts = dict(
        db.session.execute(
            sa.select(unit_col, sa.func.count())
            .select_from(base)
            .join(School, School.id == base.c.school_id)
            .group_by(unit_col)
        ).all()
    )
    if stage.kind == StageKind.SEMIFINAL:
        schools = db.session.execute(
            sa.select(School.id, School.code, School.name, School.district_id, District.name, School.is_seat)
            .join(District, District.id == School.district_id)
            .where(School.central_school_id.is_(None))
            .order_by(District.code, School.code)
        ).all()
        return [
            LiveUnit(
                _unit_key(stage, school_id=sid, district_id=did),
                code,
                name,
                did,
                dname,
                sid,
                counts.get(sid, 0),
            )
            for sid, code, name, did, dname, is_seat in schools
            if not is_seat or counts.get(sid)
        ]
    districts = db.session.execute(
        sa.select(District.id, District.code, District.name).order_by(District.code)
    ).all()
    return [
        LiveUnit(
            _unit_key(stage, school_id=None, district_id=did), code, name, did, name, None, counts.get(did, 0)
        )
        for did, code, name in districts
    ]


def ratios(stage: Stage) -> tuple[Decimal, Decimal]:
    c = stage.competition
    if stage.kind == StageKind.SEMIFINAL:
        return Decimal(c.semifinal_ratio), Decimal(c.semifinal_recommend_ratio)
    return Decimal(c.final_ratio), Decimal(c.final_recommend_ratio)


def compute_quotas(stage: Stage, units: Sequence[LiveUnit]) -> dict[str, UnitQuota]:
    """R-Q-1/R-Q-2 with the competition's R-Q-3 policy: largest remainder works within each district
    for the semifinal and across the city for the final."""
    ratio, recommend = ratios(stage)
    rounding = stage.competition.rounding.value
    groups: dict[object, list[Unit]] = defaultdict(list)
    for u in units:
        groups[u.district_id if stage.kind == StageKind.SEMIFINAL else "city"].append(
            Unit(u.key, u.code, u.competitors)
        )
    out: dict[str, UnitQuota] = {}
    for members in groups.values():
        out.update({q.key: q for q in allocate(members, ratio, recommend, rounding)})
    return out


@dataclass
class QuotaRow(LiveUnit):
    """One line of the quota page: frozen figures when frozen (with the live count beside), else live."""

    live_competitors: int
    exact: Decimal
    quota: int
    recommended: int
    drawn: int
    note: str
    unit: AdvancementUnit | None = None
    advanced_recommended: int = 0
    advanced_drawn: int = 0
    draw: sa.Row | None = None  # the unit's latest advancement draw: ``id`` and ``status``
    current_quota: int = 0  # under today's settings and counts (what a new freeze would give)

    @property
    def changed_since_freeze(self) -> bool:
        return self.unit is not None and self.live_competitors != self.competitors


def _frozen_quota(unit: AdvancementUnit) -> UnitQuota:
    """The figures stored when the stage was frozen, in the shape :func:`compute_quotas` gives live ones."""
    return UnitQuota(
        unit.unit_key,
        "",
        unit.competitors,
        Decimal(unit.exact_quota),
        unit.quota,
        unit.recommended,
        unit.drawn,
        unit.rounding_note,
    )


def quota_rows(stage: Stage, *, district_id: int | None = None) -> list[QuotaRow]:
    """The quota page (R-Q-1..3): per unit competitors, ratio, quota, recommended, drawn, rounding."""
    live = live_units(stage)
    computed = compute_quotas(stage, live)
    frozen = {
        u.unit_key: u
        for u in db.session.scalars(sa.select(AdvancementUnit).where(AdvancementUnit.stage_id == stage.id))
    }
    advanced = _advanced_by_unit(stage)
    latest: dict[str, sa.Row] = {}
    for draw in db.session.execute(
        sa.select(Draw.id, Draw.status, Draw.unit_school_id, Draw.unit_district_id)
        .where(Draw.stage_id == stage.id, Draw.purpose == DrawPurpose.ADVANCEMENT)
        .order_by(Draw.id)
    ):
        latest[_unit_key(stage, school_id=draw.unit_school_id, district_id=draw.unit_district_id)] = draw
    rows = []
    for u in live:
        if district_id is not None and u.district_id != district_id:
            continue
        f = frozen.get(u.key)
        q = _frozen_quota(f) if f is not None else computed[u.key]
        rows.append(
            QuotaRow(
                key=u.key,
                code=u.code,
                name=u.name,
                district_id=u.district_id,
                district_name=u.district_name,
                school_id=u.school_id,
                competitors=q.competitors,
                live_competitors=u.competitors,
                exact=q.exact,
                quota=q.quota,
                recommended=q.recommended,
                drawn=q.drawn,
                note=q.note,
                unit=f,
                advanced_recommended=advanced[u.key][AdvanceRoute.RECOMMENDED],
                advanced_drawn=advanced[u.key][AdvanceRoute.DRAWN],
                draw=latest.get(u.key),
                current_quota=computed[u.key].quota,
            )
        )
    return rows


def _advanced_by_unit(stage: Stage) -> dict[str, Counter]:
    unit_col = _unit_column(stage)
    out: dict[str, Counter] = defaultdict(Counter)
    for unit_id, route, n in db.session.execute(
        sa.select(unit_col, StageEntrant.route, sa.func.count())
        .join(Entry, Entry.id == StageEntrant.entry_id)
        .join(School, School.id == Entry.school_id)
        .where(StageEntrant.stage_id == stage.id, Entry.disqualified_at.is_(None))
        .group_by(unit_col, StageEntrant.route)
    ):
        out[_unit_key(stage, school_id=unit_id, district_id=unit_id)][route] += n
    return out


def city_summary(competition: Competition) -> list[dict]:
    """Per district: semifinal competitors, final quota, recommended, drawn (the city-wide summary)."""
    final = competition.stage(StageKind.FINAL)
    return [
        {
            "district_id": r.district_id,
            "district": r.district_name,
            "semifinal_competitors": r.competitors,
            "quota": r.quota,
            "recommended": r.recommended,
            "drawn": r.drawn,
            "frozen": r.unit is not None,
            "advanced_recommended": r.advanced_recommended,
            "advanced_drawn": r.advanced_drawn,
        }
        for r in quota_rows(final)
    ]


@dataclass(frozen=True)
class Policy:
    """R-Q-1..3 settings: the quota ratio, the recommended share and the rounding policy."""

    ratio: Decimal
    recommend: Decimal
    rounding: Rounding


def current_policy(stage: Stage) -> Policy:
    ratio, recommend = ratios(stage)
    return Policy(ratio, recommend, stage.competition.rounding)


def frozen_policy(rows: Sequence[QuotaRow]) -> Policy | None:
    """The settings stored with the frozen quotas of these rows (None if not frozen, or frozen before
    the policy was stored)."""
    for r in rows:
        if r.unit is not None and r.unit.rounding is not None:
            u = r.unit
            return Policy(Decimal(u.quota_ratio), Decimal(u.recommend_ratio), u.rounding)
    return None


@dataclass(frozen=True)
class PolicyChange:
    """R-Q-3: today's settings differ from those the frozen quotas were computed with."""

    frozen: Policy
    current: Policy
    frozen_total: int
    current_total: int
    units_changed: int  # units whose quota a new freeze would change


def policy_change(stage: Stage, rows: Sequence[QuotaRow]) -> PolicyChange | None:
    """What a new freeze under today's settings would change, or None when the settings are unchanged.

    Example: frozen under 各单位分别四舍五入 (2.7 → 3, 1.5 → 2), the competition then switched to
    最大余数法: the page keeps 四舍五入, and says the new policy would give a total of round(30% × n)
    and change k units — only a new freeze (audited) would apply it.
    """
    frozen = frozen_policy(rows)
    current = current_policy(stage)
    if frozen is None or frozen == current:
        return None
    mine = [r for r in rows if r.unit is not None]
    return PolicyChange(
        frozen,
        current,
        sum(r.quota for r in mine),
        sum(r.current_quota for r in mine),
        sum(1 for r in mine if r.current_quota != r.quota),
    )


@dataclass(frozen=True)
class FreezePlan:
    """The consequences of freezing, for the confirmation screen: units, totals, policy."""

    policy: Policy
    units: int
    districts: int
    competitors: int
    quota: int
    recommended: int
    drawn: int
    without_quota: int  # units whose quota rounds to 0


def freeze_plan(stage: Stage) -> FreezePlan:
    """What :func:`freeze_quotas` would store now, in numbers (changes nothing)."""
    _check_freeze(stage)
    live = live_units(stage)
    computed = compute_quotas(stage, live)
    qs = [computed[u.key] for u in live]
    return FreezePlan(
        current_policy(stage),
        sum(1 for q in qs if q.quota),
        len({u.district_id for u in live}),
        sum(q.competitors for q in qs),
        sum(q.quota for q in qs),
        sum(q.recommended for q in qs),
        sum(q.drawn for q in qs),
        sum(1 for q in qs if not q.quota),
    )


def _check_freeze(stage: Stage) -> None:
    if stage.frozen_at is not None:
        raise DomainError(f"{stage.label}名额已冻结，不能重复冻结。")
    if stage.kind == StageKind.FINAL and stage.competition.stage(StageKind.SEMIFINAL).frozen_at is None:
        raise DomainError("请先冻结复赛名额：决赛名额按各区县复赛参赛人数计算。")


def freeze_quotas(stage: Stage, *, by: User) -> list[AdvancementUnit]:
    """Store the quotas in force (R-Q-3) and freeze the stage; from here recommendations and draws
    start, and later roster changes and disqualifications are audited rather than re-applied."""
    if by.role != Role.CITY_ADMIN:
        raise NotAllowed("只有市教育局可以确定（冻结）晋级名额。")
    _check_freeze(stage)
    policy = current_policy(stage)
    live = live_units(stage)
    computed = compute_quotas(stage, live)
    units = []
    for u in live:
        q = computed[u.key]
        unit = AdvancementUnit(
            stage_id=stage.id,
            unit_key=u.key,
            unit_school_id=u.school_id,
            district_id=u.district_id,
            competitors=q.competitors,
            exact_quota=q.exact,
            quota=q.quota,
            recommended=q.recommended,
            drawn=q.drawn,
            rounding_note=q.note[:200],
            # R-Q-3: the policy the quotas were computed with stays with them, whatever the settings say later.
            quota_ratio=policy.ratio,
            recommend_ratio=policy.recommend,
            rounding=policy.rounding,
        )
        db.session.add(unit)
        units.append(unit)
    stage.frozen_at = utcnow()
    db.session.flush()
    audit.record(
        by,
        "advancement.quotas_frozen",
        "stage",
        stage.id,
        f"冻结{stage.label}晋级名额",
        after={
            "units": len(units),
            "quota": sum(u.quota for u in units),
            "recommended": sum(u.recommended for u in units),
            "drawn": sum(u.drawn for u in units),
            "rounding": policy.rounding.value,
            "ratio": str(policy.ratio),
            "recommend_ratio": str(policy.recommend),
        },
        competition_id=stage.competition_id,
    )
    return units


# ---------------------------------------------------------------- scope (R-ROLE-1)


def get_unit(unit_id: int) -> AdvancementUnit:
    return get_or_raise(
        AdvancementUnit,
        unit_id,
        "晋级单位不存在。",
        options=[joinedload(AdvancementUnit.stage).joinedload(Stage.competition)],
    )


def can_recommend(user: User, unit: AdvancementUnit) -> bool:
    """R-Q-4: the unit's own admin (school admin of the unit school; for the final the district admin),
    or anyone who may confirm it."""
    if can_confirm(user, unit):
        return True
    if unit.unit_school_id is not None:
        return user.role == Role.SCHOOL_ADMIN and user.school_id == unit.unit_school_id
    return user.can_manage_district(unit.district_id)


def can_confirm(user: User, unit: AdvancementUnit) -> bool:
    """The district confirms and draws for its semifinal units; the city for the final."""
    if unit.unit_school_id is None:
        return user.role == Role.CITY_ADMIN
    return user.can_manage_district(unit.district_id)


def can_view(user: User, unit: AdvancementUnit) -> bool:
    if can_recommend(user, unit):
        return True
    school = user.school if user.role == Role.SCHOOL_ADMIN else None
    return school is not None and unit.unit_school_id == school.unit_id


def check(allowed: bool, what: str) -> None:
    if not allowed:
        raise NotAllowed(f"该晋级单位不在您的管理范围内，不能{what}。")


def _audit_unit(by: User, action: str, unit: AdvancementUnit, summary: str, **details) -> None:
    """R-AUD-1 for a unit's recommendation or quota event, filed under the unit's district and school."""
    audit.record(
        by,
        action,
        "advancement_unit",
        unit.id,
        summary,
        competition_id=unit.stage.competition_id,
        district_id=unit.district_id,
        school_id=unit.unit_school_id,
        **details,
    )


# ---------------------------------------------------------------- recommendation (R-Q-4)


@dataclass
class Candidate:
    entry: Entry
    aggregate: Decimal | None
    rank: int | None
    nominated: bool
    advanced: AdvanceRoute | None
    provisional: bool = False  # R-SCORE-3: not every judge of the panel has submitted yet (暂定)


def candidates(
    unit: AdvancementUnit,
    *,
    ranked: bool = True,
    results: Mapping[int, tuple[Decimal | None, int | None]] | None = None,
) -> list[Candidate]:
    """The unit's competitors with the source stage's ranking (R-RANK-1), best first (one query, plus
    the ranking's three or four).

    Order ("suggest by rank"): aggregate descending, then rank, then entrant number; teachers without
    a result yet come last in entrant-number order. Ranks are per group (R-RANK-1), so the aggregate
    is what compares teachers of different groups within one unit. ``results`` (entry id → (aggregate,
    rank), see :func:`source_results`) saves recomputing the whole stage's ranking for each unit.
    """
    # a nomination and a stage entrant are unique per (stage, entry): the outer joins add no rows;
    # aliased, because the final's source stage (the semifinal) already joins its own entrants
    advanced = aliased(StageEntrant)
    rows = db.session.execute(
        competitors_stmt(source_stage(unit.stage))
        .join(School, School.id == Entry.school_id)
        .where(_in_unit(unit))
        .outerjoin(Nomination, sa.and_(Nomination.entry_id == Entry.id, Nomination.unit_id == unit.id))
        .outerjoin(advanced, sa.and_(advanced.entry_id == Entry.id, advanced.stage_id == unit.stage_id))
        .add_columns(Nomination.id.is_not(None), advanced.route)
        .options(joinedload(Entry.school), joinedload(Entry.subject))
    ).all()
    if results is None:
        results = source_results(unit.stage, [e.id for e, _, _ in rows]) if ranked else {}
    out = []
    for e, nominated, route in rows:
        aggregate, rank, *provisional = results.get(e.id, (None, None))
        out.append(
            Candidate(e, aggregate, rank, bool(nominated), route, bool(provisional and provisional[0]))
        )
    out.sort(key=lambda c: (c.aggregate is None, -(c.aggregate or 0), c.rank or 0, c.entry.entrant_number))
    return out


def source_results(
    stage: Stage, entry_ids: Sequence[int] | None = None
) -> dict[int, tuple[Decimal | None, int | None, bool]]:
    """Aggregate, rank and provisional flag (R-SCORE-3, R-RANK-1) of the competitors (all, or ``entry_ids``) of the stage ``stage`` draws from."""
    if entry_ids is not None and not entry_ids:
        return {}
    return {
        r.entry_id: (r.aggregate, r.rank, r.provisional)
        for r in stage_results(source_stage(stage), entry_ids=entry_ids)
    }


def suggest_by_rank(unit: AdvancementUnit, candidates_: Sequence[Candidate] | None = None) -> list[int]:
    """R-Q-4 one-click suggestion: those already recommended into the stage, then the best-ranked others."""
    pool = _recommendable(unit, candidates_, ranked=True)
    kept = [c.entry.id for c in pool if c.advanced == AdvanceRoute.RECOMMENDED]
    rest = [c.entry.id for c in pool if c.advanced is None]
    return (kept + rest)[: _required(unit, pool)]


def _recommendable(
    unit: AdvancementUnit, candidates_: Sequence[Candidate] | None, *, ranked: bool
) -> list[Candidate]:
    """R-Q-4: the unit's competitors it may recommend — all but those drawn into the stage."""
    pool = candidates(unit, ranked=ranked) if candidates_ is None else candidates_
    return [c for c in pool if c.advanced != AdvanceRoute.DRAWN]


def _required(unit: AdvancementUnit, pool: Sequence[Candidate]) -> int:
    return min(unit.recommended, len(pool))


def required_count(unit: AdvancementUnit, candidates_: Sequence[Candidate] | None = None) -> int:
    """How many the unit must recommend now: its recommended quota, unless fewer are left to pick from."""
    return _required(unit, _recommendable(unit, candidates_, ranked=False))


def set_nominations(unit: AdvancementUnit, entry_ids: Sequence[int], *, by: User) -> list[Nomination]:
    """R-Q-4: the unit submits exactly its recommended number from its own competitors, before the deadline.

    Teachers already recommended into the stage stay on the list (only a disqualification frees a
    place, and then the unit recommends a replacement); drawn teachers cannot be recommended.
    """
    check(can_recommend(by, unit), "推荐")
    if unit.confirmed_at is not None:
        raise DomainError("推荐名单已确认，不能再修改；如确需调整请联系上级管理员。")
    deadline = unit.stage.deadline
    if (
        not can_confirm(by, unit) and deadline is not None and beijing_today() > deadline
    ):  # the confirmer may still fix it
        raise DomainError(f"推荐截止日期（{deadline:%Y-%m-%d}）已过，请联系区县教育局。")
    pool = {c.entry.id: c for c in _recommendable(unit, None, ranked=False)}
    wanted = list(dict.fromkeys(int(i) for i in entry_ids))
    foreign = [i for i in wanted if i not in pool]
    if foreign:
        raise DomainError("所选教师中有不属于本单位参赛人员（或已被抽中、已取消资格）的，请重新选择。")
    required = _required(unit, list(pool.values()))
    if len(wanted) != required:
        raise DomainError(f"本单位应推荐 {required} 人，您选择了 {len(wanted)} 人。", field="entries")
    missing = [
        c.entry.entrant_number
        for c in pool.values()
        if c.advanced == AdvanceRoute.RECOMMENDED and c.entry.id not in wanted
    ]
    if missing:
        raise DomainError(f"已晋级的推荐人选不能撤换（参赛号 {', '.join(map(str, missing))}）。")
    before = sorted(pool[n.entry_id].entry.entrant_number for n in unit.nominations if n.entry_id in pool)
    for nomination in list(unit.nominations):
        unit.nominations.remove(nomination)
    db.session.flush()
    for entry_id in wanted:
        unit.nominations.append(Nomination(stage_id=unit.stage_id, entry_id=entry_id, created_by_id=by.id))
    unit.submitted_at, unit.submitted_by_id = utcnow(), by.id
    db.session.flush()
    after = sorted(pool[i].entry.entrant_number for i in wanted)
    _audit_unit(
        by,
        "advancement.recommended",
        unit,
        f"{unit.name}提交{unit.stage.label}推荐名单",
        before={"entrant_numbers": before},
        after={"entrant_numbers": after},
    )
    return list(unit.nominations)


def confirm_unit(unit: AdvancementUnit, *, by: User) -> list[StageEntrant]:
    """R-Q-4: the district (final: the city) confirms a unit's recommendations: they advance as 推荐."""
    check(can_confirm(by, unit), "确认推荐名单")
    if unit.submitted_at is None:
        raise DomainError("该单位尚未提交推荐名单。")
    if unit.confirmed_at is not None:
        raise DomainError("该单位的推荐名单已确认。")
    existing = set(
        db.session.scalars(sa.select(StageEntrant.entry_id).where(StageEntrant.stage_id == unit.stage_id))
    )
    added = []
    for nomination in unit.nominations:
        if nomination.entry.disqualified_at is not None:
            raise DomainError(
                f"推荐名单中的参赛号 {nomination.entry.entrant_number} 已被取消资格，请退回单位重新推荐。"
            )
        if nomination.entry_id not in existing:
            entrant = StageEntrant(
                stage_id=unit.stage_id, entry_id=nomination.entry_id, route=AdvanceRoute.RECOMMENDED
            )
            db.session.add(entrant)
            added.append(entrant)
    unit.confirmed_at, unit.confirmed_by_id = utcnow(), by.id
    db.session.flush()
    _audit_unit(
        by,
        "advancement.confirmed",
        unit,
        f"确认{unit.name}{unit.stage.label}推荐名单",
        after={"entrant_numbers": sorted(n.entry.entrant_number for n in unit.nominations)},
    )
    return added


def return_unit(unit: AdvancementUnit, reason: str, *, by: User) -> None:
    """R-Q-4: the confirmer sends a submitted (not yet confirmed) list back to the unit."""
    check(can_confirm(by, unit), "退回推荐名单")
    if unit.confirmed_at is not None:
        raise DomainError("推荐名单已确认，已晋级的人选不能退回。")
    if not (reason or "").strip():
        raise DomainError("请填写退回原因。", field="reason")
    unit.submitted_at = unit.submitted_by_id = None
    db.session.flush()
    _audit_unit(by, "advancement.returned", unit, f"退回{unit.name}推荐名单", reason=reason.strip())


# ---------------------------------------------------------------- draws (R-DRAW-1, R-DRAW-2)


def draw_pool(unit: AdvancementUnit) -> list[Entry]:
    """R-DRAW-1: the unit's remaining competitors — not recommended, not already advanced, not disqualified."""
    return sorted(
        (c.entry for c in candidates(unit, ranked=False) if not c.nominated and c.advanced is None),
        key=lambda e: e.entrant_number,
    )


def pool_label(entry: Entry) -> str:
    """Public pool line: name and school — never an ID number, phone or birth date (R-PUB-1)."""
    return f"{entry.name} {entry.school.name}"


def unit_draws(unit: AdvancementUnit) -> list[Draw]:
    stmt = sa.select(Draw).where(Draw.stage_id == unit.stage_id, Draw.purpose == DrawPurpose.ADVANCEMENT)
    stmt = (
        stmt.where(Draw.unit_school_id == unit.unit_school_id)
        if unit.unit_school_id is not None
        else stmt.where(Draw.unit_school_id.is_(None), Draw.unit_district_id == unit.district_id)
    )
    return list(db.session.scalars(stmt.order_by(Draw.id)))


def vacancies(unit: AdvancementUnit) -> int:
    """Drawn places of the unit not (or no longer) filled: what a draw, or an R-DRAW-2 re-draw, is for."""
    filled = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(StageEntrant)
        .join(Entry, Entry.id == StageEntrant.entry_id)
        .join(School, School.id == Entry.school_id)
        .where(
            StageEntrant.stage_id == unit.stage_id, StageEntrant.route == AdvanceRoute.DRAWN, _in_unit(unit)
        )
    )
    return max(0, unit.drawn - (filled or 0))


def announce_unit_draw(
    unit: AdvancementUnit,
    source_names: Sequence[str],
    *,
    by: User,
    event_at: datetime | None,
    now: datetime | None = None,
) -> Draw:
    """R-DRAW-1 (1) for a unit: freeze its pool, publish commitment, count, future sources and the
    event time (required, in the future) now.

    When the unit already has a performed draw, this is the R-DRAW-2 re-draw: only the vacant places,
    the pool restricted to the original pool, linked (``parent_id``) to the latest performed draw.
    """
    check(can_confirm(by, unit), "组织抽签")
    return _announce_unit_draw(unit, source_names, by=by, event_at=event_at, now=now)


def _lock(unit: AdvancementUnit) -> None:
    """Serialise announcements and draws of one unit (PostgreSQL row lock; SQLite serialises writers)."""
    db.session.execute(sa.select(AdvancementUnit.id).where(AdvancementUnit.id == unit.id).with_for_update())


def _announce_unit_draw(
    unit: AdvancementUnit,
    source_names: Sequence[str],
    *,
    by: User,
    event_at: datetime | None,
    now: datetime | None = None,
) -> Draw:
    _lock(unit)
    if unit.confirmed_at is None:
        raise DomainError("请先确认该单位的推荐名单：抽签池是推荐之外的参赛教师。")
    existing = unit_draws(unit)
    if any(d.status == DrawStatus.ANNOUNCED for d in existing):
        raise DomainError("该单位已有一份已公布、尚未抽取的抽签；同一名额不能重复抽签。")
    count = vacancies(unit)
    if count == 0:
        raise DomainError("该单位没有待抽取的名额。")
    parent = next((d for d in reversed(existing) if d.status == DrawStatus.DRAWN), None)
    entries = draw_pool(unit)
    if parent is not None:
        allowed = {p["number"] for p in parent.pool_json}
        entries = [e for e in entries if e.entrant_number in allowed]
    if len(entries) < count:
        raise DomainError(f"剩余可抽取的教师（{len(entries)} 人）少于待抽取名额（{count} 个）。")
    stage = unit.stage
    title = f"{unit.name} {stage.label}晋级随机抽取" + ("（重抽）" if parent is not None else "")
    return draw_store.announce(
        stage,
        purpose=DrawPurpose.ADVANCEMENT,
        title=title,
        pool=[PoolEntry(e.entrant_number, pool_label(e)) for e in entries],
        count=count,
        source_names=source_names,
        by=by,
        event_at=event_at,
        unit_school_id=unit.unit_school_id,
        unit_district_id=unit.district_id,
        parent=parent,
        now=now,
    )


def unit_of_draw(draw: Draw) -> AdvancementUnit:
    stage = db.session.get(Stage, draw.stage_id)
    unit = _stored_unit(
        stage, _unit_key(stage, school_id=draw.unit_school_id, district_id=draw.unit_district_id)
    )
    if unit is None:
        raise NotFound("该抽签不属于任何晋级单位。")
    return unit


def _check_draw(draw: Draw, by: User) -> AdvancementUnit:
    """The checks a perform makes before any value is looked at (R-DRAW-1, R-ROLE-1)."""
    if draw.purpose != DrawPurpose.ADVANCEMENT:
        raise DomainError("这不是晋级抽签。")
    unit = unit_of_draw(draw)
    check(can_confirm(by, unit), "组织抽签")
    if draw.status == DrawStatus.ANNOUNCED:
        eligible = {e.entrant_number for e in draw_pool(unit)}
        stale = [p["number"] for p in draw.pool_json if p["number"] not in eligible]
        if stale:
            raise DomainError(
                f"公布后抽签池有变化（参赛号 {', '.join(map(str, stale))} 已晋级或已取消资格），"
                "请作废此抽签并重新公布。"
            )
    return unit


def preview_draw(
    draw: Draw, values: Sequence[Sequence[int | str]], *, by: User, now: datetime | None = None
) -> draw_store.Preview:
    """R-DRAW-1 (2): what the confirmation screen shows — refused for the same reasons as a perform."""
    _check_draw(draw, by)
    return draw_store.preview(draw, values, now=now)


def perform_draw(
    draw: Draw, values: Sequence[Sequence[int | str]], *, by: User, now: datetime | None = None
) -> list[StageEntrant]:
    """R-DRAW-1 (2)–(4) at the draw event: enter the values, publish the record, the drawn advance (抽取).

    Exactly once (R-DRAW-2), never before the announced event time. Refused when someone of the
    frozen pool has since advanced or been disqualified: then the announced draw is voided
    (published with the reason) and announced anew.
    """
    _check_draw(draw, by)
    record = draw_store.perform(draw, values, by=by, now=now)
    by_number = dict(
        db.session.execute(
            sa.select(Entry.entrant_number, Entry.id).where(
                Entry.competition_id == draw.competition_id, Entry.entrant_number.in_(record.selected)
            )
        ).all()
    )
    added = [
        StageEntrant(stage_id=draw.stage_id, entry_id=by_number[n], route=AdvanceRoute.DRAWN, draw_id=draw.id)
        for n in record.selected
    ]
    db.session.add_all(added)
    db.session.flush()
    return added


def void_draw(draw: Draw, reason: str, *, by: User) -> None:
    """Withdraw an announced advancement draw (its pool changed); the page stays published with the reason."""
    check(draw.purpose == DrawPurpose.ADVANCEMENT and can_confirm(by, unit_of_draw(draw)), "作废抽签")
    draw_store.void(draw, reason, by=by)


# ---------------------------------------------------------------- shortlists


@dataclass(frozen=True)
class ShortlistRow:
    entry: Entry
    route: AdvanceRoute
    draw_id: int | None


def shortlist(stage: Stage, *, scope=None) -> list[ShortlistRow]:
    """Who advanced into ``stage`` and how (推荐 / 抽取 with its draw), by entrant number; one query.

    Disqualified teachers (R-PUB-2) are left out. ``scope``: an optional SQL condition on ``School``
    (``User.school_scope_clause()``) for admin lists; the public list passes none.
    """
    stmt = (
        sa.select(StageEntrant)
        .join(Entry, Entry.id == StageEntrant.entry_id)
        .join(School, School.id == Entry.school_id)
        .where(StageEntrant.stage_id == stage.id, Entry.disqualified_at.is_(None))
        .options(
            joinedload(StageEntrant.entry).joinedload(Entry.school),
            joinedload(StageEntrant.entry).joinedload(Entry.subject),
        )
        .order_by(Entry.entrant_number)
    )
    if scope is not None:
        stmt = stmt.where(scope)
    return [ShortlistRow(se.entry, se.route, se.draw_id) for se in db.session.scalars(stmt)]


# ---------------------------------------------------------------- disqualification (R-PUB-2)


REDRAW_HOUR = timedelta(hours=10)  # a re-draw's default event: the next day, 10:00 Beijing time


def _stage_completed(stage: Stage) -> bool:
    return stage.deadline is not None and beijing_today() > stage.deadline


def disqualification_consequences(entry: Entry) -> list[str]:
    """What :func:`handle_disqualification` would do, in words and numbers, changing nothing (the
    confirmation screen of a disqualification, issue 15.7): which list the teacher leaves, which
    places reopen (recommendation or re-draw), which announced draws are voided and announced again."""
    out: list[str] = []
    school = entry.school
    for stage in entry.competition.stages:
        if stage.kind == StageKind.PRELIMINARY or _stage_completed(stage):
            continue
        unit = _stored_unit(stage, _unit_key(stage, school_id=school.unit_id, district_id=school.district_id))
        nominated = db.session.scalar(
            sa.select(Nomination.id).where(Nomination.stage_id == stage.id, Nomination.entry_id == entry.id)
        )
        route = db.session.scalar(
            sa.select(StageEntrant.route).where(
                StageEntrant.stage_id == stage.id, StageEntrant.entry_id == entry.id
            )
        )
        where = unit.name if unit is not None else school.name
        if route == AdvanceRoute.DRAWN:
            out.append(
                f"移出{stage.label}名单（抽取晋级）；{where}空出 1 个抽取名额，需重新抽签（新的抽签记录，只抽空出的名额）。"
            )
        elif route == AdvanceRoute.RECOMMENDED:
            out.append(
                f"移出{stage.label}名单（推荐晋级）；{where}空出 1 个推荐名额，推荐名单退回单位补充推荐，由区县重新确认。"
            )
        elif nominated:
            out.append(f"撤下{where}{stage.label}推荐名单中的该教师，该单位需重新推荐。")
        if unit is not None:
            pending = [
                d
                for d in unit_draws(unit)
                if d.status == DrawStatus.ANNOUNCED
                and entry.entrant_number in {p["number"] for p in d.pool_json}
            ]
            for draw in pending:
                out.append(
                    f"已公布的抽签“{draw.title}”（{len(draw.pool_json)} 人的抽签池）将作废，并按不含该教师的抽签池重新公布。"
                )
        if stage.frozen_at is not None and (route is not None or nominated):
            out.append(f"{stage.label}名额已冻结，不因取消资格而重算（记入审计日志）。")
    return out


def handle_disqualification(
    entry: Entry,
    *,
    by: User,
    source_names: Sequence[str] | None = None,
    event_at: datetime | None = None,
) -> list[Draw]:
    """R-PUB-2 consequences of a disqualification for advancement; returns the re-draws announced.

    Called in the objection's transaction after ``entry.disqualified_at``/``disqualified_note`` are set.
    For each semifinal/final stage not yet completed (its deadline has not passed):

    * a pending nomination of the teacher is removed;
    * a StageEntrant row of the teacher is deleted, with its before-state in the audit log (R-AUD-1);
    * a vacated DRAWN place gets a re-draw (R-DRAW-2): a new announced Draw for the vacant places
      only, ``parent_id`` = the unit's latest performed draw, pool = the unit's remaining eligible
      competitors of the original pool, sources = ``source_names`` or the parent's source names
      (with new values entered at the re-draw event), at ``event_at`` — by default tomorrow 10:00
      Beijing time (R-DRAW-1: never before it; moving it is a public void and a new announcement);
      perform it with :func:`perform_draw`;
    * a vacated RECOMMENDED place reopens the unit's recommendation (submitted/confirmed cleared):
      the unit recommends a replacement, the quota page shows the vacancy, the district confirms;
    * an announced, not yet performed draw whose pool holds the teacher is voided and announced
      again without them (same sources, same event time while it is still ahead, else ``event_at``)
      — no value existed, so nothing was revealed.

    Quotas already frozen are not recomputed (the change is audited); unfrozen quotas recompute by
    themselves because they are computed live from the competitors.
    """
    if entry.disqualified_at is None:
        raise DomainError("该教师未被取消资格。")
    competition = entry.competition
    announced: list[Draw] = []
    for stage in competition.stages:
        if stage.kind == StageKind.PRELIMINARY or _stage_completed(stage):
            continue
        school = entry.school
        unit = _stored_unit(stage, _unit_key(stage, school_id=school.unit_id, district_id=school.district_id))
        nomination = db.session.scalar(
            sa.select(Nomination).where(Nomination.stage_id == stage.id, Nomination.entry_id == entry.id)
        )
        entrant = db.session.scalar(
            sa.select(StageEntrant).where(
                StageEntrant.stage_id == stage.id, StageEntrant.entry_id == entry.id
            )
        )
        if nomination is not None:
            db.session.delete(nomination)
        route = entrant.route if entrant is not None else None
        if entrant is not None:
            audit.record(
                by,
                "advancement.disqualified_removed",
                "stage_entrant",
                entrant.id,
                f"参赛号 {entry.entrant_number} 被取消资格，移出{stage.label}名单",
                before={
                    "entrant_number": entry.entrant_number,
                    "route": entrant.route,
                    "draw_id": entrant.draw_id,
                },
                reason=entry.disqualified_note,
                competition_id=competition.id,
                district_id=school.district_id,
                school_id=school.unit_id,
            )
            db.session.delete(entrant)
        db.session.flush()
        if unit is None:
            continue
        if route == AdvanceRoute.RECOMMENDED or (nomination is not None and unit.confirmed_at is None):
            unit.submitted_at = unit.submitted_by_id = unit.confirmed_at = unit.confirmed_by_id = None
        draws = unit_draws(unit)
        pending = [d for d in draws if d.status == DrawStatus.ANNOUNCED]
        if route == AdvanceRoute.DRAWN or any(
            entry.entrant_number in {p["number"] for p in d.pool_json} for d in pending
        ):
            for draw in pending:
                draw_store.void(
                    draw,
                    f"参赛号 {entry.entrant_number} 已被取消资格，抽签池或名额有变，按新的抽签池重新公布",
                    by=by,
                )
            parent = next((d for d in reversed(draws) if d.status == DrawStatus.DRAWN), None)
            if source_names:
                names = list(source_names)
            elif pending:  # announced again as it was, without the teacher
                names = [s["name"] for s in pending[0].sources_announced]
            else:  # a re-draw needs values not yet known: the parent's sources, at a new event
                names = [f"重抽：{s['name']}" for s in parent.sources_announced] if parent else []
            when = event_at
            if when is None and pending and pending[0].event_at and pending[0].event_at > timeutil.utcnow():
                when = pending[0].event_at  # the same event, announced again without the teacher
            if when is None:  # R-DRAW-1: a new event, never now; moving it is a public void and re-announce
                when = timeutil.beijing_midnight(timeutil.beijing_today() + timedelta(days=1)) + REDRAW_HOUR
            if unit.confirmed_at is not None and vacancies(unit) > 0 and names:
                try:
                    announced.append(_announce_unit_draw(unit, names, by=by, event_at=when))
                except (
                    DomainError
                ) as error:  # e.g. nobody left to draw: the vacancy stays, the reason is logged
                    _audit_unit(
                        by, "advancement.redraw_not_possible", unit, f"{unit.name}无法重抽：{error.message}"
                    )
        if stage.frozen_at is not None:
            _audit_unit(
                by,
                "advancement.quota_kept",
                unit,
                f"{stage.label}名额已冻结，{unit.name}名额不因取消资格而重算",
                after={"quota": unit.quota, "recommended": unit.recommended, "drawn": unit.drawn},
            )
    return announced
