"""HTTP views of the competitions domain (thin: load, check access, call a service, commit, render)."""

from __future__ import annotations

from decimal import Decimal
from operator import itemgetter

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from app.competitions import bp, permissions, services
from app.competitions.forms import STAGE_FLAGS, CompetitionForm, ConfirmForm, SubjectForm
from app.competitions.models import Competition, Level, Rounding, StageKind, Subject, SubjectKind
from app.competitions.queries import chosen_competition, competitions_stmt
from app.extensions import db
from app.roles import Role
from app.web.access import ADMIN_ROLES, roles_required
from app.web.forms import attempt
from app.web.render import render_page_or_block
from app.web.xlsx import Column, Table


def _competitions() -> list[Competition]:
    """Every competition, newest first, with its stages (each row shows the three deadlines)."""
    return db.session.scalars(competitions_stmt().options(selectinload(Competition.stages))).all()


@bp.route("/competitions")
@roles_required(*ADMIN_ROLES)
def index():
    return render_page_or_block(
        "competitions/index.html",
        "competition_rows",
        competitions=_competitions(),
        can_configure=permissions.can_configure(current_user),
    )


@bp.route("/competitions.xlsx")
@roles_required(*ADMIN_ROLES)
def index_xlsx():
    """R-XLS-1: the list of competitions with their stage deadlines."""
    table = Table(
        [
            Column("年度", "year", "int"),
            Column("名称", "name", width=30),
            *(
                Column(
                    f"{k.label}截止",
                    lambda c, k=k: next((s.deadline for s in c.stages if s.kind == k), None),
                    "date",
                    width=12,
                    empty="未定",
                )
                for k in StageKind
            ),
        ]
    )
    return table.response("赛事.xlsx", "赛事", _competitions())


@bp.route("/competitions/<int:competition_id>")
@roles_required(*ADMIN_ROLES)
def detail(competition_id: int):
    competition = chosen_competition(competition_id)
    return render_page_or_block(
        "competitions/detail.html",
        "rules",
        competition=competition,
        rules=services.rules_in_force(competition),
        subject_form=SubjectForm(),
        confirm=ConfirmForm(),
        can_configure=permissions.can_configure(current_user),
    )


@bp.route("/competitions/<int:competition_id>/rules.xlsx")
@roles_required(*ADMIN_ROLES)
def rules_xlsx(competition_id: int):
    """R-XLS-1: the rules in force and the subjects as a workbook."""
    competition = chosen_competition(competition_id)
    rows = list(services.rules_in_force(competition))
    rows += [("学科", f"{s.label}（决赛特色项目：{s.kind.featured_item}）") for s in competition.subjects]
    table = Table([Column("项目", itemgetter(0), width=24), Column("设定", itemgetter(1), width=50)])
    return table.response(f"{competition.name}-规则.xlsx", "规则", rows)


def _load_form(form, competition: Competition) -> None:
    form.name.data, form.year.data, form.description.data = (
        competition.name,
        competition.year,
        competition.description,
    )
    for stage in competition.stages:
        getattr(form, f"{stage.kind.value}_deadline").data = stage.deadline
        for flag, _ in STAGE_FLAGS:
            getattr(form, f"{stage.kind.value}_{flag}").data = getattr(stage, flag)
    for attr, _, kind in services.SETTINGS:
        value = getattr(competition, attr)
        if kind == "ratio":
            value = Decimal(format((Decimal(value) * 100).normalize(), "f"))
        elif kind == "rounding":
            value = value.value
        getattr(form, attr).data = value


@bp.route("/competitions/new", methods=["GET", "POST"])
@bp.route("/competitions/<int:competition_id>/edit", methods=["GET", "POST"])
@roles_required(Role.CITY_ADMIN)
def edit(competition_id: int | None = None):
    competition = chosen_competition(competition_id) if competition_id else None
    form = CompetitionForm()
    if request.method == "GET":
        _load_form(form, competition or services.default_settings_preview())
    if form.validate_on_submit():
        settings = {}
        for attr, _, kind in services.SETTINGS:
            value = getattr(form, attr).data
            if kind == "ratio":
                value = (Decimal(value) / 100).quantize(Decimal("0.0001"))
            elif kind == "rounding":
                value = Rounding(value)
            settings[attr] = value
        ok, saved = attempt(
            lambda: services.save_competition(
                current_user,
                competition,
                name=form.name.data.strip(),
                year=form.year.data,
                description=(form.description.data or "").strip() or None,
                deadlines={k: getattr(form, f"{k.value}_deadline").data for k in StageKind},
                stage_flags={
                    k: {f: getattr(form, f"{k.value}_{f}").data for f, _ in STAGE_FLAGS} for k in StageKind
                },
                settings=settings,
            ),
            form,
        )
        if ok:
            flash("赛事设置已保存。", "success")
            return redirect(url_for("competitions.detail", competition_id=saved.id), 303)
    status = 422 if request.method == "POST" else 200
    return render_page_or_block(
        "competitions/form.html",
        "competition_form",
        status=status,
        form=form,
        competition=competition,
        settings=services.SETTINGS,
        stage_kinds=list(StageKind),
        stage_flags=STAGE_FLAGS,
    )


@bp.route("/competitions/<int:competition_id>/subjects", methods=["POST"])
@roles_required(Role.CITY_ADMIN)
def add_subject(competition_id: int):
    competition = chosen_competition(competition_id)
    form = SubjectForm()
    add = lambda: services.add_subject(
        current_user,
        competition,
        level=Level(form.level.data),
        name=form.name.data,
        kind=SubjectKind(form.kind.data),
    )
    if form.validate_on_submit() and attempt(add, form)[0]:
        flash("学科已添加。", "success")
        return redirect(url_for("competitions.detail", competition_id=competition.id) + "#subjects", 303)
    return render_page_or_block(
        "competitions/detail.html",
        "subjects",
        status=422,
        competition=competition,
        rules=services.rules_in_force(competition),
        subject_form=form,
        confirm=ConfirmForm(),
        can_configure=True,  # the route admits the city only
    )


@bp.route("/competitions/subjects/<int:subject_id>/delete", methods=["POST"])
@roles_required(Role.CITY_ADMIN)
def remove_subject(subject_id: int):
    subject = db.get_or_404(Subject, subject_id)
    competition_id = subject.competition_id
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if attempt(lambda: services.remove_subject(current_user, subject))[0]:
        flash("学科已删除。", "success")
    return redirect(url_for("competitions.detail", competition_id=competition_id) + "#subjects", 303)
