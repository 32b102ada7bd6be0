"""Home and the signed-in landing page."""

from __future__ import annotations

import sqlalchemy as sa
from flask import redirect, render_template, url_for
from flask_login import current_user

from app.auth.models import Role
from app.competitions.models import Competition
from app.competitions.queries import chosen_competition
from app.extensions import db
from app.orgs.models import District, School
from app.public.todo import todo_items as public_todo
from app.rosters.todo import todo_items as rosters_todo
from app.web import bp
from app.web.access import ALL_ROLES, public, roles_required
from app.web.templating import endpoint_exists


@bp.route("/")
@public
def index():
    """Signed in: the dashboard. Otherwise the public portal, for the people checking lists."""
    if current_user.is_authenticated:
        return redirect(url_for("web.dashboard"))
    if endpoint_exists("public.index"):
        return redirect(url_for("public.index"))
    return redirect(url_for("auth.login"))


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
        "web/dashboard.html",
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


@bp.route("/healthz")
@public
def healthz():
    """For the load balancer: the app answers and the database is reachable."""
    db.session.execute(sa.text("SELECT 1"))
    return {"status": "ok"}
