"""HTTP views of the rosters domain (thin: load, check access, call a service, commit, render)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import Response, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from app.competitions.models import Competition
from app.competitions.queries import chosen_competition
from app.extensions import db, limiter
from app.orgs.models import District, School
from app.roles import Role
from app.rosters import bp, importer, permissions, rules, services
from app.rosters.forms import DecisionForm, EntryForm, ExemptionForm, ImportForm, ReasonForm, StampedForm
from app.rosters.idcard import IdNumberError
from app.rosters.models import Entry, EntryStatus, ExemptionApplication, ExemptionReason, ExemptionState
from app.web.access import ADMIN_ROLES, roles_required
from app.web.forms import attempt
from app.web.render import render_page_or_block, wants_fragment
from app.web.xlsx import Column, Table, download_response

ROSTER = "rosters/roster.html"


@dataclass(frozen=True)
class ExemptionStep:
    """A button pair on the exemptions page: where it posts and what its two buttons say."""

    endpoint: str
    approve: str
    refuse: str


def _subject_choices(competition: Competition, school: School) -> list[tuple]:
    return [("", "—请选择—")] + [
        (s.id, s.label) for s in competition.subjects if services.subject_allowed(s, school)
    ]


def _can_apply(open_apps: dict):
    """R-ROS-4 for the row template: may this teacher's exemption be applied for now?"""
    return lambda entry: permissions.can_apply_exemption(entry, entry.id in open_apps)


@bp.route("/rosters")
@roles_required(*ADMIN_ROLES)
def index():
    """The latest competition: a school admin of a single school goes straight to its roster."""
    competition = chosen_competition()
    if competition is None:
        flash("还没有赛事，请先由市教育局创建赛事。", "warning")
        return redirect(url_for("competitions.index"))
    if current_user.role == Role.SCHOOL_ADMIN:
        has_affiliates = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(School)
            .where(School.central_school_id == current_user.school_id)
        )
        if not has_affiliates:
            return redirect(
                url_for("rosters.roster", competition_id=competition.id, school_id=current_user.school_id)
            )
    return redirect(url_for("rosters.dashboard", competition_id=competition.id))


# ---------------------------------------------------------------- dashboards


def _dashboard_rows(competition: Competition):
    district_id = request.args.get("district", type=int)
    rows = services.school_stats(current_user, competition, district_id)
    if request.args.get("missing"):
        rows = [r for r in rows if not r.stamped_at]
    return rows, district_id


@bp.route("/rosters/<int:competition_id>/dashboard")
@roles_required(*ADMIN_ROLES)
def dashboard(competition_id: int):
    """R-ROS-1 per school (and per district for the city): listed, competing, exempted, excluded, rate, stamped."""
    competition = chosen_competition(competition_id)
    rows, district_id = _dashboard_rows(competition)
    districts = (
        db.session.scalars(sa.select(District).order_by(District.code)).all()
        if current_user.role == Role.CITY_ADMIN
        else []
    )
    return render_page_or_block(
        "rosters/dashboard.html",
        "school_table",
        competition=competition,
        rows=rows,
        total=services.totals(rows),
        per_district=services.by_district(rows)
        if current_user.role == Role.CITY_ADMIN and not district_id
        else [],
        districts=districts,
        district_id=district_id,
        missing=bool(request.args.get("missing")),
        deadline=rules.roster_deadline(competition),
        locked=rules.roster_locked(competition),
    )


@bp.route("/rosters/<int:competition_id>/dashboard.xlsx")
@roles_required(*ADMIN_ROLES)
def dashboard_xlsx(competition_id: int):
    """R-XLS-1: the dashboard table."""
    competition = chosen_competition(competition_id)
    rows, _ = _dashboard_rows(competition)
    table = Table(
        [
            Column("区县", "school.district.name"),
            Column("学校代码", "school.code", width=12),
            Column("学校", "school.name", width=24),
            Column("类别", "school.kind_label"),
            Column("名单人数", "listed", "int"),
            Column("参赛", "competing", "int"),
            Column("免赛", "exempt", "int"),
            Column("不在参赛范围", "excluded", "int"),
            Column("免赛待审批", "pending", "int"),
            Column("参赛率", "rate", "ratio"),
            Column("盖章名单", "stamped_at", "datetime", width=17, empty="未提交"),
            Column("按时提交", "on_time", "bool"),
        ]
    )
    return table.response(f"{competition.name}-报名情况.xlsx", "报名情况", rows)


