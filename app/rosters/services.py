"""Verbs on the whole-staff roster (SPEC §3). Flush, never commit; no Flask globals."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app import signals
from app.audit import services as audit
from app.competitions.models import Competition, Group, Level, Subject
from app.competitions.rules import group_for
from app.errors import DomainError, NotAllowed, get_or_raise
from app.extensions import db
from app.orgs.models import School, SchoolLevel
from app.orgs.services import school_in_scope  # noqa: F401  (R-ROLE-1, re-exported for the views)
from app.roles import Role
from app.rosters import permissions, rules, scans
from app.rosters.idcard import IdInfo, IdNumberError, parse_id_number
from app.rosters.models import (
    OPEN_STATES,
    Entry,
    EntryStatus,
    ExemptionApplication,
    ExemptionReason,
    ExemptionState,
    StampedList,
)
from app.timeutil import utcnow

PHONE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")
ENTRY_FIELDS = (
    "name",
    "id_number",
    "subject_id",
    "phone",
    "award_name",
    "award_year",
    "group",
    "status",
    "status_reason",
)


# ---------------------------------------------------------------- scope and lock


def entry_in_scope(user, entry_id: int) -> Entry:
    """R-ROLE-1: a roster row of a school the user manages."""
    entry = get_or_raise(Entry, entry_id, "该教师记录不存在。")
    if not user.can_manage_school(entry.school):
        raise NotAllowed("该教师不在您的管理范围内。")
    return entry


def edit_check(user, competition: Competition, *, today: date | None = None) -> bool:
    """R-ROS-5: may ``user`` change rosters now? Returns True when a reason is required (after the lock).

    Before the preliminary deadline school admins edit their own roster; afterwards only district
    (and city) admins do, each change with a reason in the audit log.
    """
    if not rules.roster_locked(competition, today):
        return False
    if user.role == Role.SCHOOL_ADMIN:
        deadline = rules.roster_deadline(competition)
        raise DomainError(
            f"名单已于 {deadline.isoformat()} 截止报送，学校不能再修改；如需更正，请联系区县教育局。"
        )
    return True


def need_reason(required: bool, reason: str | None) -> str | None:
    reason = (reason or "").strip()
    if required and not reason:
        raise DomainError("名单已截止，修改须填写原因（将记入审计日志）。", field="reason")
    return reason or None


# ---------------------------------------------------------------- one row


@dataclass
class Derived:
    """What the portal derives from an ID number and a subject (R-ROS-2, R-GRP-1)."""

    info: IdInfo
    group: Group | None


def derive(raw_id: str, subject: Subject | None, competition: Competition) -> Derived:
    """R-ROS-2 + R-GRP-1: validated ID, birth date, sex and (with a subject) the group."""
    info = parse_id_number(raw_id)
    group = group_for(info.birth_date, subject.level, competition.youth_cutoff) if subject else None
    return Derived(info, group)


def subject_allowed(subject: Subject, school: School) -> bool:
    """A primary school's teachers take primary subjects, a junior school's junior ones; 九年一贯 both."""
    if school.level == SchoolLevel.NINE_YEAR:
        return True
    return subject.level == (Level.PRIMARY if school.level == SchoolLevel.PRIMARY else Level.JUNIOR)


def duplicate_message(other_school: str, other_number: int, other_name: str | None = None) -> str:
    """R-ROS-2: a duplicate names the place it already occupies."""
    who = f"，姓名“{other_name}”" if other_name else ""
    return f"该身份证号已在“{other_school}”的名单中（参赛编号 {other_number}{who}），同一赛事不能重复报名"


def find_duplicate(competition_id: int, id_number: str, exclude_entry_id: int | None = None):
    """R-ROS-2: (entrant number, name, school name) of the row already holding ``id_number`` in the competition."""
    stmt = (
        sa.select(Entry.entrant_number, Entry.name, School.name)
        .join(School, School.id == Entry.school_id)
        .where(Entry.competition_id == competition_id, Entry.id_number == id_number)
    )
    if exclude_entry_id:
        stmt = stmt.where(Entry.id != exclude_entry_id)
    return db.session.execute(stmt.limit(1)).first()


def duplicate_in_scope(
    user, competition_id: int, id_number: str, exclude_entry_id: int | None = None
) -> str | None:
    """R-ROS-2 for the as-you-type check (issue 12.7): a duplicate only where ``user`` manages the school.

    A row of a school outside the caller's scope is not mentioned — neither its school nor its number —
    so the check cannot be used to look teachers up across the city; saving still refuses the duplicate.
    """
    stmt = (
        sa.select(Entry.entrant_number, Entry.name, School)
        .join(School, School.id == Entry.school_id)
        .where(Entry.competition_id == competition_id, Entry.id_number == id_number)
    )
    if exclude_entry_id:
        stmt = stmt.where(Entry.id != exclude_entry_id)
    for number, name, school in db.session.execute(stmt):
        if school.id == user.school_id:
            return f"该身份证号已在本校名单中（参赛编号 {number}，姓名“{name}”），同一赛事不能重复报名"
        if user.can_manage_school(school):
            return duplicate_message(school.name, number, name)
    return None


def duplicate_of(competition_id: int, id_number: str, exclude_entry_id: int | None = None) -> str | None:
    """R-ROS-2: the message for an ID number another row of the competition holds, naming that row."""
    clash = find_duplicate(competition_id, id_number, exclude_entry_id)
    return duplicate_message(clash[2], clash[0], clash[1]) + "。" if clash else None


def allocate_numbers(competition: Competition, count: int) -> int:
    """Entrant numbers are unique per competition: the first of ``count`` consecutive new numbers.

    The competition row is locked first (PostgreSQL), so two schools saving at once cannot take the same
    number; SQLite serialises writers anyway.
    """
    db.session.execute(sa.select(Competition.id).where(Competition.id == competition.id).with_for_update())
    top = db.session.scalar(
        sa.select(sa.func.max(Entry.entrant_number)).where(Entry.competition_id == competition.id)
    )
    return (top or 0) + 1


@dataclass
class Problem:
    """One thing wrong with a roster row: the field it concerns and a complete Chinese sentence."""

    field: str  # name, id_number, level, subject_id, phone, award_name, award_year
    message: str


@dataclass
class CleanRow:
    """A roster row that passed every check (R-ROS-1/2/3, R-GRP-1), ready to be stored."""

    name: str
    info: IdInfo
    subject: Subject
    group: Group
    phone: str | None
    award_name: str | None
    award_year: int | None


def unknown_subject(competition: Competition, level: Level | None, typed: str) -> str:
    """The message for a subject the competition does not have, listing those it has at that level."""
    names = "、".join(s.name for s in competition.subjects if level is None or s.level == level)
    where = f"本赛事{level.label}" if level else "本赛事"
    return f"{where}没有“{typed}”学科（可填：{names}）。"


def clean_row(
    competition: Competition,
    school: School,
    *,
    name,
    id_number,
    subject: Subject | None,
    subject_problem: Problem | None = None,
    phone=None,
    award_name=None,
    award_year=None,
    clash_of=None,
) -> tuple[CleanRow | None, list[Problem]]:
    """R-ROS-2, R-GRP-1: the one roster-row cleaner, shared by the web form and the xlsx import.

    Every check runs and every problem is returned (same fields, same Chinese messages for both).
    ``subject`` is the subject the caller resolved (None: none chosen, or ``subject_problem`` says why);
    ``clash_of(id_number)`` answers the message for an ID number another row already holds, or None
    (R-ROS-2: a duplicate names the other place; see :func:`duplicate_of`).
    """
    problems: list[Problem] = []
    name = (name or "").strip() if isinstance(name, str) or name is None else str(name).strip()
    if not name:
        problems.append(Problem("name", "请填写姓名。"))
    elif len(name) > 64:
        problems.append(Problem("name", "姓名过长（最多64字）。"))
    info = None
    if id_number is None or (isinstance(id_number, str) and not id_number.strip()):
        problems.append(Problem("id_number", "请填写身份证号。"))
    else:
        try:
            info = parse_id_number(id_number)
        except IdNumberError as error:
            problems.append(Problem("id_number", f"身份证号有误：{error}"))
    if info is not None and clash_of is not None:
        clash = clash_of(info.number)
        if clash:
            problems.append(Problem("id_number", clash))
    if subject is None:
        problems.append(subject_problem or Problem("subject_id", "请选择任教学科。"))
    elif not subject_allowed(subject, school):
        problems.append(Problem("level", f"{school.level.label}的教师不能报{subject.label}。"))
        subject = None
    try:
        phone = _clean_phone(phone)
    except DomainError as error:
        problems.append(Problem(error.field, error.message))
    try:
        award_name, award_year = _clean_award(award_name, award_year, competition)
    except DomainError as error:
        problems.append(Problem(error.field, error.message))
    if problems:
        return None, problems
    group = group_for(info.birth_date, subject.level, competition.youth_cutoff)
    return CleanRow(name, info, subject, group, phone, award_name, award_year), []


def _clean_award(
    award_name: str | None, award_year, competition: Competition
) -> tuple[str | None, int | None]:
    name = (award_name or "").strip() or None
    if award_year in (None, ""):
        year = None
    else:
        try:
            year = int(str(award_year).strip())
        except ValueError:
            raise DomainError("获奖年份应为四位数字，如 2024。", field="award_year") from None
    if name and year is None:
        raise DomainError("填写了一等奖名称，请同时填写获奖年份。", field="award_year")
    if year is not None and not name:
        raise DomainError("填写了获奖年份，请同时填写一等奖名称。", field="award_name")
    if year is not None and not 1950 <= year <= competition.year:
        raise DomainError(f"获奖年份应在 1950 至 {competition.year} 之间。", field="award_year")
    if name and len(name) > 200:
        raise DomainError("一等奖名称过长（最多200字）。", field="award_name")
    return name, year


def _clean_phone(phone: str | None) -> str | None:
    phone = (phone or "").strip().replace(" ", "")
    if phone and not PHONE.match(phone):
        raise DomainError("手机号码应为11位手机号或带区号的固定电话。", field="phone")
    return phone or None


def entry_values(entry: Entry) -> dict:
    return {k: getattr(entry, k) for k in ENTRY_FIELDS}


def save_entry(
    actor,
    competition: Competition,
    school: School,
    entry: Entry | None,
    *,
    name: str,
    id_number: str,
    subject_id: int | None,
    phone: str | None = None,
    award_name: str | None = None,
    award_year=None,
    reason: str | None = None,
    today: date | None = None,
) -> Entry:
    """Add or edit one roster row (R-ROS-1/2/3, R-GRP-1), respecting the lock (R-ROS-5), audited (R-AUD-1)."""
    reason = need_reason(edit_check(actor, competition, today=today), reason)
    subject = db.session.get(Subject, subject_id) if subject_id else None
    if subject is not None and subject.competition_id != competition.id:
        subject = None
    row, problems = clean_row(
        competition,
        school,
        name=name,
        id_number=id_number,
        subject=subject,
        phone=phone,
        award_name=award_name,
        award_year=award_year,
        clash_of=lambda number: duplicate_of(competition.id, number, entry.id if entry else None),
    )
    if problems:
        first = problems[0]
        raise DomainError(first.message, field="subject_id" if first.field == "level" else first.field)
    name, derived = row.name, Derived(row.info, row.group)
    subject, phone, award_name, award_year = row.subject, row.phone, row.award_name, row.award_year
    exclusion = rules.exclusion_reason(
        school_is_seat=school.is_seat, award_name=award_name, award_year=award_year, competition=competition
    )
    approved = entry is not None and entry.status == EntryStatus.EXEMPT
    status, status_reason = rules.status_in_force(exclusion=exclusion, exemption_approved=approved)

    before = entry_values(entry) if entry else None
    if entry is None:
        entry = Entry(
            competition_id=competition.id,
            school_id=school.id,
            entrant_number=allocate_numbers(competition, 1),
        )
        db.session.add(entry)
    entry.name, entry.id_number, entry.sex, entry.birth_date = (
        name,
        derived.info.number,
        derived.info.sex,
        derived.info.birth_date,
    )
    entry.subject_id, entry.group, entry.phone = subject.id, derived.group, phone
    entry.award_name, entry.award_year, entry.status, entry.status_reason = (
        award_name,
        award_year,
        status,
        status_reason,
    )
    db.session.flush()
    after = entry_values(entry)
    if before != after:
        audit.record(
            actor,
            "roster.update" if before else "roster.create",
            "entry",
            entry.id,
            f"{'修改' if before else '新增'}教师 {name}（{school.name}）",
            before=before,
            after=after,
            reason=reason,
            competition_id=competition.id,
            district_id=school.district_id,
            school_id=school.id,
        )
    return entry


def delete_entry(actor, entry: Entry, *, reason: str | None = None, today: date | None = None) -> None:
    """Remove a teacher from the roster: before the lock, or by the district with a reason (R-ROS-5, R-AUD-1)."""
    competition = entry.competition
    reason = need_reason(edit_check(actor, competition, today=today), reason)
    before = entry_values(entry)
    audit.record(
        actor,
        "roster.delete",
        "entry",
        entry.id,
        f"删除教师 {entry.name}（{entry.school.name}）",
        before=before,
        reason=reason,
        competition_id=competition.id,
        district_id=entry.school.district_id,
        school_id=entry.school_id,
    )
    db.session.execute(sa.delete(ExemptionApplication).where(ExemptionApplication.entry_id == entry.id))
    db.session.delete(entry)
    db.session.flush()


# ---------------------------------------------------------------- exemptions (R-ROS-4)


def apply_exemption(
    actor, entry: Entry, *, reason: ExemptionReason, detail: str | None = None, today: date | None = None
) -> ExemptionApplication:
    """R-ROS-4: record a teacher's application; near-retirement is checked against the configured dates."""
    edit_check(actor, entry.competition, today=today)
    detail = (detail or "").strip() or None
    if entry.status == EntryStatus.EXCLUDED:
        raise DomainError("该教师不在参赛范围内，无需申请免赛。")
    if entry.status == EntryStatus.EXEMPT:
        raise DomainError("该教师已获准免赛。")
    if open_applications(Entry.id == entry.id):
        raise DomainError("该教师已有一份待审批的免赛申请。")
    if reason == ExemptionReason.RETIREMENT and not rules.near_retirement(
        entry.birth_date, entry.sex, entry.competition
    ):
        limit = (
            entry.competition.retire_male_before
            if entry.sex == "男"
            else entry.competition.retire_female_before
        )
        raise DomainError(
            f"按身份证，该教师（{entry.sex}，{entry.birth_date.isoformat()} 出生）距退休不少于5年："
            f"{entry.sex}教师须在 {limit.isoformat()} 之前出生才可按临近退休申请免赛。",
            field="reason",
        )
    if reason == ExemptionReason.HEALTH and not detail:
        raise DomainError("按身体健康原因申请免赛，请填写情况说明。", field="detail")
    application = ExemptionApplication(
        entry_id=entry.id, reason=reason, detail=detail, created_by_id=actor.id
    )
    application.entry = entry
    db.session.add(application)
    db.session.flush()
    _audit_exemption(actor, application, "exemption.apply", f"登记免赛申请：{entry.name}")
    return application


