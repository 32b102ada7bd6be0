"""What the public listing asks of an admin now, for the landing page: objections to resolve (R-PUB-2)."""

from __future__ import annotations

from flask import url_for

from app.auth.models import User
from app.competitions.models import Competition
from app.public.queries import pending_objections


def todo_items(user: User, competition: Competition) -> list[tuple[str, str]]:
    """(text, url) for the pending objections against teachers in ``user``'s scope."""
    pending = pending_objections(user, competition)
    return [(f"{pending} 件异议待处理", url_for("public_admin.objections"))] if pending else []
