"""Demo data of the rosters domain: exemption applications in every state and stamped lists (R-ROS-4, R-ROS-5).

Deterministic (seeded); runs in well under a second on the ~2,000-teacher demo city. Dates are read
from the clock, which ``app.demo`` sets to a few days before the roster deadline (R-TIME-1).
"""

from __future__ import annotations

import random
from datetime import timedelta

import sqlalchemy as sa

from app.auth.models import User
from app.competitions.models import Competition
from app.extensions import db
from app.orgs.models import School
from app.roles import Role
from app.rosters import rules
from app.rosters.models import (
    Entry,
    EntryStatus,
    ExemptionApplication,
    ExemptionReason,
    ExemptionState,
    StampedList,
)
from app.timeutil import utcnow

# A minimal valid one-page PDF: what a scanner would send, small enough to keep in the demo database.
_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def extend_demo(competition: Competition) -> None:
    rng = random.Random(3)
    users = {
        u.role: u
        for u in db.session.scalars(
            sa.select(User).where(User.role.in_([Role.SCHOOL_ADMIN, Role.DISTRICT_ADMIN]))
        )
    }
    school_admin, district_admin = users.get(Role.SCHOOL_ADMIN), users.get(Role.DISTRICT_ADMIN)
    entries = db.session.scalars(
        sa.select(Entry)
        .where(Entry.competition_id == competition.id, Entry.status == EntryStatus.COMPETING)
        .order_by(Entry.entrant_number)
    ).all()
    near = [e for e in entries if rules.near_retirement(e.birth_date, e.sex, competition)]
    # Cycle through the workflow states so every screen has something to show.
    states = [
        ExemptionState.APPROVED,
        ExemptionState.SCHOOL_APPROVED,
        ExemptionState.SUBMITTED,
        ExemptionState.APPROVED,
        ExemptionState.REFUSED,
    ]
    now = utcnow()
    for i, entry in enumerate(near[::2]):  # every other one, so that every school has some
        state = states[i % len(states)]
        health = i % 7 == 6
        application = ExemptionApplication(
            entry_id=entry.id,
            reason=ExemptionReason.HEALTH if health else ExemptionReason.RETIREMENT,
            detail="腰椎间盘突出，长期病假" if health else None,
            state=state,
            created_at=now - timedelta(days=6),
            created_by_id=school_admin.id if school_admin else None,
        )
        if state != ExemptionState.SUBMITTED:
            application.school_reviewed_at, application.school_reviewed_by_id = (
                now - timedelta(days=5),
                application.created_by_id,
            )
        if state in (ExemptionState.APPROVED, ExemptionState.REFUSED):
            application.decided_at = now - timedelta(days=3)
            application.decided_by_id = district_admin.id if district_admin else None
            application.decision_note = "材料不全，请补交病历" if state == ExemptionState.REFUSED else None
        if state == ExemptionState.APPROVED:
            entry.status, entry.status_reason = rules.status_in_force(exclusion=None, exemption_approved=True)
        db.session.add(application)
    schools = db.session.scalars(sa.select(School).order_by(School.code)).all()
    for school in schools:
        if school.code == "D02-C01" or rng.random() < 0.4:
            continue  # the demo school admin's own school has yet to upload: they can try it
        stamped(competition, school, now - timedelta(days=rng.randrange(1, 5), minutes=rng.randrange(600)))
    db.session.flush()


def stamped(competition: Competition, school: School, uploaded) -> StampedList:
    """The school's stamped list (a one-page PDF) as uploaded at ``uploaded`` (naive UTC)."""
    row = StampedList(
        competition_id=competition.id,
        school_id=school.id,
        filename=f"{school.name}-盖章名单.pdf",
        mimetype="application/pdf",
        size=len(_PDF),
        data=_PDF,
        first_uploaded_at=uploaded,
        uploaded_at=uploaded,
    )
    db.session.add(row)
    return row
