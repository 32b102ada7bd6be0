"""Judging screens: the judge's tablet flow, organiser panels and progress, QR sign-in, the room display.

Thin: load → check role and scope → call a service → commit once → render or redirect.
"""

from __future__ import annotations

import json
from decimal import Decimal

import segno
import sqlalchemy as sa
from flask import abort, flash, redirect, request, url_for
from flask_login import current_user, login_user
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.competitions.models import Competition, Group, Stage, Subject
from app.draws import services as draw_store
from app.draws.models import Draw
from app.draws.views import confirmation_page
from app.errors import DomainError, NotAllowed
from app.extensions import db, limiter
from app.judging import bp, queries, services, signin
from app.judging.forms import (
    AmendForm,
    AssignJudgeForm,
    CurrentForm,
    PanelCreateForm,
    PanelStatusForm,
    PinForm,
    SchoolFormForm,
    SheetForm,
)
from app.judging.models import Appearance, Panel, PanelJudge, PanelStatus, ScoreForm, ScoreSheet, SheetStatus
from app.judging.results import EntryResult
from app.judging.scoring import (
    CENT,
    round_score,
    score_text,
)
from app.orgs.models import District, School
from app.roles import Role
from app.rosters.models import Entry
from app.web.access import public, roles_required
from app.web.forms import attempt
from app.web.render import render_page_or_block, wants_fragment
from app.web.xlsx import Column, Table

ADMINS = (Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.SCHOOL_ADMIN)

bp.add_app_template_filter(score_text, "score")


@bp.app_template_filter("cents")
def _cents_filter(value, signed: bool = False) -> str:
    """An exact figure shown to two decimals, half up (away from zero for deviations below the panel)."""
    rounded = round_score(abs(value))
    if value < 0:
        return f"-{rounded}"
    return f"+{rounded}" if signed else f"{rounded}"


# ---------------------------------------------------------------- the judge (R-SCORE-2, R-X-1)


@bp.route("/judging/my")
@roles_required(Role.JUDGE)
def my_panels():
    """R-SCORE-2: a judge's home — their panels and, per panel, the queue in order of appearance with status."""
    return render_page_or_block("judging/my_panels.html", "queue", queue=queries.judge_queue(current_user))


def _status_context(
    appearance: Appearance,
    sheet: ScoreSheet | None,
    *,
    error: str | None = None,
    conflict: bool = False,
    state: str | None = None,
) -> dict:
    """What the ``sheet_status`` block shows, as plain values: it renders after the commit without a query."""
    items = appearance.panel.form.items
    stored = {s.item_id: s.value for s in sheet.scores} if sheet else {}
    saved = {f"item-{i.id}": score_text(stored.get(i.id)) for i in items}
    return {
        "appearance_id": appearance.id,
        "saved": saved,
        "saved_json": json.dumps(saved),
        "has_sheet": sheet is not None,
        "total": services.sheet_total(sheet, items) if sheet else Decimal("0.00"),
        "locked": bool(sheet and sheet.status == SheetStatus.SUBMITTED),
        "version": sheet.version if sheet else 0,
        "updated_at": sheet.updated_at if sheet else None,
        "submitted_at": sheet.submitted_at if sheet else None,
        "error": error,
        "conflict": conflict,
        "state": state or ("saved" if sheet else "new"),
    }


def _score_context(
    appearance: Appearance,
    *,
    typed: dict | None = None,
    error: str | None = None,
    conflict: bool = False,
    state: str | None = None,
):
    panel = appearance.panel
    items = panel.form.items
    sheet = services.find_sheet(panel.id, current_user.id, appearance.entry_id)
    status = _status_context(appearance, sheet, error=error, conflict=conflict, state=state)
    if conflict and typed is not None:
        # keep the stale version: resending the same form must conflict again, never overwrite (R-SCORE-2)
        status["version"] = typed.get("version", "")
    shown = dict(status["saved"])
    if typed:
        shown.update({k: v for k, v in typed.items() if k in shown})
    ordered = sorted((a for a in panel.appearances if a.position is not None), key=lambda a: a.position)
    index = next((n for n, a in enumerate(ordered) if a.id == appearance.id), 0)
    points = {item.id: services.typed_points(shown.get(f"item-{item.id}"), item) for item in items}
    return dict(
        status,
        frozen=status["locked"] or not panel.is_open,
        appearance=appearance,
        panel=panel,
        stage=panel.stage,
        items=items,
        sheet=sheet,
        shown=shown,
        index=index,
        count=len(ordered),
        item_points=points,
        editor=services.new_editor_token(),
        prev=ordered[index - 1] if index > 0 else None,
        next=ordered[index + 1] if index + 1 < len(ordered) else None,
        blind=panel.stage.blind,
        who=services.identity_for_judge(appearance.entry, panel.stage),
    )