def review_exemption(
    actor, application: ExemptionApplication, *, approve: bool, note: str | None = None
) -> None:
    """R-ROS-4 school review: forward to the district, or stop the application here.

    Only the school reviews: a district (or city) admin may not take this step in the school's stead.
    """
    if not permissions.is_school_reviewer(actor, application.entry.school):
        raise NotAllowed("免赛申请须先由教师所在学校审核，区县教育局不能代替学校审核。")
    if application.state != ExemptionState.SUBMITTED:
        raise DomainError(f"该申请当前状态为“{application.state.label}”，不能再由学校审核。")
    if not approve and not (note or "").strip():
        raise DomainError("不同意时请填写理由。", field="note")
    application.state = ExemptionState.SCHOOL_APPROVED if approve else ExemptionState.SCHOOL_REJECTED
    application.school_reviewed_at, application.school_reviewed_by_id = utcnow(), actor.id
    application.school_note = (note or "").strip() or None
    db.session.flush()
    _audit_exemption(actor, application, "exemption.review", f"学校审核免赛申请：{application.entry.name}")


def decide_exemption(
    actor, application: ExemptionApplication, *, approve: bool, note: str | None = None
) -> None:
    """R-ROS-4 district decision: approved → the row becomes 免赛; refused → stays 参赛."""
    if not permissions.is_district_decider(actor, application.entry.school):
        raise NotAllowed("只有本区县教育局可以审批免赛申请（不在您的管理范围内）。")
    if application.state != ExemptionState.SCHOOL_APPROVED:
        raise DomainError(f"该申请当前状态为“{application.state.label}”，须先经学校审核通过。")
    if not approve and not (note or "").strip():
        raise DomainError("不批准时请填写理由。", field="note")
    entry = application.entry
    before = entry_values(entry)
    application.state = ExemptionState.APPROVED if approve else ExemptionState.REFUSED
    application.decided_at, application.decided_by_id = utcnow(), actor.id
    application.decision_note = (note or "").strip() or None
    if approve:
        entry.status, entry.status_reason = rules.status_in_force(exclusion=None, exemption_approved=True)
    db.session.flush()
    _audit_exemption(
        actor,
        application,
        "exemption.decide",
        f"区县{'批准' if approve else '未批准'}免赛：{entry.name}",
        before=before,
        after=entry_values(entry),
    )