# ---------------------------------------------------------------- one school's roster


def _roster_context(competition: Competition, school: School, **extra) -> dict:
    # Entry.subject is found in the identity map: chosen_competition loaded the subjects.
    entries = db.session.scalars(
        sa.select(Entry)
        .where(Entry.competition_id == competition.id, Entry.school_id == school.id)
        .order_by(Entry.entrant_number)
    ).all()
    open_apps = services.open_applications(
        Entry.school_id == school.id, Entry.competition_id == competition.id
    )
    stamped = services.stamped_list(competition.id, school.id)
    counts = {status: sum(1 for e in entries if e.status == status) for status in EntryStatus}
    add_form = extra.pop("add_form", None) or EntryForm(formdata=None)
    add_form.subject_id.choices = _subject_choices(competition, school)
    deadline = rules.roster_deadline(competition)
    locked = rules.roster_locked(competition)
    return dict(
        competition=competition,
        school=school,
        entries=entries,
        open_apps=open_apps,
        stamped=stamped,
        counts=counts,
        rate=rules.participation_rate(
            listed=len(entries),
            competing=counts[EntryStatus.COMPETING],
            excluded=counts[EntryStatus.EXCLUDED],
        ),
        locked=locked,
        can_edit=permissions.can_edit_roster(current_user, competition),
        can_apply=_can_apply(open_apps),
        sees_school_list=permissions.sees_school_list(current_user, school),
        school_reads_only=permissions.edits_only_by_district(current_user),
        needs_reason=locked,
        deadline=deadline,
        add_form=add_form,
        import_form=ImportForm(formdata=None),
        stamped_form=StampedForm(formdata=None),
        reason_form=ReasonForm(formdata=None),
        statuses=EntryStatus,
        on_time=rules.on_time(stamped.first_uploaded_at if stamped else None, deadline),
        **extra,
    )


@bp.route("/rosters/<int:competition_id>/schools/<int:school_id>")
@roles_required(*ADMIN_ROLES)
def roster(competition_id: int, school_id: int):
    competition = chosen_competition(competition_id, with_subjects=True)
    school = services.school_in_scope(current_user, school_id)
    block = "summary" if request.args.get("part") == "summary" else "roster_body"
    return render_page_or_block(ROSTER, block, **_roster_context(competition, school))


@bp.route("/rosters/<int:competition_id>/schools/<int:school_id>.xlsx")
@roles_required(*ADMIN_ROLES)
def roster_xlsx(competition_id: int, school_id: int):
    """R-XLS-1 / R-ROS-1: the school's roster, the import columns first so it can be edited and re-imported."""
    competition = chosen_competition(competition_id)
    school = services.school_in_scope(current_user, school_id)
    entries = db.session.scalars(
        sa.select(Entry)
        .where(Entry.competition_id == competition.id, Entry.school_id == school.id)
        .options(selectinload(Entry.subject))
        .order_by(Entry.entrant_number)
    ).all()
    # the import's columns first, under the importer's own headers, so the file can be re-imported
    imported = {
        "姓名": Column("姓名", "name"),
        "身份证号": Column("身份证号", "id_number", width=22),
        "学段": Column("学段", "subject.level.label"),
        "学科": Column("学科", "subject.name"),
        "手机号码": Column("手机号码", "phone", width=14),
        "一等奖名称": Column("一等奖名称", "award_name", width=30),
        "获奖年份": Column("获奖年份", "award_year", "int"),
    }
    table = Table(
        [
            *(imported[h] for h in importer.HEADERS),
            Column("参赛编号", "entrant_number", "int"),
            Column("性别", "sex"),
            Column("出生日期", "birth_date", "date", width=12),
            Column("组别", "group.label"),
            Column("状态", "status.label"),
            Column("原因", "status_reason", width=24),
        ]
    )
    return table.response(f"{school.name}-教师名单.xlsx", "教师名单", entries)


