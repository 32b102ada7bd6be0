"""The signed-in landing page: counts of the admin's scope, what waits on them with deadlines counting
down (Beijing time), and where the season stands with this role's next step."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask import redirect, render_template, url_for
from flask_login import current_user

from app.advancement.todo import stage_state
from app.advancement.todo import todo_items as advancement_todo
from app.awards.todo import todo_items as awards_todo
from app.competitions.models import Competition
from app.competitions.queries import chosen_competition
from app.dashboard import bp
from app.extensions import db
from app.judging.todo import todo_items as judging_todo
from app.orgs.models import District, School
from app.public.todo import todo_items as public_todo
from app.roles import Role
from app.rosters.todo import todo_items as rosters_todo
from app.timeutil import beijing_today, utcnow
from app.web.access import ALL_ROLES, roles_required
from app.web.templating import endpoint_exists, fmt_dt


@bp.route("/dashboard")
@roles_required(*ALL_ROLES)
def dashboard():
    """The landing page after sign-in; a judge on a tablet goes straight to the scoring queue."""
    if current_user.role == Role.JUDGE and endpoint_exists("judging.my_panels"):
        return redirect(url_for("judging.my_panels"))
    scope = current_user.school_scope_clause()
    school_count = db.session.scalar(sa.select(sa.func.count()).select_from(School).where(scope))
    district_count = db.session.scalar(sa.select(sa.func.count()).select_from(District))
    competition = chosen_competition()
    return render_template(
        "dashboard/index.html",
        school_count=school_count,
        district_count=district_count,
        competition=competition,
        todo=_todo(competition),
        state=stage_state(competition, current_user) if competition is not None else None,
    )


@dataclass(frozen=True)
class Todo:
    text: str
    url: str
    due: str = ""  # when, in Beijing time
    countdown: str = ""  # "还有 3 天", "还有 5 小时 20 分", "今天截止", "已到时间"
    overdue: bool = False


def countdown(due: date | datetime | None, now: datetime) -> tuple[str, str, bool]:
    """(when, countdown, overdue) for a deadline (a Beijing date: the whole day counts) or an event
    (a naive UTC datetime, shown in Beijing time)."""
    if due is None:
        return "", "", False
    if isinstance(due, datetime):
        seconds = int((due - now).total_seconds())
        when = fmt_dt(due)
        if seconds <= 0:
            return when, "已到时间", True
        days, rest = divmod(seconds, 86400)
        hours, minutes = rest // 3600, rest % 3600 // 60
        if days:
            return when, f"还有 {days} 天 {hours} 小时", False
        return when, f"还有 {hours} 小时 {minutes} 分", False
    days = (due - beijing_today()).days
    when = f"{due.isoformat()} 截止"
    if days < 0:
        return when, "已过截止日期", True
    return when, "今天截止" if days == 0 else f"还有 {days} 天", False


def _todo(competition: Competition | None) -> list[Todo]:
    """What waits on the signed-in admin, from every domain: exemption steps (R-ROS-4), the roster
    deadline (R-ROS-5), objections (R-PUB-2), panels to open (R-PANEL-1), recommendations to submit
    or confirm (R-Q-4), announced draws waiting for their event (R-DRAW-1), prize lists ready (R-AW-1)."""
    if competition is None:
        return []
    raw = [
        *rosters_todo(current_user, competition),
        *public_todo(current_user, competition),
        *judging_todo(current_user, competition),
        *advancement_todo(current_user, competition),
        *awards_todo(current_user, competition),
    ]
    now = utcnow()
    items = []
    for item in raw:
        text, url, due = (*item, None)[:3]
        items.append(Todo(text, url, *countdown(due, now)))
    return items
