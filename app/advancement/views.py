"""HTTP views of advancement: quotas, recommendations, draws (thin: load, check access, call a service, commit, render).

The blueprint lives here, not in ``app/advancement/__init__.py``, which stays free of Flask so the
stand-alone verifier (``python -m app.draws.verify``) runs on the standard library alone.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user

from app.advancement import permissions, services
from app.advancement.models import AdvancementUnit
from app.competitions.models import Competition, Rounding, Stage, StageKind
from app.competitions.queries import chosen_competition
from app.draws import labels as draw_labels
from app.draws import services as draw_store
from app.draws.models import Draw, DrawPurpose, DrawStatus
from app.draws.views import confirmation_page, public_draw
from app.errors import DomainError, NotAllowed, NotFound
from app.extensions import db
from app.roles import Role
from app.web.access import roles_required
from app.web.forms import attempt
from app.web.render import render_page_or_block
from app.web.xlsx import Column, Table

bp = Blueprint("advancement", __name__)

ADMINS = (Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.SCHOOL_ADMIN)
CSS = "css/advancement.css"


# ---------------------------------------------------------------- helpers


def _competition() -> Competition | None:
    return chosen_competition(request.args.get("competition", type=int))


def _row_visible(row: services.QuotaRow) -> bool:
    """R-ROLE-1 for quota lines: the city sees all, a district its own, a school admin its own unit."""
    user = current_user
    if user.role == Role.CITY_ADMIN:
        return True
    if user.role == Role.DISTRICT_ADMIN:
        return row.district_id == user.district_id
    if row.school_id is None:  # final: a school admin sees its district's line
        return user.school is not None and row.district_id == user.school.district_id
    return user.school is not None and row.school_id == user.school.unit_id


def _quota_rows(stage: Stage) -> list[services.QuotaRow]:
    district = current_user.district_id if current_user.role != Role.CITY_ADMIN else None
    return [r for r in services.quota_rows(stage, district_id=district) if _row_visible(r)]


def _unit(unit_id: int) -> AdvancementUnit:
    unit = services.get_unit(unit_id)
    services.check(services.can_view(current_user, unit), "查看")
    return unit


def _source_names() -> list[str]:
    return [line for line in request.form.get("sources", "").splitlines() if line.strip()]


def _event_at() -> datetime:
    """R-DRAW-1: the draw event as typed, date and time in Beijing time (one datetime-local also taken)."""
    raw = request.form.get("event_at", "").strip()
    if raw and "T" in raw:
        day, clock = raw.split("T", 1)
    else:
        day, clock = request.form.get("event_date", ""), request.form.get("event_time", "")
    return draw_store.event_at_from_beijing(day, clock)


# ---------------------------------------------------------------- overview, quotas


@bp.route("/advancement/")
@roles_required(*ADMINS)
def index():
    """Stages with their quota state and the city-wide summary per district."""
    competition = _competition()
    if competition is None:
        return render_page_or_block(
            "advancement/index.html",
            "summary",
            competition=None,
            stages=[],
            summary=[],
            can_export_summary=False,
        )
    stages = [s for s in competition.stages if s.kind != StageKind.PRELIMINARY]
    return render_page_or_block(
        "advancement/index.html",
        "summary",
        competition=competition,
        stages=stages,
        summary=_summary(competition),
        can_export_summary=permissions.can_export_summary(current_user),
    )


def _summary(competition: Competition) -> list[dict]:
    """The city-wide summary per district, cut to the admin's own district below the city (R-ROLE-1)."""
    summary = services.city_summary(competition)
    if current_user.role == Role.CITY_ADMIN:
        return summary
    district = current_user.district_id or (current_user.school.district_id if current_user.school else None)
    return [s for s in summary if s["district_id"] == district]


