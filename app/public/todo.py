"""What the public listing asks of an admin now, for the landing page: objections to resolve (R-PUB-2)."""
from __future__ import annotations

import sqlalchemy as sa
from flask import url_for

from app.auth.models import User
from app.competitions.models import Competition, Entry
from app.extensions import db
from app.public.models import Objection, ObjectionStatus
from app.public.services import objection_scope_clause


def todo_items(user: User, competition: Competition) -> list[tuple[str, str]]:
    """(text, url) for the pending objections against teachers in ``user``'s scope."""
    pending = db.session.scalar(
        sa.select(sa.func.count(Objection.id)).join(Entry, Entry.id == Objection.entry_id)
        .where(Entry.competition_id == competition.id, Objection.status == ObjectionStatus.PENDING,
               objection_scope_clause(user)))
    return [(f"{pending} 件异议待处理", url_for("public_admin.objections"))] if pending else []
