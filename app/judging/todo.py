"""What judging asks of an admin now, for the landing page: panels still to open (R-PANEL-1)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for

from app.auth.models import User
from app.competitions.models import Competition, Stage
from app.extensions import db
from app.judging.models import Panel, PanelStatus
from app.judging.services import panels_scope_clause


def todo_items(user: User, competition: Competition) -> list[tuple]:
    """(text, url) for the panels in ``user``'s scope that are set up but not yet open for scoring."""
    waiting = db.session.scalar(
        sa.select(sa.func.count(Panel.id))
        .join(Stage, Stage.id == Panel.stage_id)
        .where(
            Stage.competition_id == competition.id,
            Panel.status == PanelStatus.SETUP,
            panels_scope_clause(user),
        )
    )
    if not waiting:
        return []
    return [(f"{waiting} 个评委组筹备中，待配齐评委、抽定上课顺序后开始评分", url_for("judging.index"))]


__all__ = ["todo_items"]