@bp.route("/advancement/summary.xlsx")
@roles_required(Role.CITY_ADMIN, Role.DISTRICT_ADMIN)
def summary_xlsx():
    competition = _competition()
    if competition is None:
        abort(404)
    table = Table(
        [
            Column("区县", "district"),
            Column("复赛参赛人数", "semifinal_competitors", "int"),
            Column("决赛名额", "quota", "int"),
            Column("推荐", "recommended", "int"),
            Column("抽取", "drawn", "int"),
            Column("已冻结", "frozen", "bool"),
        ]
    )
    return table.response("晋级汇总.xlsx", "晋级汇总", _summary(competition))


@bp.route("/advancement/stages/<int:stage_id>/quotas")
@roles_required(*ADMINS)
def quotas(stage_id: int):
    """R-Q-1..3 quota page: per unit competitors, ratio, quota, recommended, drawn and the rounding applied."""
    stage = services.advancement_stage(stage_id)
    rows = _quota_rows(stage)
    # R-Q-3: frozen quotas are shown with the policy they were frozen with; a later settings change
    # is shown beside them as a difference (only a new, audited freeze would apply it).
    policy = services.frozen_policy(rows) or services.current_policy(stage)
    return render_page_or_block(
        "advancement/quotas.html",
        "table",
        stage=stage,
        rows=rows,
        ratio=policy.ratio,
        recommend=policy.recommend,
        rounding=policy.rounding,
        change=services.policy_change(stage, rows),
        css=CSS,
        can_freeze=permissions.can_freeze(current_user, stage),
        per_unit_basis=stage.kind == StageKind.SEMIFINAL,
        largest_remainder=policy.rounding == Rounding.LARGEST_REMAINDER,
        draw_labels=draw_labels,
    )


@bp.route("/advancement/stages/<int:stage_id>/quotas.xlsx")
@roles_required(*ADMINS)
def quotas_xlsx(stage_id: int):
    stage = services.advancement_stage(stage_id)
    ratio, _ = services.ratios(stage)
    table = Table(
        [
            Column("区县", "district_name"),
            Column("单位代码", "code", width=12),
            Column("单位", "name", width=24),
            Column("参赛人数", "competitors", "int"),
            Column("当前参赛人数", "live_competitors", "int"),
            Column("比例", lambda r: ratio, "ratio"),
            Column("名额（精确值）", "exact", "score", number_format="General"),
            Column("名额", "quota", "int"),
            Column("推荐", "recommended", "int"),
            Column("抽取", "drawn", "int"),
            Column("取整方式", "note", width=30),
            Column("已推荐晋级", "advanced_recommended", "int"),
            Column("已抽取晋级", "advanced_drawn", "int"),
        ]
    )
    return table.response(f"{stage.label}晋级名额.xlsx", f"{stage.label}名额", _quota_rows(stage))


@bp.route("/advancement/stages/<int:stage_id>/freeze", methods=["GET", "POST"])
@roles_required(Role.CITY_ADMIN)
def freeze(stage_id: int):
    """Freezing goes through a confirmation screen (works without JS): GET or a POST without
    ``confirm`` shows how many units get quotas and the totals; the POST with ``confirm=1`` freezes."""
    stage = services.advancement_stage(stage_id)
    if request.method == "GET" or request.form.get("confirm") != "1":
        plan = services.freeze_plan(stage)
        return render_page_or_block(
            "advancement/freeze_confirm.html", "confirm", stage=stage, plan=plan, css=CSS
        )
    services.freeze_quotas(stage, by=current_user)
    db.session.commit()
    flash(f"{stage.label}晋级名额已冻结，各单位可以开始推荐。", "success")
    return redirect(url_for("advancement.quotas", stage_id=stage.id), 303)


# ---------------------------------------------------------------- a unit: recommendation and draw