def open_applications(*criteria) -> dict[int, ExemptionApplication]:
    """R-ROS-4: the applications still awaiting the school or the district, by entry id, for entries matching
    ``criteria`` (conditions on :class:`Entry`)."""
    return {
        a.entry_id: a
        for a in db.session.scalars(
            sa.select(ExemptionApplication)
            .join(Entry, Entry.id == ExemptionApplication.entry_id)
            .where(ExemptionApplication.state.in_(OPEN_STATES), *criteria)
        )
    }


def _audit_exemption(actor, application: ExemptionApplication, action: str, summary: str, **values) -> None:
    entry = application.entry
    # The ground (reason/detail) is private (R-PUB-1): the log keeps the state only.
    audit.record(
        actor,
        action,
        "exemption",
        application.id,
        summary,
        after=values.pop("after", {"state": application.state}),
        before=values.pop("before", None),
        competition_id=entry.competition_id,
        district_id=entry.school.district_id,
        school_id=entry.school_id,
    )


# ---------------------------------------------------------------- stamped list (R-ROS-5)

STAMPED_MAX_BYTES = 10 * 1024 * 1024


def stamped_list(competition_id: int, school_id: int) -> StampedList | None:
    """R-ROS-5: the school's stamped printout for the competition, if uploaded (its bytes stay deferred)."""
    return db.session.scalar(
        sa.select(StampedList).where(
            StampedList.competition_id == competition_id, StampedList.school_id == school_id
        )
    )


