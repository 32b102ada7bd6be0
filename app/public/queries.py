"""Read side of the public pages (R-PUB-1): only public columns leave these functions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload

from app.advancement.services import shortlist
from app.auth.models import User
from app.competitions.models import Competition, Stage, StageKind
from app.draws.models import Draw, DrawPurpose
from app.extensions import db
from app.orgs.models import School
from app.public.models import Announcement, Listing, Objection, ObjectionStatus
from app.public.services import listings_of, objection_scope_clause
from app.rosters.models import AdvanceRoute, Entry
from app.rosters.queries import competitors_stmt

PAGE_SIZE = 100


@dataclass(frozen=True)
class PublicRow:
    """One teacher as the public may see them (R-PUB-1): no ID number, phone, birth date or reasons."""

    entry_id: int
    number: int
    name: str
    school_id: int
    school: str
    district_id: int
    district: str
    subject: str
    group: str
    route: AdvanceRoute | None = None
    draw_id: int | None = None


def pending_objections(user: User, competition: Competition) -> int:
    """How many objections in ``user``'s scope wait for a decision (R-PUB-2)."""
    return db.session.scalar(
        sa.select(sa.func.count(Objection.id)).where(
            Objection.competition_id == competition.id,
            Objection.status == ObjectionStatus.PENDING,
            objection_scope_clause(user),
        )
    )


def announcements(competition: Competition) -> list[Announcement]:
    """R-PUB-1: the competition's announcements, pinned first, newest first."""
    return list(
        db.session.scalars(
            sa.select(Announcement)
            .where(Announcement.competition_id == competition.id)
            .options(joinedload(Announcement.district))
            .order_by(Announcement.pinned.desc(), Announcement.published_at.desc(), Announcement.id.desc())
        )
    )


def timeline(competition: Competition) -> list[tuple[Stage, list[Listing]]]:
    """R-PUB-1: the three stages in order, each with its listings (city-wide first)."""
    listings = listings_of(competition)
    return [(stage, [l for l in listings if l.stage_id == stage.id]) for stage in competition.stages]


def published_listings(listings: list[Listing], stage: Stage, now: datetime) -> list[Listing]:
    """The listings of ``stage`` that have opened (open now or closed: a published list stays visible)."""
    return [l for l in listings if l.stage_id == stage.id and l.opens_at <= now]


def covered_district_ids(listings: list[Listing]) -> set[int] | None:
    """The districts ``listings`` cover: None when one is city-wide (every district)."""
    if any(l.district_id is None for l in listings):
        return None
    return {l.district_id for l in listings}


def listing_rows(
    stage: Stage,
    *,
    districts: set[int] | None,
    q: str = "",
    district_id: int | None = None,
    school_id: int | None = None,
    page: int = 1,
) -> tuple[list[PublicRow], bool]:
    """R-PUB-1: one page of the stage's public list, filtered; returns (rows, has_more).

    Preliminary: the competitors (``competitors_stmt``). Semifinal/final: advancement's shortlist, with
    推荐/抽取 and the draw of each drawn teacher.
    """
    conditions = []
    if districts is not None:
        conditions.append(School.district_id.in_(districts or [-1]))
    if district_id:
        conditions.append(School.district_id == district_id)
    if school_id:
        conditions.append(School.id == school_id)
    q = (q or "").strip()
    if q:
        match = sa.or_(Entry.name.contains(q, autoescape=True), School.name.contains(q, autoescape=True))
        conditions.append(sa.or_(match, Entry.entrant_number == int(q)) if q.isdigit() else match)
    start = (max(page, 1) - 1) * PAGE_SIZE
    if stage.kind == StageKind.PRELIMINARY:
        stmt = (
            competitors_stmt(stage)
            .join(School, School.id == Entry.school_id)
            .where(*conditions)
            .options(contains_eager(Entry.school).joinedload(School.district), joinedload(Entry.subject))
            .limit(PAGE_SIZE + 1)
            .offset(start)
        )
        rows = [public_row_of(entry) for entry in db.session.scalars(stmt)]
    else:
        advanced = shortlist(stage, scope=sa.and_(*conditions) if conditions else None)[
            start : start + PAGE_SIZE + 1
        ]
        rows = [public_row_of(r.entry, r.route, r.draw_id) for r in advanced]
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def public_row_of(entry: Entry, route=None, draw_id=None) -> PublicRow:
    return PublicRow(
        entry_id=entry.id,
        number=entry.entrant_number,
        name=entry.name,
        school_id=entry.school_id,
        school=entry.school.name,
        district_id=entry.school.district_id,
        district=entry.school.district.name,
        subject=entry.subject.label,
        group=entry.group.label,
        route=route,
        draw_id=draw_id,
    )


def listed_entry(stage: Stage, number: int) -> Entry | None:
    """The listed teacher numbered ``number`` in ``stage`` (with what :func:`public_row_of` reads), or None."""
    return db.session.scalar(
        competitors_stmt(stage)
        .where(Entry.entrant_number == number)
        .options(joinedload(Entry.school).joinedload(School.district), joinedload(Entry.subject))
    )


@dataclass(frozen=True)
class Disqualified:
    number: int
    name: str
    school: str
    note: str
    at: datetime


def disqualified(competition: Competition) -> list[Disqualified]:
    """R-PUB-2: teachers disqualified for fraud, with the public note."""
    rows = db.session.execute(
        sa.select(
            Entry.entrant_number, Entry.name, School.name, Entry.disqualified_note, Entry.disqualified_at
        )
        .join(School, School.id == Entry.school_id)
        .where(Entry.competition_id == competition.id, Entry.disqualified_at.is_not(None))
        .order_by(Entry.disqualified_at.desc())
    ).all()
    return [Disqualified(n, name, school, note or "", at) for n, name, school, note, at in rows]


def stage_draws(stage: Stage) -> list[Draw]:
    """R-PUB-1: the advancement draws of ``stage`` (originals and their re-draws), for links to their records."""
    return list(
        db.session.scalars(
            sa.select(Draw)
            .where(Draw.stage_id == stage.id, Draw.purpose == DrawPurpose.ADVANCEMENT)
            .order_by(Draw.id)
        )
    )
