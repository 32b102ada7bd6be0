"""Home and the health check: glue that names endpoints, never a domain's code."""

from __future__ import annotations

import sqlalchemy as sa
from flask import redirect, url_for
from flask_login import current_user

from app.extensions import db
from app.web import bp
from app.web.access import public
from app.web.templating import endpoint_exists


@bp.route("/")
@public
def index():
    """Signed in: the dashboard. Otherwise the public portal, for the people checking lists."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.dashboard"))
    if endpoint_exists("public.index"):
        return redirect(url_for("public.index"))
    return redirect(url_for("auth.login"))


@bp.route("/healthz")
@public
def healthz():
    """For the load balancer: the app answers and the database is reachable."""
    db.session.execute(sa.text("SELECT 1"))
    return {"status": "ok"}