@bp.route("/rosters/<int:competition_id>/schools/<int:school_id>/template.xlsx")
@roles_required(*ADMIN_ROLES)
def template(competition_id: int, school_id: int):
    """The import template: Chinese headers, ID column as text, two example rows."""
    competition = chosen_competition(competition_id)
    school = services.school_in_scope(current_user, school_id)
    table = Table([Column(h, h, "int" if h == "获奖年份" else "text", width=22) for h in importer.HEADERS])
    examples = [dict(zip(importer.HEADERS, row)) for row in importer.template_rows(competition, school)]
    return table.response("教师名单导入模板.xlsx", "教师名单", examples)


def _check_id_key() -> str:
    return f"check-id|{current_user.get_id()}"


def _looked_up(response) -> bool:
    return bool(g.get("check_id_looked_up"))


@bp.route("/rosters/<int:competition_id>/check-id", methods=["POST"])
@roles_required(*ADMIN_ROLES)
@limiter.limit(
    lambda: current_app.config["CHECK_ID_RATE_LIMIT"], key_func=_check_id_key, deduct_when=_looked_up
)
def check_id(competition_id: int):
    """htmx, as the ID number is typed: the derived sex, birth date and group, or what is wrong (R-ROS-2, R-GRP-1).

    A duplicate is named only within the caller's scope, and lookups are rate-limited per account
    (issue 12.7): the check is not a city-wide directory of ID numbers.
    """
    competition = chosen_competition(competition_id)
    raw = (request.form.get("id_number") or "").strip()
    subject_id = request.form.get("subject_id", type=int)
    subject = next((s for s in competition.subjects if s.id == subject_id), None)
    entry_id = request.form.get("entry_id", type=int)
    derived = error = duplicate = None
    retire = False
    if raw:
        try:
            derived = services.derive(raw, subject, competition)
        except IdNumberError as exc:
            error = str(exc)
        else:
            g.check_id_looked_up = True
            duplicate = services.duplicate_in_scope(
                current_user, competition.id, derived.info.number, entry_id
            )
            retire = rules.near_retirement(derived.info.birth_date, derived.info.sex, competition)
    return render_page_or_block(
        "rosters/_derived.html",
        "derived",
        raw=raw,
        derived=derived,
        error=error,
        duplicate=duplicate,
        retire=retire,
        subject=subject,
    )


def _fill_entry(form: EntryForm) -> dict:
    return {
        "name": form.name.data or "",
        "id_number": form.id_number.data or "",
        "subject_id": form.subject_id.data,
        "phone": form.phone.data,
        "award_name": form.award_name.data,
        "award_year": form.award_year.data,
        "reason": form.reason.data,
    }


@bp.route("/rosters/<int:competition_id>/schools/<int:school_id>/entries", methods=["POST"])
@roles_required(*ADMIN_ROLES)
def create_entry(competition_id: int, school_id: int):
    competition = chosen_competition(competition_id, with_subjects=True)
    school = services.school_in_scope(current_user, school_id)
    form = EntryForm()
    form.subject_id.choices = _subject_choices(competition, school)
    if form.validate_on_submit():
        ok, entry = attempt(
            lambda: services.save_entry(current_user, competition, school, None, **_fill_entry(form)), form
        )
        if ok:
            if wants_fragment():
                fresh = EntryForm(formdata=None)
                fresh.subject_id.choices = form.subject_id.choices
                response = render_page_or_block(
                    ROSTER,
                    "add_form",
                    competition=competition,
                    school=school,
                    add_form=fresh,
                    needs_reason=rules.roster_locked(competition),
                    added=entry,
                )
                response.headers["HX-Trigger"] = "roster-changed, roster-counts-changed"
                return response
            flash(f"已添加 {entry.name}（参赛编号 {entry.entrant_number}）。", "success")
            return redirect(
                url_for("rosters.roster", competition_id=competition.id, school_id=school.id), 303
            )
    return render_page_or_block(
        ROSTER, "add_form", status=422, **_roster_context(competition, school, add_form=form)
    )


