"""What the awards ask of an organiser now, for the landing page: prize lists ready to publish (R-AW-1)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for

from app.auth.models import User
from app.awards import services
from app.awards.models import AwardKind
from app.awards.services import Scope
from app.competitions.models import Competition
from app.extensions import db
from app.orgs.models import District


def todo_items(user: User, competition: Competition) -> list[tuple]:
    """(text, url) for each individual prize list of ``user``'s scopes whose scoring is complete
    (every competitor has a final result or an absence record) and that is not published yet, and
    for the 优秀团队奖 once every individual list it depends on is published."""
    scopes = [
        Scope(AwardKind.SEMIFINAL, d)
        for d in db.session.scalars(sa.select(District.id).order_by(District.code))
    ]
    scopes.append(Scope(AwardKind.FINAL))
    items: list[tuple] = []
    for scope in scopes:
        if not services.can_publish(user, scope) or services.live_release(competition.id, scope) is not None:
            continue
        stage = services.stage_for(competition, scope.kind)
        pools = services.individual_pools(stage, scope.district_id)
        if not pools or not services.readiness(stage, pools).ready:
            continue
        district = db.session.get(District, scope.district_id) if scope.district_id else None
        title = f"{district.name}{scope.kind.label}" if district else scope.kind.label
        url = url_for(
            "awards.preview", competition_id=competition.id, kind=scope.kind.value, district=scope.district_id
        )
        items.append((f"{title}评分已全部完成，可以发布", url))
    team = Scope(AwardKind.TEAM)
    if (
        services.can_publish(user, team)
        and services.live_release(competition.id, team) is None
        and services.live_release(competition.id, Scope(AwardKind.FINAL)) is not None
        and not services.missing_individual_releases(competition)
    ):
        url = url_for("awards.preview", competition_id=competition.id, kind=team.kind.value)
        items.append(("个人奖项已全部发布，可以发布优秀团队奖", url))
    return items


__all__ = ["todo_items"]