@bp.route("/judging/score/<int:appearance_id>", methods=["GET", "POST"])
@roles_required(Role.JUDGE)
def score(appearance_id: int):
    """One teacher per screen. POST is the no-JavaScript save (autosave does the same via htmx)."""
    appearance = services.judge_appearance(current_user, appearance_id)
    if request.method == "POST":
        form = SheetForm()
        done, refused = attempt(
            lambda: services.save_sheet(
                appearance, current_user, form.scores, version=form.expected_version, editor=form.editor.data
            ),
            on_error=lambda error: _sheet_refused(appearance, error),
        )
        if not done:
            return refused
        flash("已保存。", "success")
        return redirect(url_for("judging.score", appearance_id=appearance.id), 303)
    return render_page_or_block("judging/score.html", "sheet_status", **_score_context(appearance))


def _sheet_refused(appearance, error: DomainError):
    """A refused save or submit changes nothing; the status area says why (409: another device saved first)."""
    form = SheetForm()
    typed = {**form.scores, "version": form.version.data or ""}
    ctx = _score_context(
        appearance, typed=typed, error=error.message, conflict=error.status_code == 409, state="error"
    )
    return render_page_or_block("judging/score.html", "sheet_status", status=error.status_code, **ctx)


def _store_sheet(appearance_id: int, verb):
    """Save or submit one judge's sheet in one transaction (R-SCORE-2): ``(appearance, done, answer)``.

    ``answer`` is the status area's context, read before the commit expires what it read, or — when
    the service refused — the status area saying why.
    """
    appearance, sheet = services.judge_sheet(current_user, appearance_id)
    form = SheetForm()
    done, answer = attempt(
        lambda: _status_context(
            appearance,
            verb(
                appearance,
                current_user,
                form.scores,
                version=form.expected_version,
                editor=form.editor.data,
                sheet=sheet,
            ),
        ),
        on_error=lambda error: _sheet_refused(appearance, error),
    )
    return appearance, done, answer


@bp.route("/judging/score/<int:appearance_id>/autosave", methods=["POST"])
@roles_required(Role.JUDGE)
def autosave(appearance_id: int):
    """R-SCORE-2 autosave: answers only the status area (server total, saved values, new version)."""
    _, done, status = _store_sheet(appearance_id, services.save_sheet)
    if not done:
        return status
    if not request.htmx:
        return redirect(url_for("judging.score", appearance_id=appearance_id), 303)
    return render_page_or_block("judging/score.html", "sheet_status", **status)


@bp.route("/judging/score/<int:appearance_id>/submit", methods=["POST"])
@roles_required(Role.JUDGE)
def submit(appearance_id: int):
    """ "提交": saves the last values and locks the sheet (the page asked for confirmation first)."""
    appearance, done, status = _store_sheet(appearance_id, services.submit_sheet)
    if not done:
        return status
    if wants_fragment():  # the tablet shows the locked state at once, from this answer
        return render_page_or_block("judging/score.html", "sheet_status", **status)
    flash(f"{appearance.position} 号选手的评分已提交并锁定。", "success")
    return redirect(url_for("judging.score", appearance_id=appearance.id), 303)


# ---------------------------------------------------------------- QR sign-in (R-X-2)


def _signin_key() -> str:
    return f"{request.view_args.get('token', '')}|{request.remote_addr}"


@bp.route("/judge/signin/<token>", methods=["GET", "POST"])
@public
@limiter.limit("5 per minute", key_func=_signin_key, methods=["POST"])
def qr_signin(token: str):
    """R-X-2: scanning the printed code opens this page on the tablet; the PIN completes the sign-in."""
    error = None
    try:
        code = signin.find_code(token)
    except DomainError as exc:
        return render_page_or_block(
            "judging/signin.html", "signin_form", status=410, error=exc.message, code=None
        )
    if request.method == "POST":
        try:
            judge = signin.redeem(code, PinForm().pin.data or "")
        except DomainError as exc:
            db.session.commit()  # the failed attempt counts
            error = exc.message
        else:
            db.session.commit()
            login_user(judge)
            return redirect(url_for("judging.my_panels"), 303)
    return render_page_or_block(
        "judging/signin.html", "signin_form", status=422 if error else 200, error=error, code=code
    )


