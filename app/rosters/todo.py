"""What the roster asks of an admin now, for the landing page: exemptions to review, the deadline."""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for

from app.auth.models import User
from app.competitions.models import Competition
from app.extensions import db
from app.orgs.models import School
from app.roles import Role
from app.rosters import rules
from app.rosters.models import Entry, ExemptionApplication, ExemptionState
from app.rosters.services import stamped_list
from app.timeutil import beijing_today


def todo_items(user: User, competition: Competition) -> list[tuple[str, str]]:
    """(text, url) for each thing waiting on ``user`` (R-ROS-4 steps in scope, R-ROS-5 deadline)."""
    items: list[tuple[str, str]] = []
    waiting_on = (
        ExemptionState.SUBMITTED if user.role == Role.SCHOOL_ADMIN else ExemptionState.SCHOOL_APPROVED
    )
    pending = db.session.scalar(
        sa.select(sa.func.count(ExemptionApplication.id))
        .join(Entry, Entry.id == ExemptionApplication.entry_id)
        .join(School, School.id == Entry.school_id)
        .where(
            Entry.competition_id == competition.id,
            ExemptionApplication.state == waiting_on,
            user.school_scope_clause(),
        )
    )
    if pending:
        step = "学校审核" if waiting_on == ExemptionState.SUBMITTED else "区县审批"
        items.append(
            (f"{pending} 份免赛申请待{step}", url_for("rosters.exemptions", competition_id=competition.id))
        )
    deadline = rules.roster_deadline(competition)
    today = beijing_today()
    if user.role == Role.SCHOOL_ADMIN and deadline is not None and today <= deadline:
        stamped = stamped_list(competition.id, user.school_id)
        days = (deadline - today).days
        when = "今天截止" if days == 0 else f"还有 {days} 天"
        text = f"初赛名单报送截止 {deadline.isoformat()}（{when}）" + (
            "" if stamped else "；盖章名单尚未上传"
        )
        items.append((text, url_for("rosters.dashboard", competition_id=competition.id)))
    return items


__all__ = ["todo_items"]
