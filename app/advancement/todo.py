"""What advancement asks of an admin now, and where each stage stands (R-Q-*, R-DRAW-1), for the landing page.

Items are (text, url, due): ``due`` is the deadline (a Beijing date) or the announced draw event (a UTC
datetime) that the dashboard counts down to, or None.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import url_for

from app.advancement import services
from app.advancement.models import AdvancementUnit
from app.auth.models import User
from app.competitions.models import Competition, Stage, StageKind
from app.draws.models import Draw, DrawPurpose, DrawStatus
from app.extensions import db
from app.roles import Role
from app.timeutil import utcnow


def todo_items(user: User, competition: Competition) -> list[tuple]:
    """Recommendations to submit (unit) or to confirm (district / city), announced draws waiting for
    their event time or ready to be performed, and the freeze the city must do."""
    items: list[tuple] = []
    for stage in (competition.stage(StageKind.SEMIFINAL), competition.stage(StageKind.FINAL)):
        if stage.frozen_at is None:
            continue
        units = db.session.scalars(
            sa.select(AdvancementUnit).where(AdvancementUnit.stage_id == stage.id)
        ).all()
        to_submit = [
            u
            for u in units
            if u.recommended
            and u.submitted_at is None
            and services.can_recommend(user, u)
            and not services.can_confirm(user, u)
        ]
        for u in to_submit:
            items.append(
                (
                    f"{stage.label}：{u.name}待提交推荐名单（{u.recommended} 人）",
                    url_for("advancement.unit", unit_id=u.id),
                    stage.deadline,
                )
            )
        to_confirm = [
            u
            for u in units
            if u.submitted_at is not None and u.confirmed_at is None and services.can_confirm(user, u)
        ]
        if to_confirm:
            names = "、".join(u.name for u in to_confirm[:3]) + (
                f"等 {len(to_confirm)} 个单位" if len(to_confirm) > 3 else ""
            )
            items.append(
                (
                    f"{stage.label}：{names}的推荐名单待确认",
                    url_for("advancement.unit", unit_id=to_confirm[0].id),
                    stage.deadline,
                )
            )
        mine = {(u.unit_school_id, u.district_id): u for u in units if services.can_confirm(user, u)}
        if mine:
            announced = db.session.scalars(
                sa.select(Draw).where(
                    Draw.stage_id == stage.id,
                    Draw.purpose == DrawPurpose.ADVANCEMENT,
                    Draw.status == DrawStatus.ANNOUNCED,
                )
            ).all()
            now = utcnow()
            for d in announced:
                unit = mine.get((d.unit_school_id, d.unit_district_id))
                if unit is None:
                    continue
                if d.event_at is not None and d.event_at > now:
                    text = f"{stage.label}：{unit.name}的抽签已公布，待到抽签时间录入随机源数值"
                else:
                    text = f"{stage.label}：{unit.name}的抽签已到时间，请录入随机源数值并抽取"
                items.append((text, url_for("advancement.unit", unit_id=unit.id), d.event_at))
    if user.role == Role.CITY_ADMIN:
        state = stage_state(competition, user)
        if state.step_url and state.step and "冻结" in state.step:
            items.append((state.step, state.step_url, None))
    return items


@dataclass(frozen=True)
class StageState:
    """Where the season stands for advancement, said explicitly, with the next step for this user."""

    stage: Stage | None
    label: str  # e.g. "复赛名单已确定"
    step: str  # the next step for this user ("" when nothing is theirs to do)
    step_url: str | None = None


def stage_state(competition: Competition, user: User) -> StageState:
    """The first advancement stage not yet settled: quotas frozen? recommendations confirmed? draws done?

    "复赛名单已确定" once the semifinal's quotas are frozen, every unit's recommendation confirmed and
    every drawn place drawn; then the same for the final ("决赛名单已确定").
    """
    settled: list[str] = []
    last: StageState | None = None

    def said(text: str) -> str:
        return "；".join(part for part in [*settled, text] if part)

    for stage in (competition.stage(StageKind.SEMIFINAL), competition.stage(StageKind.FINAL)):
        quotas_url = url_for("advancement.quotas", stage_id=stage.id)
        if stage.frozen_at is None:
            if user.role == Role.CITY_ADMIN:
                return StageState(
                    stage,
                    said(f"{stage.label}名额未冻结"),
                    f"下一步：核对并冻结{stage.label}晋级名额",
                    quotas_url,
                )
            return StageState(
                stage, said(f"{stage.label}名额未冻结"), f"等待市教育局冻结{stage.label}晋级名额", quotas_url
            )
        rows = [r for r in services.quota_rows(stage) if r.unit is not None and r.quota]
        unconfirmed = [r for r in rows if r.recommended and r.unit.confirmed_at is None]
        undrawn = [r for r in rows if r.advanced_drawn < r.drawn]
        if not unconfirmed and not undrawn:
            settled.append(f"{stage.label}名单已确定")
            last = StageState(stage, said(""), "", url_for("advancement.shortlist", stage_id=stage.id))
            continue
        mine_confirm = [r for r in unconfirmed if services.can_confirm(user, r.unit)]
        mine_recommend = [
            r for r in unconfirmed if r.unit.submitted_at is None and services.can_recommend(user, r.unit)
        ]
        mine_draw = [r for r in undrawn if services.can_confirm(user, r.unit)]
        label = (
            f"{stage.label}晋级进行中：推荐已确认 {len(rows) - len(unconfirmed)}/{len(rows)} 个单位，"
            f"抽签完成 {len(rows) - len(undrawn)}/{len(rows)} 个单位"
        )
        if mine_recommend and not mine_confirm:
            step = f"下一步：提交{mine_recommend[0].name}的推荐名单"
        elif mine_confirm:
            step = f"下一步：确认 {len(mine_confirm)} 个单位的推荐名单"
        elif mine_draw:
            step = f"下一步：为 {len(mine_draw)} 个单位公布并进行抽签"
        else:
            step = "等待各单位推荐与区县抽签"
        return StageState(stage, said(label), step, quotas_url)
    return last or StageState(None, "", "")


__all__ = ["todo_items", "stage_state", "StageState"]
