"""Who may do what on a roster (R-ROLE-1, R-ROS-4, R-ROS-5): one function per decision.

Views hand the answers to templates as booleans; services call the same functions to refuse.
"""

from __future__ import annotations

from datetime import date

from app.competitions.models import Competition
from app.orgs.models import School
from app.roles import Role
from app.rosters import rules
from app.rosters.models import Entry, EntryStatus, ExemptionApplication, ExemptionState


def is_school_reviewer(user, school: School) -> bool:
    """R-ROS-4: the school reviews an application — an admin of the teacher's school (or its central
    school). A district or city admin may not stand in for the school."""
    return user.role == Role.SCHOOL_ADMIN and user.can_manage_school(school)


def is_district_decider(user, school: School) -> bool:
    """R-ROS-4: the district approves — an admin of the teacher's district (or the city)."""
    return user.role in (Role.DISTRICT_ADMIN, Role.CITY_ADMIN) and user.can_manage_district(
        school.district_id
    )


def can_review(user, application: ExemptionApplication) -> bool:
    """R-ROS-4: may ``user`` take the school's review step of ``application`` now?"""
    return application.state == ExemptionState.SUBMITTED and is_school_reviewer(
        user, application.entry.school
    )


def can_decide(user, application: ExemptionApplication) -> bool:
    """R-ROS-4: may ``user`` take the district's decision on ``application`` now?"""
    return application.state == ExemptionState.SCHOOL_APPROVED and is_district_decider(
        user, application.entry.school
    )


def can_edit_roster(user, competition: Competition, *, today: date | None = None) -> bool:
    """R-ROS-5: before the preliminary deadline the school edits; afterwards only district and city admins."""
    return user.role != Role.SCHOOL_ADMIN or not rules.roster_locked(competition, today)


def can_apply_exemption(entry: Entry, has_open_application: bool) -> bool:
    """R-ROS-4: a competing teacher without an application in progress may apply."""
    return entry.status == EntryStatus.COMPETING and not has_open_application


def edits_only_by_district(user) -> bool:
    """R-ROS-5 wording: a school admin reads a locked roster; others may still change it (with a reason)."""
    return user.role == Role.SCHOOL_ADMIN


def sees_school_list(user, school: School) -> bool:
    """The roster page links to the dashboard of all schools unless the user has this one school only."""
    return user.role != Role.SCHOOL_ADMIN or school.id != user.school_id or bool(school.affiliates)