def _unit_page(
    unit: AdvancementUnit,
    *,
    status: int = 200,
    error: str | None = None,
    chosen: set[int] | None = None,
    suggest: bool = False,
):
    candidates = services.candidates(unit)
    if suggest:
        chosen = set(services.suggest_by_rank(unit, candidates))
    elif chosen is None:
        chosen = {c.entry.id for c in candidates if c.nominated}
    draws = services.unit_draws(unit)
    return render_page_or_block(
        "advancement/unit.html",
        "recommend",
        status=status,
        unit=unit,
        stage=unit.stage,
        candidates=candidates,
        chosen=chosen,
        error=error,
        draws=draws,
        vacancies=services.vacancies(unit),
        required=services.required_count(unit, candidates),
        may_recommend=services.can_recommend(current_user, unit),
        may_confirm=services.can_confirm(current_user, unit),
        pending=next((d for d in draws if d.status == DrawStatus.ANNOUNCED), None),
        css=CSS,
        draw_labels=draw_labels,
    )


@bp.route("/advancement/units/<int:unit_id>")
@roles_required(*ADMINS)
def unit(unit_id: int):
    """R-Q-4: the unit's competitors with the preliminary ranking; ``?suggest=1`` ticks the suggestion by rank."""
    return _unit_page(_unit(unit_id), suggest=bool(request.args.get("suggest")))


@bp.route("/advancement/units/<int:unit_id>.xlsx")
@roles_required(*ADMINS)
def unit_xlsx(unit_id: int):
    u = _unit(unit_id)
    table = Table(
        [
            Column("参赛号", "entry.entrant_number", "int"),
            Column("姓名", "entry.name"),
            Column("学校", "entry.school.name", width=24),
            Column("学科", "entry.subject.label"),
            Column("组别", "entry.group.label"),
            Column("成绩", "aggregate", "score"),
            Column("名次", "rank", "int"),
            Column("推荐", lambda c: "是" if c.nominated else None),
            Column("晋级方式", "advanced.label"),
        ]
    )
    return table.response(f"{u.name}{u.stage.label}推荐.xlsx", "推荐", services.candidates(u))


def _act(unit: AdvancementUnit, action, success: str, **form_state):
    """Run one state change; on a rule broken, re-render the unit page with the Chinese message (422)."""
    ok, page = attempt(
        action,
        on_error=lambda error: _unit_page(
            db.session.get(AdvancementUnit, unit.id),
            status=error.status_code,
            error=error.message,
            **form_state,
        ),
    )
    if not ok:
        return page
    flash(success, "success")
    return redirect(url_for("advancement.unit", unit_id=unit.id), 303)


@bp.route("/advancement/units/<int:unit_id>/recommend", methods=["POST"])
@roles_required(*ADMINS)
def recommend(unit_id: int):
    u = _unit(unit_id)
    ids = [int(v) for v in request.form.getlist("entry") if v.isdigit()]
    return _act(
        u,
        lambda: services.set_nominations(u, ids, by=current_user),
        "推荐名单已提交，等待上级确认。",
        chosen=set(ids),
    )


@bp.route("/advancement/units/<int:unit_id>/confirm", methods=["POST"])
@roles_required(Role.CITY_ADMIN, Role.DISTRICT_ADMIN)
def confirm(unit_id: int):
    u = _unit(unit_id)
    return _act(u, lambda: services.confirm_unit(u, by=current_user), "推荐名单已确认，推荐人选已晋级。")


@bp.route("/advancement/units/<int:unit_id>/return", methods=["POST"])
@roles_required(Role.CITY_ADMIN, Role.DISTRICT_ADMIN)
def send_back(unit_id: int):
    u = _unit(unit_id)
    return _act(
        u,
        lambda: services.return_unit(u, request.form.get("reason", ""), by=current_user),
        "推荐名单已退回单位。",
    )


@bp.route("/advancement/units/<int:unit_id>/draws", methods=["POST"])
@roles_required(Role.CITY_ADMIN, Role.DISTRICT_ADMIN)
def announce(unit_id: int):
    """R-DRAW-1 (1): freeze the pool; its public page with the commitment exists from now on."""
    u = _unit(unit_id)
    return _act(
        u,
        lambda: services.announce_unit_draw(u, _source_names(), by=current_user, event_at=_event_at()),
        "抽签池已冻结并公布（含 SHA-256 承诺值、抽签时间和将使用的随机源）。",
    )