@bp.route("/judging/panels/<int:panel_id>/codes", methods=["GET", "POST"])
@roles_required(*ADMINS)
def signin_codes(panel_id: int):
    """R-X-2: the printable sheet of per-judge QR codes; POST issues new codes (old unused ones stop working)."""
    panel = _managed_panel(panel_id)
    issued = []
    if request.method == "POST":
        issued = signin.issue_codes(panel, by=current_user)
        db.session.commit()
    cards = []
    for c in issued:
        url = url_for("judging.qr_signin", token=c.token, _external=True)
        cards.append(
            {
                "judge": c.judge,
                "pin": c.pin,
                "expires_at": c.expires_at,
                "url": url,
                "svg": segno.make(url, error="m").svg_inline(scale=4),
            }
        )
    return render_page_or_block("judging/codes.html", "codes", panel=panel, cards=cards)


# ---------------------------------------------------------------- live room display (R-X-3)


@bp.route("/display/panels/<int:panel_id>")
@public
def display(panel_id: int):
    """R-X-3: public, no login, opt-in per stage: the current number and, with 当场亮分, the aggregate
    once all sheets are in."""
    panel = db.session.get(Panel, panel_id)
    if panel is None or not panel.stage.live_display:
        abort(404)
    finished = panel.is_closed
    current = next((a for a in panel.appearances if a.position == panel.current_position), None)
    shown_score = None
    if current is not None and not finished and panel.stage.announce_scores:
        shown_score = services.final_aggregate(panel.stage, current.entry_id)
    return render_page_or_block(
        "judging/display.html", "board", panel=panel, current=current, score=shown_score, finished=finished
    )


# ---------------------------------------------------------------- organisers


def _competition() -> Competition | None:
    wanted = request.args.get("competition", type=int)
    if wanted:
        return db.session.get(Competition, wanted)
    return db.session.scalar(
        sa.select(Competition).order_by(Competition.year.desc(), Competition.id.desc()).limit(1)
    )


def _visible_panels(competition: Competition):
    return queries.visible_panels(competition, current_user)


def _progress_counts(panel_ids: list[int]) -> dict[int, tuple[int, int]]:
    return queries.progress_counts(panel_ids)


@bp.route("/judging/")
@roles_required(*ADMINS)
def index():
    """Organisers: every panel in scope with live progress (R-SCORE-2) and the create-panel form."""
    competition = _competition()
    if competition is None:
        return render_page_or_block(
            "judging/index.html",
            "panels",
            competition=None,
            panels=[],
            counts={},
            creatable=[],
            subjects=[],
            groups=list(Group),
            own_form_stages=[],
        )
    order = {PanelStatus.OPEN: 0, PanelStatus.SETUP: 1, PanelStatus.CLOSED: 2}
    panels = sorted(
        queries.visible_panels(competition, current_user), key=lambda p: (p.stage.position, order[p.status])
    )  # live first
    counts = queries.progress_counts([p.id for p in panels])
    # the 15-second poll swaps only the rows: the create-panel form's options are not read for it
    creatable = [] if wants_fragment() else queries.creatable(competition, current_user)
    return render_page_or_block(
        "judging/index.html",
        "panels",
        competition=competition,
        panels=panels,
        counts=counts,
        creatable=creatable,
        subjects=competition.subjects,
        groups=list(Group),
        own_form_stages=queries.own_form_stages(competition, current_user),
    )


@bp.route("/judging/panels.xlsx")
@roles_required(*ADMINS)
def index_xlsx():
    competition = _competition()
    panels = _visible_panels(competition) if competition else []
    counts = _progress_counts([p.id for p in panels])
    table = Table(
        [
            Column("阶段", "stage.label"),
            Column("评委组", "name", width=24),
            Column("学科", "subject.label"),
            Column("组别", "group.label"),
            Column("考场", "room"),
            Column("状态", "status.label"),
            Column("评委数", lambda p: len(p.judges), "int"),
            Column("选手数", lambda p: len(p.appearances), "int"),
            Column("已提交评分表", lambda p: counts.get(p.id, (0, 0))[0], "int"),
            Column("应交评分表", lambda p: len(p.judges) * len(p.appearances), "int"),
        ]
    )
    return table.response("评委组进度.xlsx", "评委组", panels)


