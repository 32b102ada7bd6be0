"""Award verbs and previews (R-AW-1..3): compute, preview, publish (snapshot), withdraw.

Services flush and never commit; they take the acting user and raise DomainError/NotAllowed with a
Chinese message. Who publishes what follows R-COMP-1: the semifinal is run by the district, so each
district's semifinal awards are published by that district (or the city); the final and the team
and organisation awards are published by the city.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from app.audit.services import record
from app.auth.models import User
from app.awards.models import (
    INDIVIDUAL_PRIZES,
    AbsenceKind,
    Award,
    AwardKind,
    AwardRelease,
    Prize,
    StageAbsence,
)
from app.awards.rules import (
    TeamFigures,
    TeamPlace,
    assign_prizes,
    deserves_organisation_award,
    prize_counts,
    rank_teams,
    to_percent,
)
from app.codes import READABLE_ALPHABET, normalise_code, random_code
from app.competitions.models import Competition, Group, Stage, StageKind, Subject
from app.errors import DomainError, NotAllowed, NotFound
from app.extensions import db
from app.judging.models import Appearance, Panel, PanelJudge, PanelStatus
from app.judging.results import EntryResult, stage_results
from app.judging.scoring import rank_entries
from app.orgs.models import City, District, School
from app.public.models import Objection, ObjectionStatus
from app.roles import Role
from app.rosters.models import Entry, StageEntrant
from app.rosters.queries import competitors_stmt
from app.rosters.rules import participation_rate, team_of
from app.rosters.services import SchoolRow, school_stats
from app.timeutil import utcnow

# Certificate codes (R-AW-2): 8 characters from 31 that cannot be confused when read aloud or typed
# (no 0/O, 1/I/L); 31⁸ ≈ 8.5 × 10¹¹ possibilities, drawn with ``secrets``.
CODE_ALPHABET = READABLE_ALPHABET
CODE_LENGTH = 8
GROUP_ORDER = {g: i for i, g in enumerate(Group)}


# ---------------------------------------------------------------- scopes and access (R-ROLE-1)


@dataclass(frozen=True)
class Scope:
    """What one release covers: a kind and, for the semifinal, the district that ran it."""

    kind: AwardKind
    district_id: int | None = None

    @property
    def key(self) -> str:
        return (
            f"{self.kind.value}-{self.district_id}" if self.kind == AwardKind.SEMIFINAL else self.kind.value
        )


def parse_kind(value: str) -> AwardKind:
    try:
        return AwardKind(value)
    except ValueError:
        raise NotFound("没有这种奖项。") from None


def can_publish(user: User, scope: Scope) -> bool:
    """Semifinal awards: the district that ran it, or the city; everything else: the city only."""
    if scope.kind == AwardKind.SEMIFINAL:
        return user.role in (Role.CITY_ADMIN, Role.DISTRICT_ADMIN) and user.can_manage_district(
            scope.district_id
        )
    return user.role == Role.CITY_ADMIN


def check_publish(user: User, scope: Scope) -> None:
    if not can_publish(user, scope):
        if scope.kind == AwardKind.SEMIFINAL:
            raise NotAllowed("该区县的复赛奖项超出您的管理范围：复赛奖项由本区县教育局（或市教育局）发布。")
        raise NotAllowed(f"{scope.kind.label}由市教育局发布，超出您的管理范围。")


def live_release(competition_id: int, scope: Scope) -> AwardRelease | None:
    return db.session.scalar(
        sa.select(AwardRelease).where(
            AwardRelease.competition_id == competition_id,
            AwardRelease.scope_key == scope.key,
            AwardRelease.live.is_(True),
        )
    )


# ---------------------------------------------------------------- individual prizes (R-AW-1)


@dataclass
class PrizeRow:
    entry: Entry
    result: EntryResult | None
    rank: int | None  # within the pool
    prize: Prize | None


@dataclass
class Pool:
    """One ranking pool: a group (× subject when ranked by subject), within a district for the semifinal."""

    group: Group
    subject: Subject | None
    rows: list[PrizeRow] = field(default_factory=list)
    nominal: list[int] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.rows)

    @property
    def given(self) -> list[int]:
        return [sum(1 for r in self.rows if r.prize == p) for p in INDIVIDUAL_PRIZES[: len(self.nominal)]]

    @property
    def unscored(self) -> int:
        return sum(1 for r in self.rows if r.rank is None)

    @property
    def title(self) -> str:
        return self.group.label + (f" · {self.subject.label}" if self.subject is not None else "")


def stage_for(competition: Competition, kind: AwardKind) -> Stage:
    return competition.stage(StageKind.SEMIFINAL if kind == AwardKind.SEMIFINAL else StageKind.FINAL)


def prize_ratios(competition: Competition, kind: StageKind) -> list[Decimal]:
    """R-AW-1 settings of the competition for a stage: semifinal 一/二等奖, final 一/二/三等奖."""
    if kind == StageKind.SEMIFINAL:
        return [competition.semifinal_first_ratio, competition.semifinal_second_ratio]
    return [competition.final_first_ratio, competition.final_second_ratio, competition.final_third_ratio]


def individual_pools(stage: Stage, district_id: int | None = None) -> list[Pool]:
    """R-AW-1 prizes of a stage, pool by pool, as they would be published now.

    Pools: group (× subject when the competition ranks by subject), and for the semifinal only the
    competitors of ``district_id`` — each district runs and awards its own semifinal, so ranks are
    re-computed within the district (R-RANK-1 keys: aggregate, then the item aggregates). Every
    competitor counts towards the pool size; those without a result yet get no prize.
    """
    competition = stage.competition
    stmt = competitors_stmt(stage).options(
        selectinload(Entry.school).selectinload(School.district), selectinload(Entry.subject)
    )
    if district_id is not None:
        stmt = stmt.join(School, School.id == Entry.school_id).where(School.district_id == district_id)
    entries = db.session.scalars(stmt).all()
    # Only these competitors' aggregates, unranked: the stage-wide ranks would be recomputed per pool anyway.
    results = stage_results(stage, entry_ids=[e.id for e in entries], ranked=False)
    by_entry = {r.entry_id: r for r in results}
    ratios = prize_ratios(competition, stage.kind)

    pools: dict[tuple, Pool] = {}
    for entry in entries:
        subject = entry.subject if competition.rank_by_subject else None
        key = (entry.group, subject.id if subject else None)
        pool = pools.setdefault(key, Pool(entry.group, subject))
        pool.rows.append(PrizeRow(entry, by_entry.get(entry.id), None, None))
    for pool in pools.values():
        ranks = rank_entries(
            [
                (
                    r.entry.id,
                    r.result.aggregate if r.result else None,
                    r.result.item_aggregates if r.result else (),
                )
                for r in pool.rows
            ]
        )
        prizes = assign_prizes(ranks, pool.size, ratios)
        pool.nominal = prize_counts(pool.size, ratios)
        for row in pool.rows:
            row.rank = ranks[row.entry.id]
            index = prizes.get(row.entry.id)
            row.prize = INDIVIDUAL_PRIZES[index] if index is not None else None
        pool.rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.entry.entrant_number))
    return sorted(
        pools.values(),
        key=lambda p: (
            GROUP_ORDER[p.group],
            p.subject.level.value if p.subject else "",
            p.subject.position if p.subject else 0,
        ),
    )


# ---------------------------------------------------------------- scoring complete? (R-AW-1)


@dataclass
class OpenPanel:
    """A panel of the scope still scoring, with its competitors who have no final result yet."""

    name: str
    status: PanelStatus
    waiting: int


@dataclass
class Readiness:
    """R-AW-1: whether every competitor of a prize scope has a final result or an absence record."""

    competitors: int
    final: int
    absences: dict[int, StageAbsence]
    missing: list[Entry]  # no final result and not recorded absent/withdrawn
    panels: list[OpenPanel]

    @property
    def ready(self) -> bool:
        return self.competitors > 0 and not self.missing

    def message(self) -> str:
        names = "、".join(f"{e.entrant_number}号{e.name}" for e in self.missing[:10])
        more = f"等 {len(self.missing)} 人" if len(self.missing) > 10 else ""
        text = f"评分尚未完成，不能发布：{len(self.missing)} 名选手没有最终成绩（{names}{more}）"
        if self.panels:
            text += "；仍在评分的评委组：" + "、".join(f"{p.name}（{p.status.label}）" for p in self.panels)
        return text + "。请等评分完成，或为缺考、弃权的选手登记原因后再发布。"


def stage_absences(stage: Stage, entry_ids: list[int]) -> dict[int, StageAbsence]:
    if not entry_ids:
        return {}
    rows = db.session.scalars(
        sa.select(StageAbsence).where(StageAbsence.stage_id == stage.id, StageAbsence.entry_id.in_(entry_ids))
    )
    return {a.entry_id: a for a in rows}


def readiness(stage: Stage, pools: list[Pool]) -> Readiness:
    """R-AW-1: a result is final when its aggregate exists and every judge of the teacher's panel has
    submitted a sheet for them (R-SCORE-3: before that it is provisional); a competitor without one
    must be recorded absent (缺考) or withdrawn (弃权) with a reason before the list can be published.

    Example: a panel of 3 judges, 5 competitors; 4 have 3 submitted sheets, one has 2 → not ready,
    the fifth is listed with the panel "评分中"; once the fifth is recorded 缺考 (or the third judge
    submits) the list is ready.
    """
    rows = [r for p in pools for r in p.rows]
    ids = [r.entry.id for r in rows]
    panel_of: dict[int, tuple[int, str, PanelStatus]] = {}
    judges: dict[int, int] = {}
    if ids:
        for entry_id, panel_id, name, status in db.session.execute(
            sa.select(Appearance.entry_id, Panel.id, Panel.name, Panel.status)
            .join(Panel, Panel.id == Appearance.panel_id)
            .where(Appearance.stage_id == stage.id, Appearance.entry_id.in_(ids))
        ):
            panel_of[entry_id] = (panel_id, name, status)
        panel_ids = {p for p, _, _ in panel_of.values()}
        if panel_ids:
            judges = dict(
                db.session.execute(
                    sa.select(PanelJudge.panel_id, sa.func.count())
                    .where(PanelJudge.panel_id.in_(panel_ids))
                    .group_by(PanelJudge.panel_id)
                ).all()
            )
    absences = stage_absences(stage, ids)
    missing: list[Entry] = []
    waiting: dict[int, OpenPanel] = {}
    final = 0
    for row in rows:
        panel = panel_of.get(row.entry.id)
        needed = judges.get(panel[0], 0) if panel else 0
        result = row.result
        if result is not None and result.aggregate is not None and result.sheets_submitted >= needed:
            final += 1
            continue
        if row.entry.id in absences:
            continue
        missing.append(row.entry)
        if panel is not None and panel[2] != PanelStatus.CLOSED:
            waiting.setdefault(panel[0], OpenPanel(panel[1], panel[2], 0)).waiting += 1
    missing.sort(key=lambda e: e.entrant_number)
    return Readiness(len(rows), final, absences, missing, sorted(waiting.values(), key=lambda p: p.name))


def can_record_absence(user: User, stage: Stage, entry: Entry) -> bool:
    """The organiser of the prize scope the teacher belongs to (the district for the semifinal)."""
    kind = AwardKind.SEMIFINAL if stage.kind == StageKind.SEMIFINAL else AwardKind.FINAL
    district_id = entry.school.district_id if kind == AwardKind.SEMIFINAL else None
    return can_publish(user, Scope(kind, district_id))


def record_absence(stage: Stage, entry: Entry, kind: AbsenceKind, reason: str, *, by: User) -> StageAbsence:
    """R-AW-1: record a competitor of ``stage`` absent (缺考) or withdrawn (弃权), with a reason; audited."""
    if not can_record_absence(by, stage, entry):
        raise NotAllowed("该选手不在您的管理范围内。")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise DomainError("请填写缺考或弃权的原因。", field="reason")
    if len(reason) > 500:
        raise DomainError("原因最多500字。", field="reason")
    if (
        db.session.scalar(
            sa.select(StageEntrant.id).where(
                StageEntrant.stage_id == stage.id, StageEntrant.entry_id == entry.id
            )
        )
        is None
    ):
        raise DomainError(f"{entry.name}不是{stage.label}选手。")
    if db.session.scalar(
        sa.select(StageAbsence.id).where(StageAbsence.stage_id == stage.id, StageAbsence.entry_id == entry.id)
    ):
        raise DomainError(f"{entry.name}已登记为缺考或弃权。")
    absence = StageAbsence(
        stage_id=stage.id, entry_id=entry.id, kind=kind, reason=reason, recorded_by_id=by.id
    )
    db.session.add(absence)
    db.session.flush()
    record(
        by,
        "awards.absence_recorded",
        "entry",
        entry.id,
        f"登记{entry.name}{stage.label}{kind.label}",
        after={"stage": stage.kind.value, "kind": kind.value},
        reason=reason,
        competition_id=entry.competition_id,
        district_id=entry.school.district_id,
    )
    return absence


def clear_absence(absence: StageAbsence, *, by: User) -> None:
    """Take back an absence record (e.g. entered by mistake); audited."""
    stage = db.session.get(Stage, absence.stage_id)
    entry = absence.entry
    if not can_record_absence(by, stage, entry):
        raise NotAllowed("该选手不在您的管理范围内。")
    record(
        by,
        "awards.absence_cleared",
        "entry",
        entry.id,
        f"撤销{entry.name}{stage.label}{absence.kind.label}登记",
        before={"kind": absence.kind.value, "reason": absence.reason},
        competition_id=entry.competition_id,
        district_id=entry.school.district_id,
    )
    db.session.delete(absence)
    db.session.flush()


# ---------------------------------------------------------------- team and organisation awards (R-AW-3)


def _schools_with_teachers(competition: Competition) -> dict[int, SchoolRow]:
    """R-ROS-1 figures of every school with anyone listed, from the rosters domain (one definition)."""
    return {row.school.id: row for row in school_stats(None, competition) if row.listed}


def prized_by_school(competition: Competition) -> dict[int, int]:
    """Distinct teachers per school holding a live semifinal or final prize (disqualified ones excluded)."""
    rows = db.session.execute(
        sa.select(Entry.school_id, sa.func.count(sa.distinct(Award.entry_id)))
        .join(AwardRelease, AwardRelease.id == Award.release_id)
        .join(Entry, Entry.id == Award.entry_id)
        .where(
            AwardRelease.competition_id == competition.id,
            AwardRelease.live.is_(True),
            AwardRelease.kind.in_([AwardKind.SEMIFINAL, AwardKind.FINAL]),
            Entry.disqualified_at.is_(None),
        )
        .group_by(Entry.school_id)
    ).all()
    return {sid: int(n) for sid, n in rows}


def missing_individual_releases(competition: Competition) -> list[str]:
    """Individual lists a team award depends on that are not published yet (names, for the message)."""
    semifinal = competition.stage(StageKind.SEMIFINAL)
    districts = db.session.execute(
        sa.select(District.id, District.name)
        .join(School, School.district_id == District.id)
        .join(Entry, Entry.school_id == School.id)
        .join(StageEntrant, StageEntrant.entry_id == Entry.id)
        .where(StageEntrant.stage_id == semifinal.id)
        .group_by(District.id, District.name)
        .order_by(District.name)
    ).all()
    live = set(
        db.session.scalars(
            sa.select(AwardRelease.scope_key).where(
                AwardRelease.competition_id == competition.id, AwardRelease.live.is_(True)
            )
        )
    )
    missing = [
        f"{name}复赛奖项" for did, name in districts if Scope(AwardKind.SEMIFINAL, did).key not in live
    ]
    if AwardKind.FINAL.value not in live:
        missing.append("决赛奖项")
    return missing


@dataclass
class TeamRow:
    place: TeamPlace
    school: School
    category: str

    @property
    def share(self) -> Decimal:
        """Prize share as shown and published (the ranking itself compares exact fractions)."""
        return to_percent(self.place.figures.share)

    @property
    def participation(self) -> Decimal:
        return to_percent(self.place.figures.participation)


def team_preview(competition: Competition) -> dict[str, list[TeamRow]]:
    """R-AW-3 优秀团队奖, central and non-central schools ranked separately (R-GRP-2).

    A school's competitors are its teachers with status 参赛; prizes are the published (live)
    semifinal and final prizes. Each school is its own team; its category is whether it is a central
    school (village schools affiliated to a central school are non-central schools).
    """
    counts = _schools_with_teachers(competition)
    prized = prized_by_school(competition)
    out: dict[str, list[TeamRow]] = {}
    for category in ("中心校", "非中心校"):
        figures = [
            TeamFigures(sid, c.competing, prized.get(sid, 0), c.listed - c.excluded)
            for sid, c in counts.items()
            if team_of(c.school) == category
        ]
        places = rank_teams(figures, competition.team_award_ratio)
        out[category] = [TeamRow(p, counts[p.figures.key].school, category) for p in places]
    return out


def upheld_objections_by_school(competition: Competition) -> dict[int, int]:
    """Per school: objections upheld against its teachers (R-PUB-2), for R-AW-3 组织奖."""
    rows = db.session.execute(
        sa.select(Entry.school_id, sa.func.count())
        .join(Objection, Objection.entry_id == Entry.id)
        .where(Entry.competition_id == competition.id, Objection.status == ObjectionStatus.UPHELD)
        .group_by(Entry.school_id)
    ).all()
    return {sid: int(n) for sid, n in rows}


def fraud_by_school(competition: Competition) -> dict[int, int]:
    """Per school: teachers disqualified for fraud (弄虚作假) in this competition, for R-AW-3 组织奖.

    However it was recorded: a disqualification entered on the entry (``Entry.disqualified_at``, which
    the portal sets only for fraud) or an objection upheld for fraud; each teacher counts once.
    """
    upheld_fraud = (
        sa.select(Objection.id)
        .where(
            Objection.entry_id == Entry.id,
            Objection.status == ObjectionStatus.UPHELD,
            Objection.fraud.is_(True),
        )
        .exists()
    )
    rows = db.session.execute(
        sa.select(Entry.school_id, sa.func.count(sa.distinct(Entry.id)))
        .where(
            Entry.competition_id == competition.id,
            sa.or_(Entry.disqualified_at.is_not(None), upheld_fraud),
        )
        .group_by(Entry.school_id)
    ).all()
    return {sid: int(n) for sid, n in rows}


@dataclass
class OrgRow:
    category: str  # 学校 / 区县
    name: str
    district: District
    school: School | None
    on_time: bool
    competitors: int
    eligible: int
    upheld: int
    awarded: bool
    fraud: int = 0  # teachers disqualified for 弄虚作假

    @property
    def participation(self) -> Decimal | None:
        """R-ROS-1 participation rate, as the rosters domain computes it (eligible = listed − excluded)."""
        return participation_rate(listed=self.eligible, competing=self.competitors, excluded=0)


def organisation_preview(competition: Competition) -> list[OrgRow]:
    """R-AW-3 组织奖: every district, then every school with teachers to take part, with the three tests.

    A district qualifies when all its schools with eligible teachers were on time, its own
    participation (summed over its schools) is 100%, no objection against its teachers was upheld
    and none of its teachers was disqualified for fraud, however that was recorded.
    """
    counts = _schools_with_teachers(competition)
    upheld = upheld_objections_by_school(competition)
    fraud = fraud_by_school(competition)
    schools: list[OrgRow] = []
    for sid, c in sorted(counts.items(), key=lambda kv: kv[1].school.code):
        eligible = c.listed - c.excluded
        if eligible == 0:
            continue  # e.g. a district-seat school: nobody in scope, nothing to organise
        schools.append(
            OrgRow(
                "学校",
                c.school.name,
                c.school.district,
                c.school,
                c.on_time,
                c.competing,
                eligible,
                upheld.get(sid, 0),
                deserves_organisation_award(
                    c.on_time, c.competing, eligible, upheld.get(sid, 0), fraud.get(sid, 0)
                ),
                fraud.get(sid, 0),
            )
        )
    districts: dict[int, list[OrgRow]] = defaultdict(list)
    for row in schools:
        districts[row.district.id].append(row)
    out: list[OrgRow] = []
    for rows in sorted(districts.values(), key=lambda rs: rs[0].district.code):
        district = rows[0].district
        ok = all(r.on_time for r in rows)
        comp, elig, up, cheats = (
            sum(r.competitors for r in rows),
            sum(r.eligible for r in rows),
            sum(r.upheld for r in rows),
            sum(r.fraud for r in rows),
        )
        out.append(
            OrgRow(
                "区县",
                district.name,
                district,
                None,
                ok,
                comp,
                elig,
                up,
                deserves_organisation_award(ok, comp, elig, up, cheats),
                cheats,
            )
        )
    return out + schools


# ---------------------------------------------------------------- publishing


def new_codes(count: int) -> list[str]:
    """``count`` fresh verification codes, distinct from each other and from every stored code."""
    codes: set[str] = set()
    while len(codes) < count:
        wanted = count - len(codes)
        batch = {random_code(CODE_LENGTH) for _ in range(wanted)}
        taken = set(db.session.scalars(sa.select(Award.code).where(Award.code.in_(batch))))
        codes |= batch - taken
    return list(codes)


def issuer_for(scope: Scope, district: District | None) -> str:
    if scope.kind == AwardKind.SEMIFINAL and district is not None:
        return f"{district.name}教育局"
    city = db.session.scalar(sa.select(City).order_by(City.id).limit(1))
    return f"{city.name}教育局" if city else "市教育局"


def _individual_awards(competition: Competition, scope: Scope) -> list[Award]:
    stage = stage_for(competition, scope.kind)
    pools = individual_pools(stage, scope.district_id)
    if not pools:
        raise DomainError(f"该范围内没有{stage.label}选手，无需发布。")
    ready = readiness(stage, pools)
    if not ready.ready:
        raise DomainError(ready.message())  # R-AW-1: refused on the server, not a tick-box
    awards = []
    for pool in pools:
        for row in pool.rows:
            if row.prize is None:
                continue
            e = row.entry
            awards.append(
                Award(
                    prize=row.prize,
                    entry_id=e.id,
                    school_id=e.school_id,
                    district_id=e.school.district_id,
                    recipient=e.name,
                    school_name=e.school.name,
                    district_name=e.school.district.name,
                    entrant_number=e.entrant_number,
                    group=e.group,
                    subject_label=e.subject.label,
                    rank=row.rank,
                    score=row.result.aggregate if row.result else None,
                )
            )
    return awards


def _team_awards(competition: Competition) -> list[Award]:
    missing = missing_individual_releases(competition)
    if missing:
        raise DomainError("优秀团队奖依据已发布的个人奖项计算，请先发布：" + "、".join(missing) + "。")
    awards = []
    for rows in team_preview(competition).values():
        for row in rows:
            if row.place.awarded:
                s = row.school
                awards.append(
                    Award(
                        prize=Prize.TEAM,
                        school_id=s.id,
                        district_id=s.district_id,
                        recipient=s.name,
                        school_name=s.name,
                        district_name=s.district.name,
                        category=row.category,
                        rank=row.place.rank,
                        score=row.share,
                        participation=row.participation,
                    )
                )
    return awards


def _organisation_awards(competition: Competition) -> list[Award]:
    return [
        Award(
            prize=Prize.ORGANISATION,
            school_id=r.school.id if r.school else None,
            district_id=r.district.id,
            recipient=r.name,
            school_name=r.school.name if r.school else None,
            district_name=r.district.name,
            category=r.category,
            participation=r.participation,
        )
        for r in organisation_preview(competition)
        if r.awarded
    ]


def planned_awards(competition: Competition, scope: Scope, *, by: User) -> list[Award]:
    """The awards publishing ``scope`` would issue now (unsaved), or the DomainError that refuses it.

    Used by the confirmation screen (numbers of prizes and certificates) and by :func:`publish`.
    Refused when the scope already has a live list (withdraw it first), when scoring is not complete
    (R-AW-1) or when nothing would be awarded.
    """
    check_publish(by, scope)
    if scope.kind == AwardKind.SEMIFINAL and db.session.get(District, scope.district_id or 0) is None:
        raise NotFound("没有这个区县。")
    if live_release(competition.id, scope) is not None:
        raise DomainError(
            "该奖项名单已经发布。发布后的名单不可更改；如确需更正，请先撤销（需填写原因）再重新发布。"
        )
    if scope.kind in (AwardKind.SEMIFINAL, AwardKind.FINAL):
        # May be empty (a pool too small for any prize): publishing it still says "results are final".
        return _individual_awards(competition, scope)
    awards = _team_awards(competition) if scope.kind == AwardKind.TEAM else _organisation_awards(competition)
    if not awards:
        raise DomainError("目前没有任何学校或区县符合获奖条件，无法发布空名单。")
    return awards


def tally(awards: list[Award]) -> dict[str, int]:
    """Prizes by name, in prize order (for the confirmation screen and the audit line)."""
    out: dict[str, int] = {}
    for prize in Prize:
        n = sum(1 for a in awards if a.prize == prize)
        if n:
            out[prize.label] = n
    return out


def publish(competition: Competition, scope: Scope, *, by: User) -> AwardRelease:
    """Publish the awards of ``scope`` as they stand now: a snapshot with verification codes, audited (R-AUD-1)."""
    awards = planned_awards(competition, scope, by=by)
    district = db.session.get(District, scope.district_id) if scope.district_id is not None else None
    for position, (award, code) in enumerate(zip(awards, new_codes(len(awards))), start=1):
        award.position, award.code = position, code
    release = AwardRelease(
        competition=competition,
        kind=scope.kind,
        district=district,
        scope_key=scope.key,
        stage=stage_for(competition, scope.kind)
        if scope.kind in (AwardKind.SEMIFINAL, AwardKind.FINAL)
        else None,
        issuer=issuer_for(scope, district),
        live=True,
        published_at=utcnow(),
        published_by_id=by.id,
        awards=awards,
    )
    db.session.add(release)
    try:
        db.session.flush()
    except sa.exc.IntegrityError:
        # Another organiser published the same scope a moment ago: the unique (scope, live) key wins.
        raise DomainError("该奖项名单刚刚已由其他管理员发布，请刷新页面查看。") from None
    counts = tally(awards)
    record(
        by,
        "awards.publish",
        "award_release",
        release.id,
        f"发布{release.title}：" + "，".join(f"{k} {v} 名" for k, v in counts.items()),
        after={"scope": scope.key, "awards": len(awards), **counts},
        competition_id=competition.id,
        district_id=scope.district_id,
    )
    return release


def withdraw(release: AwardRelease, reason: str, *, by: User) -> AwardRelease:
    """Withdraw a published list (only explicitly, with a reason; audited). Its certificates stop verifying."""
    scope = Scope(release.kind, release.district_id)
    check_publish(by, scope)
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise DomainError("请填写撤销原因（至少4个字），原因会记入审计日志。", field="reason")
    if not release.live:
        raise DomainError("该名单已经撤销。")
    if release.kind in (AwardKind.SEMIFINAL, AwardKind.FINAL):
        team = live_release(release.competition_id, Scope(AwardKind.TEAM))
        if team is not None:
            raise DomainError("优秀团队奖是依据此名单计算的，请先撤销优秀团队奖，再撤销此名单。")
    release.live = None
    release.withdrawn_at = utcnow()
    release.withdrawn_by_id = by.id
    release.withdraw_reason = reason
    db.session.flush()
    record(
        by,
        "awards.withdraw",
        "award_release",
        release.id,
        f"撤销{release.title}（{len(release.awards)} 项）",
        before={"live": True},
        after={"live": False},
        reason=reason,
        competition_id=release.competition_id,
        district_id=release.district_id,
    )
    return release


def award_by_code(code: str) -> Award | None:
    """The award a certificate code belongs to, with its release and competition (R-AW-2)."""
    normal = normalise_code(code)
    if len(normal) != CODE_LENGTH:
        return None
    return db.session.scalar(
        sa.select(Award)
        .where(Award.code == normal)
        .options(
            joinedload(Award.release).joinedload(AwardRelease.competition),
            joinedload(Award.release).joinedload(AwardRelease.stage),
            joinedload(Award.entry),
        )
    )