def sniff(data: bytes) -> tuple[str, str] | None:
    """R-ROS-5: (mimetype, extension) judged by content — the whole file must parse — never by the name."""
    return scans.kind_of(data)


def upload_stamped_list(
    actor, competition: Competition, school: School, filename: str, data: bytes
) -> StampedList:
    """R-ROS-5: store the stamped printout (PDF/JPG/PNG by content, ≤10 MB); a new upload replaces the old."""
    if not data:
        raise DomainError("上传的文件是空的。", field="file")
    if len(data) > STAMPED_MAX_BYTES:
        raise DomainError(
            f"文件过大（{len(data) / 1048576:.1f} MB），最大 10 MB；请降低扫描分辨率后重试。", field="file"
        )
    kind = sniff(data)
    if kind is None:
        raise DomainError(
            "只接受 PDF、JPG 或 PNG 格式的完整扫描件（按文件内容判断，改扩展名无效；"
            "文件损坏或不完整时请重新扫描）。",
            field="file",
        )
    mimetype, ext = kind
    stamped = stamped_list(competition.id, school.id)
    now = utcnow()
    if stamped is None:
        stamped = StampedList(competition_id=competition.id, school_id=school.id, first_uploaded_at=now)
        db.session.add(stamped)
    stem = (filename or "").rsplit(".", 1)[0][:150] or "盖章名单"
    stamped.filename, stamped.mimetype, stamped.size, stamped.data = (
        f"{stem}.{ext}",
        mimetype,
        len(data),
        data,
    )
    stamped.uploaded_at, stamped.uploaded_by_id = now, actor.id
    db.session.flush()
    audit.record(
        actor,
        "roster.stamped",
        "stamped_list",
        stamped.id,
        f"上传盖章名单（{school.name}）",
        after={"filename": stamped.filename, "size": stamped.size},
        competition_id=competition.id,
        district_id=school.district_id,
        school_id=school.id,
    )
    return stamped