@bp.route("/judging/panels", methods=["POST"])
@roles_required(*ADMINS)
def panel_create():
    form = PanelCreateForm()
    form.check()
    stage = db.session.get(Stage, form.stage_id.data or 0)
    subject = db.session.get(Subject, form.subject_id.data or 0)
    group = Group.from_label(form.group.data or "")
    if stage is None or subject is None or group is None:
        raise DomainError("请选择阶段、学科和组别。")
    unit = db.session.get(School, form.unit_school_id.data or 0)
    district = db.session.get(District, form.district_id.data or 0)
    panel = services.create_panel(
        stage,
        subject,
        group,
        by=current_user,
        unit_school=unit,
        district=district,
        room=form.room.data or None,
        name=form.name.data or None,
    )
    added = services.fill_panel(panel, by=current_user)
    db.session.commit()
    flash(f"已新建评委组「{panel.name}」，加入 {added} 名选手。", "success")
    return redirect(url_for("judging.panel", panel_id=panel.id), 303)


# What the panel page and its exports read for every row: loaded up front, never one query per row.
PANEL_ROWS = (
    selectinload(Panel.appearances).selectinload(Appearance.entry).selectinload(Entry.school),
    selectinload(Panel.judges).selectinload(PanelJudge.user).selectinload(User.school),
    selectinload(Panel.form).selectinload(ScoreForm.items),
)


def _managed_panel(panel_id: int, *options) -> Panel:
    """The panel, 404 if missing, 403 unless the current admin manages it (R-ROLE-1)."""
    panel = services.panel_for(panel_id, *options)
    services.check_manage(current_user, panel)
    return panel


def _panel_results(panel: Panel) -> dict[int, EntryResult]:
    return queries.panel_results(panel)


def _panel_grid(panel: Panel):
    return queries.panel_grid(panel)


@bp.route("/judging/panels/<int:panel_id>")
@roles_required(*ADMINS)
def panel(panel_id: int):
    """Panel page: judges, competitors in order, who has submitted what, results, spread, conflicts."""
    panel = _managed_panel(panel_id, *PANEL_ROWS)
    grid, spread = _panel_grid(panel)
    progress = {
        "panel": panel,
        "grid": grid,
        "spread": spread,
        "results": _panel_results(panel),
        "ordered": queries.ordered_appearances(panel),
    }
    if wants_fragment():  # the 10-second poll of the progress block reads nothing else
        return render_page_or_block("judging/panel.html", "progress", **progress)
    draw = db.session.get(Draw, panel.draw_id) if panel.draw_id else None
    return render_page_or_block(
        "judging/panel.html",
        "progress",
        **progress,
        draw=draw,
        conflicts=services.panel_conflicts(panel),
        candidates=queries.judge_candidates(panel),
        minimum=panel.stage.competition.panel_min_judges,
    )


@bp.route("/judging/panels/<int:panel_id>/sheets.xlsx")
@roles_required(*ADMINS)
def panel_xlsx(panel_id: int):
    """R-XLS-1: every score sheet of the panel, item by item, with the totals and the aggregate."""
    panel = _managed_panel(panel_id, *PANEL_ROWS)
    items = panel.form.items
    sheets = db.session.scalars(
        sa.select(ScoreSheet)
        .where(ScoreSheet.panel_id == panel.id)
        .options(selectinload(ScoreSheet.scores), selectinload(ScoreSheet.judge))
    ).all()
    results = _panel_results(panel)
    by_entry = {a.entry_id: a for a in panel.appearances}
    table = Table(
        [
            Column("出场序号", lambda s: by_entry[s.entry_id].position, "int"),
            Column("参赛号", lambda s: by_entry[s.entry_id].entry.entrant_number, "int"),
            Column("姓名", lambda s: by_entry[s.entry_id].entry.name),
            Column("学校", lambda s: by_entry[s.entry_id].entry.school.name, width=24),
            Column("评委", "judge.display_name"),
            Column("状态", "status.label"),
            *[
                Column(
                    f"{i.label_for(panel.subject)}（{score_text(i.weight)}%）",
                    lambda s, i=i: _cents(next((sc.value for sc in s.scores if sc.item_id == i.id), None)),
                    "score",
                )
                for i in items
            ],
            Column("评委总分", lambda s: services.sheet_total(s, items), "score"),
            Column(
                "最后得分",
                lambda s: results[s.entry_id].aggregate if s.entry_id in results else None,
                "score",
            ),
        ]
    )
    ordered = sorted(sheets, key=lambda s: (by_entry[s.entry_id].position or 0, s.judge_id))
    return table.response(f"{panel.name}评分表.xlsx", "评分表", ordered)