def _row_context(entry: Entry, **extra) -> dict:
    open_apps = services.open_applications(Entry.id == entry.id)
    return dict(
        e=entry,
        competition=entry.competition,
        school=entry.school,
        open_apps=open_apps,
        can_edit=permissions.can_edit_roster(current_user, entry.competition),
        can_apply=_can_apply(open_apps),
        needs_reason=rules.roster_locked(entry.competition),
        **extra,
    )


@bp.route("/rosters/entries/<int:entry_id>")
@roles_required(*ADMIN_ROLES)
def entry_row(entry_id: int):
    """The display row (htmx: after “取消”); without htmx, back to the roster."""
    entry = services.entry_in_scope(current_user, entry_id)
    if not wants_fragment():
        return redirect(
            url_for("rosters.roster", competition_id=entry.competition_id, school_id=entry.school_id)
        )
    return render_page_or_block("rosters/_row.html", "row", **_row_context(entry))


@bp.route("/rosters/entries/<int:entry_id>/edit", methods=["GET", "POST"])
@roles_required(*ADMIN_ROLES)
def edit_entry(entry_id: int):
    """Inline editing of one row (htmx swaps the row); a full page without JS."""
    entry = services.entry_in_scope(current_user, entry_id)
    form = EntryForm(obj=entry) if request.method == "GET" else EntryForm()
    form.subject_id.choices = _subject_choices(entry.competition, entry.school)
    status = 200
    if request.method == "POST":
        save = lambda: services.save_entry(
            current_user,
            entry.competition,
            entry.school,
            entry,
            **_fill_entry(form),
        )
        if form.validate_on_submit() and attempt(save, form)[0]:
            if wants_fragment():
                response = render_page_or_block("rosters/_row.html", "row", **_row_context(entry))
                response.headers["HX-Trigger"] = "roster-counts-changed"
                return response
            flash(f"已保存 {entry.name}。", "success")
            return redirect(
                url_for("rosters.roster", competition_id=entry.competition_id, school_id=entry.school_id), 303
            )
        status = 422
    else:
        services.edit_check(current_user, entry.competition)  # R-ROS-5: no editor for a school after the lock
    if wants_fragment():
        return render_page_or_block(
            "rosters/_row.html", "edit_row", status=status, form=form, **_row_context(entry)
        )
    return render_template("rosters/entry_edit.html", form=form, **_row_context(entry)), status


@bp.route("/rosters/entries/<int:entry_id>/delete", methods=["POST"])
@roles_required(*ADMIN_ROLES)
def delete_entry(entry_id: int):
    entry = services.entry_in_scope(current_user, entry_id)
    competition_id, school_id, name = entry.competition_id, entry.school_id, entry.name
    form = ReasonForm()
    if not form.validate_on_submit():
        abort(400)
    if attempt(lambda: services.delete_entry(current_user, entry, reason=form.reason.data))[0]:
        if wants_fragment():
            return Response("", 200, {"HX-Trigger": "roster-counts-changed"})
        flash(f"已删除 {name}。", "success")
    return redirect(url_for("rosters.roster", competition_id=competition_id, school_id=school_id), 303)


@bp.route("/rosters/<int:competition_id>/schools/<int:school_id>/import", methods=["POST"])
@roles_required(*ADMIN_ROLES)
def import_roster(competition_id: int, school_id: int):
    """R-ROS-6: all or nothing; every bad row listed on the result page.

    “预览变化” runs the same import and rolls it back: the admin sees who would be added, changed and
    removed, then uploads the file again to apply it (nothing is kept between the two requests).
    """
    competition = chosen_competition(competition_id)
    school = services.school_in_scope(current_user, school_id)
    form = ImportForm()
    problems: list = []
    preview = request.form.get("preview") == "1"
    if form.validate_on_submit():
        ok, result = attempt(
            lambda: importer.import_roster(
                current_user,
                competition,
                school,
                form.file.data.stream,
                remove_missing=form.remove_missing.data or preview,
                reason=form.reason.data or ("预览" if preview else None),
            ),
            # ImportRejected carries every bad row (R-ROS-6)
            on_error=lambda error: (error.message, getattr(error, "problems", [])),
            keep=not preview,
        )
        if ok:
            return render_page_or_block(
                "rosters/import_result.html",
                "import_result",
                competition=competition,
                school=school,
                result=result,
                problems=[],
                message=None,
                preview=preview,
                remove_missing=form.remove_missing.data,
            )
        message, problems = result
    else:
        message = "；".join(form.file.errors) or "请选择要导入的 xlsx 文件。"
    return render_page_or_block(
        "rosters/import_result.html",
        "import_result",
        status=422,
        competition=competition,
        school=school,
        result=None,
        problems=problems,
        message=message,
    )