# ---------------------------------------------------------------- dashboards (R-ROS-1)


@dataclass
class Counts:
    """R-ROS-1 figures of a school, a district or the city."""

    listed: int = 0
    competing: int = 0
    exempt: int = 0
    excluded: int = 0
    pending: int = 0  # exemption applications awaiting a decision (still counted as competing)
    rate: Decimal | None = None


@dataclass(kw_only=True)
class SchoolRow(Counts):
    school: School
    stamped_at: datetime | None = None
    on_time: bool = False


@dataclass(kw_only=True)
class Totals(Counts):
    submitted: int = 0
    schools: int = 0
    rows: list[SchoolRow] = field(default_factory=list)


def school_stats(user, competition: Competition, district_id: int | None = None) -> list[SchoolRow]:
    """R-ROS-1 per school in the user's scope (every school when ``user`` is None, for the awards of
    R-AW-3): listed, competing, exempted, excluded, rate, stamped list on time (R-ROS-5).

    Two queries: the schools with their district and stamped list, then the entries counted per school and
    status together with their open exemption applications (R-ROS-4).
    """
    stmt = (
        sa.select(School, StampedList.first_uploaded_at)
        .outerjoin(
            StampedList,
            sa.and_(StampedList.school_id == School.id, StampedList.competition_id == competition.id),
        )
        .where(user.school_scope_clause() if user is not None else sa.true())
        .options(joinedload(School.district))
        .order_by(School.district_id, School.code)
    )
    if district_id:
        stmt = stmt.where(School.district_id == district_id)
    deadline = rules.roster_deadline(competition)
    out = {
        school.id: SchoolRow(school=school, stamped_at=first, on_time=rules.on_time(first, deadline))
        for school, first in db.session.execute(stmt)
    }
    counts = db.session.execute(
        sa.select(
            Entry.school_id,
            Entry.status,
            sa.func.count(sa.distinct(Entry.id)),
            sa.func.count(ExemptionApplication.id),
        )
        .outerjoin(
            ExemptionApplication,
            sa.and_(ExemptionApplication.entry_id == Entry.id, ExemptionApplication.state.in_(OPEN_STATES)),
        )
        .where(Entry.competition_id == competition.id)
        .group_by(Entry.school_id, Entry.status)
    )
    for school_id, status, n, pending in counts:
        row = out.get(school_id)
        if row is None:
            continue
        row.listed += n
        row.pending += pending
        setattr(
            row,
            {
                EntryStatus.COMPETING: "competing",
                EntryStatus.EXEMPT: "exempt",
                EntryStatus.EXCLUDED: "excluded",
            }[EntryStatus(status)],
            n,
        )
    for row in out.values():
        row.rate = rules.participation_rate(listed=row.listed, competing=row.competing, excluded=row.excluded)
    return list(out.values())


def totals(rows: list[SchoolRow]) -> Totals:
    total = Totals(rows=rows, schools=len(rows))
    for row in rows:
        total.listed += row.listed
        total.competing += row.competing
        total.exempt += row.exempt
        total.excluded += row.excluded
        total.pending += row.pending
        total.submitted += 1 if row.stamped_at else 0
    total.rate = rules.participation_rate(
        listed=total.listed, competing=total.competing, excluded=total.excluded
    )
    return total


def by_district(rows: list[SchoolRow]) -> list[tuple[object, Totals]]:
    """City view: the per-school rows summed per district, in district order."""
    groups: dict[int, list[SchoolRow]] = {}
    for row in rows:
        groups.setdefault(row.school.district_id, []).append(row)
    return [(group[0].school.district, totals(group)) for group in groups.values()]


@signals.subject_removing.connect
def refuse_removing_a_subject_in_use(subject: Subject, **_) -> None:
    """A subject may be removed only while no teacher has entered it (R-COMP-2)."""
    used = db.session.scalar(
        sa.select(sa.func.count()).select_from(Entry).where(Entry.subject_id == subject.id)
    )
    if used:
        raise DomainError(f"已有 {used} 名教师报名{subject.label}，不能删除该学科。")