@bp.route("/judging/panels/<int:panel_id>/spread.xlsx")
@roles_required(*ADMINS)
def spread_xlsx(panel_id: int):
    """R-XLS-1: the judge spread table — each judge's mean and mean deviation from the panel."""
    panel = _managed_panel(panel_id, *PANEL_ROWS)
    _, spread = _panel_grid(panel)

    def figure(pj: PanelJudge, index: int) -> Decimal | None:
        value = spread.get(pj.user_id, (0, None, None))[index]
        if value is None:
            return None
        return -round_score(abs(value)) if value < 0 else round_score(value)

    table = Table(
        [
            Column("评委", "user.display_name"),
            Column("所在学校", "user.school.name", width=24),
            Column("已提交", lambda pj: spread.get(pj.user_id, (0, None, None))[0], "int"),
            Column("平均分", lambda pj: figure(pj, 1), "score"),
            Column("平均偏差", lambda pj: figure(pj, 2), "score", number_format="+0.00;-0.00;0.00"),
        ]
    )
    return table.response(f"{panel.name}评委偏差.xlsx", "评委偏差", panel.judges)


@bp.route("/judging/panels/<int:panel_id>/judges", methods=["POST"])
@roles_required(*ADMINS)
def panel_assign(panel_id: int):
    panel = _managed_panel(panel_id, *PANEL_ROWS)  # recusal (R-PANEL-1) reads every entry
    form = AssignJudgeForm()
    form.check()
    judge = db.session.get(User, form.user_id.data or 0)
    if judge is None:
        raise DomainError("请选择评委。")
    services.assign_judge(panel, judge, by=current_user, is_head=form.is_head.data)
    db.session.commit()
    flash(f"评委{judge.display_name}已加入。", "success")
    return redirect(url_for("judging.panel", panel_id=panel.id), 303)


@bp.route("/judging/panels/<int:panel_id>/judges/<int:user_id>/<action>", methods=["POST"])
@roles_required(*ADMINS)
def panel_judge_action(panel_id: int, user_id: int, action: str):
    panel = _managed_panel(panel_id)
    if action == "head":
        services.set_head(panel, user_id, by=current_user)
    elif action == "remove":
        services.remove_judge(panel, user_id, by=current_user)
    else:
        abort(404)
    db.session.commit()
    return redirect(url_for("judging.panel", panel_id=panel.id), 303)


@bp.route("/judging/panels/<int:panel_id>/fill", methods=["POST"])
@roles_required(*ADMINS)
def panel_fill(panel_id: int):
    panel = _managed_panel(panel_id)
    added = services.fill_panel(panel, by=current_user)
    db.session.commit()
    flash(f"加入 {added} 名选手。", "success")
    return redirect(url_for("judging.panel", panel_id=panel.id), 303)


@bp.route("/judging/panels/<int:panel_id>/status", methods=["POST"])
@roles_required(*ADMINS)
def panel_status(panel_id: int):
    panel = _managed_panel(panel_id, *PANEL_ROWS)  # recusal (R-PANEL-1) reads every entry
    status = PanelStatus.from_label(PanelStatusForm().status.data or "")
    if status is None:
        abort(400)
    services.set_status(panel, status, by=current_user)
    db.session.commit()
    flash(f"评委组状态：{status.label}。", "success")
    return redirect(url_for("judging.panel", panel_id=panel.id), 303)


@bp.route("/judging/panels/<int:panel_id>/current", methods=["POST"])
@roles_required(*ADMINS, Role.JUDGE)
def panel_current(panel_id: int):
    """R-X-3: switch the number on the room display (organiser or panel head)."""
    panel = services.panel_for(panel_id)
    services.set_current(panel, CurrentForm().position.data or 0, by=current_user)
    db.session.commit()
    back = (
        url_for("judging.panel", panel_id=panel.id)
        if services.can_manage_panel(current_user, panel)
        else url_for("judging.my_panels")
    )
    return redirect(back, 303)