# ---------------------------------------------------------------- exemptions (R-ROS-4)


@bp.route("/rosters/entries/<int:entry_id>/exemption", methods=["GET", "POST"])
@roles_required(*ADMIN_ROLES)
def apply_exemption(entry_id: int):
    entry = services.entry_in_scope(current_user, entry_id)
    form = ExemptionForm()
    apply = lambda: services.apply_exemption(
        current_user,
        entry,
        reason=ExemptionReason(form.reason.data),
        detail=form.detail.data,
    )
    if form.validate_on_submit() and attempt(apply, form)[0]:
        flash(f"已登记 {entry.name} 的免赛申请；区县批准前该教师仍按参赛统计。", "success")
        return redirect(
            url_for("rosters.roster", competition_id=entry.competition_id, school_id=entry.school_id), 303
        )
    status = 422 if request.method == "POST" else 200
    return render_page_or_block(
        "rosters/exemption_form.html",
        "exemption_form",
        status=status,
        form=form,
        entry=entry,
        near_retirement=rules.near_retirement(entry.birth_date, entry.sex, entry.competition),
    )


def _exemptions_stmt(competition: Competition):
    return (
        sa.select(ExemptionApplication)
        .join(Entry, Entry.id == ExemptionApplication.entry_id)
        .join(School, School.id == Entry.school_id)
        .where(Entry.competition_id == competition.id, current_user.school_scope_clause())
        .options(selectinload(ExemptionApplication.entry).selectinload(Entry.school))
        .order_by(_STATE_ORDER, School.code, Entry.entrant_number)
    )


# Open applications first: those awaiting the district, then those awaiting the school.
_STATE_ORDER = sa.case(
    {ExemptionState.SCHOOL_APPROVED.value: 0, ExemptionState.SUBMITTED.value: 1},
    value=ExemptionApplication.state,
    else_=2,
)


@bp.route("/rosters/<int:competition_id>/exemptions")
@roles_required(*ADMIN_ROLES)
def exemptions(competition_id: int):
    """R-ROS-4: the applications in the user's scope, those awaiting the district first."""
    competition = chosen_competition(competition_id)
    applications = db.session.scalars(_exemptions_stmt(competition)).all()
    return render_page_or_block(
        "rosters/exemptions.html",
        "exemption_rows",
        competition=competition,
        applications=applications,
        steps={a.id: step for a in applications if (step := _exemption_step_for(a))},
        form=DecisionForm(formdata=None),
    )


def _exemption_step_for(application: ExemptionApplication) -> ExemptionStep | None:
    """R-ROS-4: the step the signed-in user may take on ``application``: the school's review or the district's decision."""
    if permissions.can_review(current_user, application):
        return ExemptionStep("rosters.review_exemption", "审核通过，报区县", "不同意")
    if permissions.can_decide(current_user, application):
        return ExemptionStep("rosters.decide_exemption", "批准免赛", "不批准")
    return None


