"""Verbs of the public domain: listings, announcements, objections (R-PUB-1, R-PUB-2). Flush, never commit."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.advancement.services import disqualification_consequences, handle_disqualification
from app.audit.services import record
from app.auth.models import User
from app.codes import READABLE_ALPHABET, normalise_code, random_code
from app.competitions.models import Competition, Stage
from app.draws.models import Draw
from app.errors import DomainError, NotAllowed
from app.extensions import db
from app.orgs.models import District, School
from app.public.models import Announcement, Listing, Objection, ObjectionStatus
from app.rosters.models import Entry
from app.rosters.queries import competitors_stmt
from app.timeutil import beijing_midnight, utcnow

# Short, unambiguous (no 0/O, 1/I/L, U), unguessable: 30**10 ≈ 6×10^14 codes, looked up under a rate limit.
TRACKING_ALPHABET = READABLE_ALPHABET
TRACKING_LENGTH = 10
MAX_LISTING_DAYS = 30
PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


# ---------------------------------------------------------------- listings


def open_listing(
    stage: Stage,
    *,
    by: User,
    start: date,
    days: int | None = None,
    district: District | None = None,
    note: str | None = None,
) -> Listing:
    """R-PUB-2: open (or re-time) the public listing of ``stage`` — city-wide or for one district.

    The period starts at 00:00 Beijing time on ``start`` and lasts ``days`` days (default the
    competition's ``listing_days``, 5). City admins list anywhere; district admins their own district.
    """
    district_id = district.id if district is not None else None
    if not by.can_manage_district(district_id):  # None (city-wide): the city only
        raise NotAllowed("只能为本人管理范围内的区县开启公示（全市公示由市教育局开启）。")
    days = stage.competition.listing_days if days is None else days
    if not 1 <= days <= MAX_LISTING_DAYS:
        raise DomainError(f"公示天数应为 1–{MAX_LISTING_DAYS} 天。", field="days")
    listing = db.session.scalar(
        sa.select(Listing).where(Listing.stage_id == stage.id, _same_district(district_id))
    )
    opens_at = beijing_midnight(start)
    before = None
    if listing is None:
        listing = Listing(
            competition_id=stage.competition_id, stage=stage, district=district, created_by_id=by.id
        )
        db.session.add(listing)
    else:
        before = {"opens_at": listing.opens_at, "days": listing.days, "note": listing.note}
    listing.opens_at, listing.days, listing.closes_at = opens_at, days, opens_at + timedelta(days=days)
    listing.note = (note or "").strip() or None
    db.session.flush()
    scope = district.name if district is not None else "全市"
    record(
        by,
        "listing.open" if before is None else "listing.update",
        "listing",
        listing.id,
        f"{stage.label}公示（{scope}）：{start.isoformat()} 起 {days} 天",
        before=before,
        after={"opens_at": listing.opens_at, "days": days, "note": listing.note},
        competition_id=stage.competition_id,
        district_id=district_id,
    )
    return listing


def _same_district(district_id: int | None):
    return Listing.district_id.is_(None) if district_id is None else Listing.district_id == district_id


def listings_of(competition: Competition) -> list[Listing]:
    return list(
        db.session.scalars(
            sa.select(Listing)
            .where(Listing.competition_id == competition.id)
            .order_by(Listing.stage_id, Listing.district_id.nullsfirst())
        )
    )


def listing_for(listings: list[Listing], stage: Stage, district_id: int) -> Listing | None:
    """R-PUB-2: the listing covering a school of ``district_id`` in ``stage``: its district's, else the city's."""
    own = [l for l in listings if l.stage_id == stage.id and l.district_id == district_id]
    city = [l for l in listings if l.stage_id == stage.id and l.district_id is None]
    return (own or city or [None])[0]


# ---------------------------------------------------------------- announcements


def check_announcement_scope(by: User, district: District | None) -> None:
    """R-ROLE-1: the city posts city-wide and anywhere, a district admin for their own district."""
    if not by.can_manage_district(district.id if district is not None else None):
        raise NotAllowed("只能发布或修改本人管理范围内的公告（全市公告由市教育局发布）。")


def save_announcement(
    competition: Competition,
    announcement: Announcement | None,
    *,
    by: User,
    title: str,
    body: str,
    pinned: bool = False,
    district: District | None = None,
) -> Announcement:
    """Post a new announcement or edit one (audited); district admins post for their own district."""
    title, body = (title or "").strip(), (body or "").strip()
    if not title:
        raise DomainError("请填写公告标题。", field="title")
    if not body:
        raise DomainError("请填写公告正文。", field="body")
    if announcement is not None:
        district = announcement.district
    check_announcement_scope(by, district)
    before = None
    if announcement is None:
        announcement = Announcement(competition_id=competition.id, district=district, author_id=by.id)
        db.session.add(announcement)
    else:
        before = {"title": announcement.title, "pinned": announcement.pinned}
        announcement.updated_at = utcnow()
    announcement.title, announcement.body, announcement.pinned = title[:200], body, bool(pinned)
    db.session.flush()
    record(
        by,
        "announcement.post" if before is None else "announcement.edit",
        "announcement",
        announcement.id,
        f"公告：{announcement.title}",
        before=before,
        after={"title": announcement.title, "pinned": announcement.pinned},
        competition_id=competition.id,
        district_id=announcement.district_id,
    )
    return announcement


def delete_announcement(announcement: Announcement, *, by: User) -> None:
    check_announcement_scope(by, announcement.district)
    record(
        by,
        "announcement.delete",
        "announcement",
        announcement.id,
        f"删除公告：{announcement.title}",
        before={"title": announcement.title},
        competition_id=announcement.competition_id,
        district_id=announcement.district_id,
    )
    db.session.delete(announcement)
    db.session.flush()


# ---------------------------------------------------------------- objections


def new_tracking_code() -> str:
    """R-PUB-2: the code a filer uses to follow an objection (30**10 ≈ 6×10^14 possibilities)."""
    return random_code(TRACKING_LENGTH)


normalise_tracking_code = normalise_code


def find_by_tracking_code(text: str | None) -> Objection | None:
    code = normalise_tracking_code(text)
    if len(code) != TRACKING_LENGTH:
        return None
    return db.session.scalar(
        sa.select(Objection)
        .where(Objection.tracking_code == code)
        .options(
            joinedload(Objection.listing).joinedload(Listing.stage).joinedload(Stage.competition),
            joinedload(Objection.entry).joinedload(Entry.school).joinedload(School.district),
            joinedload(Objection.entry).joinedload(Entry.subject),
        )
    )


def is_listed(stage: Stage, entry: Entry) -> bool:
    """R-PUB-2: whether ``entry`` is on the list of ``stage`` (a competitor of it, not disqualified)."""
    stmt = competitors_stmt(stage).where(Entry.id == entry.id).with_only_columns(Entry.id)
    return db.session.scalar(stmt) is not None


def open_listing_for(stage: Stage, entry: Entry, now: datetime) -> Listing | None:
    """The listing of ``stage`` covering ``entry``'s school that is open at ``now``, if any."""
    listing = listing_for(listings_of(stage.competition), stage, entry.school.district_id)
    return listing if listing is not None and listing.is_open(now) else None


def file_objection(
    stage: Stage,
    entry: Entry,
    *,
    reason: str,
    filer_name: str | None = None,
    filer_phone: str | None = None,
    now: datetime | None = None,
) -> Objection:
    """R-PUB-2: an objection against a listed teacher, during the listing period only.

    Reason required; the filer's real name and phone are required unless the competition turned
    ``objection_requires_identity`` off. Returns the objection with its tracking code. Nothing about
    the filer goes to the audit log or any log line.
    """
    now = now or utcnow()
    reason = (reason or "").strip()
    filer_name, filer_phone = (filer_name or "").strip() or None, re.sub(r"\s", "", filer_phone or "") or None
    if not is_listed(stage, entry):
        raise DomainError("该教师不在本阶段公示名单中，无法提出异议。")
    listing = open_listing_for(stage, entry, now)
    if listing is None:
        raise DomainError("现在不在公示期内，无法提出异议。公示期见本页上方。")
    if len(reason) < 5:
        raise DomainError("请写明异议的理由和事实（至少5个字）。", field="reason")
    if len(reason) > 2000:
        raise DomainError("异议理由最多2000字。", field="reason")
    if stage.competition.objection_requires_identity:
        if not filer_name:
            raise DomainError("请填写您的真实姓名（仅供核实，不会公开）。", field="filer_name")
        if not filer_phone:
            raise DomainError("请填写联系电话（仅供核实，不会公开）。", field="filer_phone")
    if filer_name and len(filer_name) > 64:
        raise DomainError("姓名过长。", field="filer_name")
    if filer_phone and not PHONE_RE.match(filer_phone):
        raise DomainError("联系电话格式不正确：请填写11位手机号或带区号的固定电话。", field="filer_phone")
    objection = Objection(
        competition_id=stage.competition_id,
        listing=listing,
        entry=entry,
        reason=reason,
        filer_name=filer_name,
        filer_phone=filer_phone,
        tracking_code=new_tracking_code(),
        created_at=now,
    )
    db.session.add(objection)
    db.session.flush()
    record(
        None,
        "objection.file",
        "objection",
        objection.id,  # R-AUD-1, without the filer (R-PUB-2)
        f"异议 {objection.tracking_display}：{entry.entrant_number:04d} {entry.name}（{entry.school.name}）",
        competition_id=stage.competition_id,
        district_id=entry.school.district_id,
        school_id=entry.school_id,
    )
    return objection


def objection_scope_clause(user: User):
    """R-ROLE-1: the objections an admin may see and resolve — those against teachers of schools in scope."""
    return Objection.entry_id.in_(
        sa.select(Entry.id).join(School, School.id == Entry.school_id).where(user.school_scope_clause())
    )


def can_resolve(user: User, objection: Objection) -> bool:
    """R-PUB-2 with R-ROLE-1: the district (or the city) resolves, and only it sees who filed.

    A school never decides on, or learns who objected to, its own teachers (回避): it may read the
    objection and its outcome, so it can supply materials to the district, nothing more.
    """
    return user.can_manage_district(objection.entry.school.district_id)


def objection_access(user: User, objection: Objection, *, resolving: bool = False) -> bool:
    """R-ROLE-1: NotAllowed unless the objection's teacher is in ``user``'s scope; returns :func:`can_resolve`.

    ``resolving``: NotAllowed also for those who may only read it (the teacher's school, 回避).
    """
    if not user.can_manage_school(objection.entry.school):
        raise NotAllowed("该异议涉及的教师不在您的管理范围内。")
    resolver = can_resolve(user, objection)
    if resolving and not resolver:
        raise NotAllowed("处理异议不在学校的权限范围内：异议由区县或市教育局核实处理，学校回避。")
    return resolver


def resolve_objection(
    objection: Objection,
    *,
    by: User,
    outcome: ObjectionStatus,
    note: str,
    fraud: bool = False,
    now: datetime | None = None,
) -> list[Draw]:
    """R-PUB-2: dismiss or uphold an objection, with a public note; the audit log names who decided (R-AUD-1).

    Upheld for fraud (弄虚作假) disqualifies the teacher with the note as the public note, and — in the
    same transaction — hands the teacher to advancement, which removes them from quotas and shortlists
    and announces re-draws for drawn places that fall vacant (R-DRAW-2). Returns those re-draws.
    """
    now = now or utcnow()
    entry = objection.entry
    objection_access(by, objection, resolving=True)
    if objection.status != ObjectionStatus.PENDING:
        raise DomainError(f"该异议已处理（{objection.status.label}），处理结果不可更改。")
    if outcome not in (ObjectionStatus.DISMISSED, ObjectionStatus.UPHELD):
        raise DomainError("请选择处理结果：不成立或成立。", field="outcome")
    note = (note or "").strip()
    if not note:
        raise DomainError("请填写处理说明（将向异议人和公众公开，不要写入个人隐私）。", field="note")
    if len(note) > 500:
        raise DomainError("处理说明最多500字。", field="note")
    if fraud and outcome != ObjectionStatus.UPHELD:
        raise DomainError("只有异议成立时才能认定弄虚作假。", field="fraud")
    objection.status, objection.fraud, objection.resolution_note = outcome, bool(fraud), note
    objection.resolved_at, objection.resolved_by_id = now, by.id
    db.session.flush()
    who = f"{entry.entrant_number:04d} {entry.name}（{entry.school.name}）"
    record(
        by,
        "objection.resolve",
        "objection",
        objection.id,
        f"异议 {objection.tracking_display}：{who} — {outcome.label}{'（弄虚作假）' if fraud else ''}",
        before={"status": ObjectionStatus.PENDING},
        after={"status": outcome, "fraud": bool(fraud)},
        reason=note,
        competition_id=objection.competition_id,
        district_id=entry.school.district_id,
        school_id=entry.school_id,
    )
    if not fraud or entry.disqualified_at is not None:
        return []
    return disqualify(entry, by=by, note=note, now=now)


def disqualification_preview(objection: Objection, *, by: User) -> list[str]:
    """What upholding ``objection`` for fraud would do, in numbers and names, changing nothing
    (the confirmation screen, issue 15.7; R-PUB-2)."""
    objection_access(by, objection, resolving=True)
    entry = objection.entry
    if entry.disqualified_at is not None:
        return [f"{entry.name}已被取消资格，此次处理不再产生新的变动。"]
    who = f"{entry.entrant_number:04d} {entry.name}（{entry.school.name}）"
    lines = [
        f"{who}被取消本赛事参赛资格，公示名单上标注“已取消资格”并显示处理说明；其已发布奖项的证书不再通过验证。",
        *disqualification_consequences(entry),
        f"{entry.school.name}及{entry.school.district.name}不再符合组织奖条件。",
    ]
    return lines


def disqualify(entry: Entry, *, by: User, note: str, now: datetime) -> list[Draw]:
    """R-PUB-2: take the teacher out of the competition with a public note, audited (R-AUD-1)."""
    entry.disqualified_at, entry.disqualified_note = now, note
    db.session.flush()
    record(
        by,
        "entry.disqualify",
        "entry",
        entry.id,
        f"取消参赛资格：{entry.entrant_number:04d} {entry.name}",
        before={"disqualified_at": None},
        after={"disqualified_at": now, "disqualified_note": note},
        reason=note,
        competition_id=entry.competition_id,
        district_id=entry.school.district_id,
        school_id=entry.school_id,
    )
    return handle_disqualification(entry, by=by)  # quotas, shortlists and re-draws (R-DRAW-2)
