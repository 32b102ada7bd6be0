"""The signed-in landing page: counts of the admin's scope and what waits on them."""

from __future__ import annotations

import sqlalchemy as sa
from flask import redirect, render_template, url_for
from flask_login import current_user

from app.competitions.models import Competition
from app.competitions.queries import chosen_competition
from app.dashboard import bp
from app.extensions import db
from app.orgs.models import District, School
from app.public.todo import todo_items as public_todo
from app.roles import Role
from app.rosters.todo import todo_items as rosters_todo
from app.web.access import ALL_ROLES, roles_required
from app.web.templating import endpoint_exists


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
    )


def _todo(competition: Competition | None) -> list[tuple[str, str]]:
    """What waits on the signed-in admin: exemption steps (R-ROS-4) and objections (R-PUB-2)."""
    if competition is None:
        return []
    return rosters_todo(current_user, competition) + public_todo(current_user, competition)