@bp.route("/rosters/<int:competition_id>/exemptions.xlsx")
@roles_required(*ADMIN_ROLES)
def exemptions_xlsx(competition_id: int):
    """R-XLS-1: the exemption applications table."""
    competition = chosen_competition(competition_id)
    applications = db.session.scalars(_exemptions_stmt(competition)).all()
    table = Table(
        [
            Column("学校", "entry.school.name", width=24),
            Column("参赛编号", "entry.entrant_number", "int"),
            Column("姓名", "entry.name"),
            Column("性别", "entry.sex"),
            Column("出生日期", "entry.birth_date", "date", width=12),
            Column("理由", "reason.label"),
            Column("说明", "detail", width=30),
            Column("状态", "state.label"),
            Column("学校意见", "school_note", width=24),
            Column("区县意见", "decision_note", width=24),
            Column("登记时间", "created_at", "datetime", width=17),
        ]
    )
    return table.response(f"{competition.name}-免赛申请.xlsx", "免赛申请", applications)


def _application_in_scope(application_id: int) -> ExemptionApplication:
    application = db.get_or_404(ExemptionApplication, application_id)
    services.entry_in_scope(current_user, application.entry_id)
    return application


@bp.route("/rosters/exemptions/<int:application_id>/review", methods=["POST"])
@roles_required(*ADMIN_ROLES)
def review_exemption(application_id: int):
    """R-ROS-4 school review (the school admin forwards to the district or stops the application)."""
    return _exemption_step(application_id, services.review_exemption)


@bp.route("/rosters/exemptions/<int:application_id>/decide", methods=["POST"])
@roles_required(*ADMIN_ROLES)
def decide_exemption(application_id: int):
    """R-ROS-4 district decision (district or city admins; the service checks the district scope)."""
    return _exemption_step(application_id, services.decide_exemption)


def _exemption_step(application_id: int, step):
    application = _application_in_scope(application_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    if attempt(
        lambda: step(
            current_user, application, approve=request.form.get("approve") == "1", note=form.note.data
        )
    )[0]:
        flash(f"已处理 {application.entry.name} 的免赛申请：{application.state.label}。", "success")
    return redirect(url_for("rosters.exemptions", competition_id=application.entry.competition_id), 303)


# ---------------------------------------------------------------- printable list and stamped scan (R-ROS-5)


@bp.route("/rosters/<int:competition_id>/schools/<int:school_id>/print")
@roles_required(*ADMIN_ROLES)
def print_list(competition_id: int, school_id: int):
    competition = chosen_competition(competition_id, with_subjects=True)
    school = services.school_in_scope(current_user, school_id)
    return render_page_or_block("rosters/print.html", "sheet", **_roster_context(competition, school))


@bp.route("/rosters/<int:competition_id>/schools/<int:school_id>/stamped", methods=["GET", "POST"])
@roles_required(*ADMIN_ROLES)
def stamped(competition_id: int, school_id: int):
    """POST: upload the stamped scan; GET: the stored scan as a download, for whoever manages the school (R-ROS-5)."""
    competition = chosen_competition(competition_id)
    school = services.school_in_scope(current_user, school_id)
    if request.method == "GET":
        item = services.stamped_list(competition.id, school.id)
        if item is None:
            abort(404, description="该学校尚未上传盖章名单。")
        # Always a download of the checked type, never rendered by the browser as the page's origin.
        response = download_response(item.data, item.filename, item.mimetype)
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
    form = StampedForm()
    done = (
        form.validate_on_submit()
        and attempt(
            lambda: services.upload_stamped_list(
                current_user,
                competition,
                school,
                form.file.data.filename or "",
                form.file.data.read(services.STAMPED_MAX_BYTES + 1),
            ),
            form,
        )[0]
    )
    # R-ROS-5: the answer shows in the stamped-list section the user acted on (guards: errors reach the screen).
    if done and not wants_fragment():
        flash("盖章名单已上传。", "success")
        return redirect(
            url_for("rosters.roster", competition_id=competition.id, school_id=school.id) + "#stamped", 303
        )
    if done:
        return render_page_or_block(
            ROSTER, "stamped", **_roster_context(competition, school, stamped_note="盖章名单已上传。")
        )
    error = "；".join([*form.form_errors, *form.file.errors]) or "请选择扫描件。"
    return render_page_or_block(
        ROSTER, "stamped", status=422, **_roster_context(competition, school, stamped_error=error)
    )