@bp.route("/judging/panels/<int:panel_id>/draw", methods=["POST"])
@roles_required(*ADMINS)
def panel_draw(panel_id: int):
    """R-PANEL-2: announce the sources and the event time (step 1); at the event enter the values,
    check them on the confirmation screen, and only its 确认抽签 POST draws (step 2); or void."""
    panel = _managed_panel(panel_id, *PANEL_ROWS)  # the pool lists every entry
    step = request.form.get("step")
    if step == "announce":
        names = (request.form.get("sources") or "").splitlines()
        event_at = draw_store.event_at_from_beijing(
            request.form.get("event_date", ""), request.form.get("event_time", "")
        )
        services.announce_appearance_draw(panel, names, by=current_user, event_at=event_at)
        flash("已公布抽签池、抽签时间和随机源；抽签时间到后录入取值即可抽签。", "success")
    elif step == "void":
        services.void_appearance_draw(panel, request.form.get("reason", ""), by=current_user)
        flash("抽签已作废（作废原因公开显示），可以重新公布。", "success")
    else:
        draw = db.session.get(Draw, panel.draw_id) if panel.draw_id else None
        if draw is not None and "source-0" in request.form:
            typed = {
                f"source-{i}": request.form.get(f"source-{i}", "") for i in range(len(draw.sources_announced))
            }
        else:  # one line per source
            lines = [line for line in (request.form.get("values") or "").splitlines() if line.strip()]
            typed = {f"source-{i}": line for i, line in enumerate(lines)}
        values = [draw_store.parse_values(text) for text in typed.values()]
        if request.form.get("confirm") != "1":
            preview = services.preview_appearance_draw(panel, values, by=current_user)
            return confirmation_page(
                preview.draw,
                preview.preview,
                action=url_for("judging.panel_draw", panel_id=panel.id),
                fields={"step": "draw", **typed},
                back=url_for("judging.panel", panel_id=panel.id),
                what="抽取人数（全部选手的出场顺序）",
            )
        services.perform_appearance_draw(panel, values, by=current_user)
        flash("上课顺序抽签完成。", "success")
    db.session.commit()
    return redirect(url_for("judging.panel", panel_id=panel.id), 303)


@bp.route("/judging/sheets/<int:sheet_id>", methods=["GET", "POST"])
@roles_required(*ADMINS, Role.JUDGE)
def sheet(sheet_id: int):
    """A submitted sheet; the panel head or an admin in scope may amend it with a reason (R-SCORE-2)."""
    sheet = services.sheet_for(sheet_id)
    panel = sheet.panel
    if not services.can_amend(current_user, panel):
        raise NotAllowed("您无权查看其他评委的评分表。")
    error = None
    form = AmendForm()
    if request.method == "POST":
        done, error = attempt(
            lambda: services.amend_sheet(sheet, form.scores, reason=form.reason.data or "", by=current_user),
            on_error=lambda refused: refused,
        )
        if done:
            flash("评分已更正，并记入审计日志。", "success")
            return redirect(url_for("judging.sheet", sheet_id=sheet_id), 303)
        sheet = services.sheet_for(sheet_id)
    values = {s.item_id: s.value for s in sheet.scores}
    return render_page_or_block(
        "judging/sheet.html",
        "amend",
        status=error.status_code if error else 200,
        sheet=sheet,
        panel=sheet.panel,
        items=sheet.panel.form.items,
        values=values,
        who=services.identity_for_judge(sheet.entry, sheet.panel.stage),
        total=services.sheet_total(sheet, sheet.panel.form.items),
        error=error.message if error else None,
        typed=form.scores if request.method == "POST" else {},
        amendable=sheet.is_submitted,
    )


@bp.route("/judging/forms/<int:stage_id>", methods=["GET", "POST"])
@roles_required(*ADMINS)
def school_form(stage_id: int):
    """R-FORM-1: a unit's own preliminary form; the weights must sum to exactly 100%."""
    stage = db.session.get(Stage, stage_id)
    school = db.session.get(School, request.args.get("school", type=int) or (current_user.school_id or 0))
    if stage is None or school is None:
        abort(404)
    if not services.can_manage_unit(current_user, school):
        raise NotAllowed("您无权修改该学校的评分表。")
    error = None
    form = services.form_for(stage, school.id)
    rows = [(i.name, score_text(i.weight), score_text(i.max_points)) for i in form.items]
    if request.method == "POST":
        rows = SchoolFormForm().rows
        done, refused = attempt(
            lambda: services.save_school_form(stage, school, services.parse_form_rows(rows), by=current_user),
            on_error=lambda refused: refused.message,
        )
        error = None if done else refused
        if done:
            flash("评分表已保存。", "success")
            return redirect(url_for("judging.school_form", stage_id=stage.id, school=school.id), 303)
    return render_page_or_block(
        "judging/school_form.html",
        "form_rows",
        status=422 if error else 200,
        stage=stage,
        school=school,
        rows=rows,
        error=error,
        own=form.owner_school_id == school.id,
    )


def _cents(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(CENT)