@bp.route("/advancement/draws/<int:draw_id>/perform", methods=["POST"])
@roles_required(Role.CITY_ADMIN, Role.DISTRICT_ADMIN)
def perform(draw_id: int):
    """R-DRAW-1 (2)–(4): the values of the announced sources, entered at the draw event.

    The first POST shows the confirmation screen (values, normalised values, key, pool and count);
    only the second, with ``confirm=1``, performs.
    """
    draw, u = _admin_draw(draw_id)
    typed = {f"source-{i}": request.form.get(f"source-{i}", "") for i in range(len(draw.sources_announced))}
    values = [draw_store.parse_values(text) for text in typed.values()]
    if request.form.get("confirm") != "1":
        try:
            preview = services.preview_draw(draw, values, by=current_user)
        except NotAllowed:
            raise
        except DomainError as error:
            return _unit_page(u, status=error.status_code, error=error.message)
        return confirmation_page(
            draw,
            preview,
            action=url_for("advancement.perform", draw_id=draw.id),
            fields=typed,
            back=url_for("advancement.unit", unit_id=u.id) + "#draws",
            what="抽取人数",
        )
    return _act(
        u, lambda: services.perform_draw(draw, values, by=current_user), "抽签完成，结果和完整记录已公布。"
    )


@bp.route("/advancement/draws/<int:draw_id>/void", methods=["POST"])
@roles_required(Role.CITY_ADMIN, Role.DISTRICT_ADMIN)
def void(draw_id: int):
    draw, u = _admin_draw(draw_id)
    return _act(
        u,
        lambda: services.void_draw(draw, request.form.get("reason", ""), by=current_user),
        "抽签已作废（作废原因公开显示），可以按新的抽签池重新公布。",
    )


def _admin_draw(draw_id: int) -> tuple[Draw, AdvancementUnit]:
    """An advancement draw and its unit, for the unit's confirmer only (R-ROLE-1)."""
    draw = public_draw(draw_id)
    if draw.purpose != DrawPurpose.ADVANCEMENT:
        raise NotFound("晋级抽签不存在。")
    unit = services.unit_of_draw(draw)
    services.check(services.can_confirm(current_user, unit), "组织抽签")
    return draw, unit


# ---------------------------------------------------------------- shortlists


def _draw_record(row) -> str | None:
    return url_for("draws.draw_public", draw_id=row.draw_id, _external=True) if row.draw_id else None


# Who advanced, as the shortlist page and its export show it (R-XLS-1).
SHORTLIST = Table(
    [
        Column("参赛号", "entry.entrant_number", "int"),
        Column("姓名", "entry.name"),
        Column("学校", "entry.school.name", width=24),
        Column("学科", "entry.subject.label"),
        Column("组别", "entry.group.label"),
        Column("晋级方式", "route.label"),
        Column("抽签记录", _draw_record, width=40),
    ]
)


@bp.route("/advancement/stages/<int:stage_id>/shortlist")
@roles_required(*ADMINS)
def shortlist(stage_id: int):
    """Who advanced into the stage and how (推荐 / 抽取 with the draw record), within the admin's scope."""
    stage = services.advancement_stage(stage_id)
    rows = services.shortlist(stage, scope=current_user.school_scope_clause())
    # the page's header row is the export's columns; the draw record is the link on 晋级方式 there
    columns = SHORTLIST.columns[:-1]
    return render_page_or_block(
        "advancement/shortlist.html", "rows", stage=stage, rows=rows, columns=columns, css=CSS
    )


@bp.route("/advancement/stages/<int:stage_id>/shortlist.xlsx")
@roles_required(*ADMINS)
def shortlist_xlsx(stage_id: int):
    stage = services.advancement_stage(stage_id)
    rows = services.shortlist(stage, scope=current_user.school_scope_clause())
    return SHORTLIST.response(f"{stage.label}晋级名单.xlsx", f"{stage.label}晋级名单", rows)
