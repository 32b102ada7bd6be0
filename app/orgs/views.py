"""District and school administration (R-ORG-1/2), scoped per R-ROLE-1."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.orgs import bp, permissions, services
from app.orgs.forms import DistrictForm, ImportForm, SchoolForm
from app.orgs.models import District, School, SchoolLevel
from app.roles import Role
from app.web.access import ADMIN_ROLES, roles_required
from app.web.forms import attempt
from app.web.render import render_page_or_block
from app.web.xlsx import Column, Table


@bp.route("/admin/districts")
@roles_required(Role.CITY_ADMIN)
def districts():
    counts = dict(
        db.session.execute(sa.select(School.district_id, sa.func.count()).group_by(School.district_id)).all()
    )
    rows = db.session.scalars(sa.select(District).order_by(District.code)).all()
    return render_page_or_block("orgs/districts.html", "district_rows", districts=rows, counts=counts)


@bp.route("/admin/districts/new", methods=["GET", "POST"])
@bp.route("/admin/districts/<int:district_id>", methods=["GET", "POST"])
@roles_required(Role.CITY_ADMIN)
def edit_district(district_id: int | None = None):
    district = db.get_or_404(District, district_id) if district_id else None
    form = DistrictForm(obj=district)
    save = lambda: services.save_district(
        current_user, district, code=form.code.data.strip(), name=form.name.data.strip()
    )
    if form.validate_on_submit() and attempt(save, form)[0]:
        flash("区县已保存。", "success")
        return redirect(url_for("orgs.districts"), 303)
    status = 422 if request.method == "POST" else 200
    return render_page_or_block(
        "orgs/district_form.html", "district_form", status=status, form=form, district=district
    )


def _school_query(q: str, district_id: int | None):
    stmt = (
        sa.select(School)
        .where(current_user.school_scope_clause())
        .options(selectinload(School.district), selectinload(School.central_school))
        .order_by(School.code)
    )
    if district_id:
        stmt = stmt.where(School.district_id == district_id)
    if q:
        stmt = stmt.where(sa.or_(School.name.contains(q), School.code.contains(q)))
    return stmt


@bp.route("/admin/schools")
@roles_required(*ADMIN_ROLES)
def schools():
    q = (request.args.get("q") or "").strip()
    district_id = request.args.get("district", type=int)
    rows = db.session.scalars(_school_query(q, district_id)).all()
    districts = db.session.scalars(sa.select(District).order_by(District.code)).all()
    if current_user.role != Role.CITY_ADMIN:
        districts = [d for d in districts if d.id == current_user.district_id]
    return render_page_or_block(
        "orgs/schools.html",
        "school_rows",
        schools=rows,
        districts=districts,
        q=q,
        district_id=district_id,
        import_form=ImportForm(),
        can_edit_schools=permissions.can_edit_schools(current_user),
    )


@bp.route("/admin/schools.xlsx")
@roles_required(*ADMIN_ROLES)
def schools_xlsx():
    rows = db.session.scalars(_school_query("", None)).all()
    code, name, district, level, central, township, seat, central_code = services.SCHOOL_HEADERS
    table = Table(
        [
            Column(code, "code", width=12),
            Column(name, "name", width=24),
            Column(district, "district.name"),
            Column(level, "level.label"),
            Column(central, "is_central", "bool"),
            Column(township, "is_township_junior", "bool"),
            Column(seat, "is_seat", "bool"),
            Column(central_code, "central_school.code", width=16),
        ]
    )
    return table.response("学校名单.xlsx", "学校名单", rows)


@bp.route("/admin/schools/template.xlsx")
@roles_required(Role.CITY_ADMIN, Role.DISTRICT_ADMIN)
def schools_template():
    example = [
        ["D01-C01", "示例镇中心小学", "（区县名称）", "小学", "是", "否", "否", ""],
        ["D01-V01", "示例村小学", "（区县名称）", "小学", "否", "否", "否", "D01-C01"],
    ]
    table = Table([Column(h, h, width=16) for h in services.SCHOOL_HEADERS])
    examples = [dict(zip(services.SCHOOL_HEADERS, row)) for row in example]
    return table.response("学校名单模板.xlsx", "学校名单", examples)


def _fill_school_choices(form: SchoolForm) -> None:
    districts = db.session.scalars(sa.select(District).order_by(District.code)).all()
    if current_user.role != Role.CITY_ADMIN:
        districts = [d for d in districts if d.id == current_user.district_id]
    form.district_id.choices = [(d.id, d.name) for d in districts]
    centrals = db.session.scalars(
        sa.select(School).where(School.is_central, current_user.school_scope_clause()).order_by(School.code)
    ).all()
    form.central_school_id.choices = [("", "—（不隶属）")] + [(s.id, f"{s.code} {s.name}") for s in centrals]


@bp.route("/admin/schools/new", methods=["GET", "POST"])
@bp.route("/admin/schools/<int:school_id>", methods=["GET", "POST"])
@roles_required(Role.CITY_ADMIN, Role.DISTRICT_ADMIN)
def edit_school(school_id: int | None = None):
    school = services.school_in_scope(current_user, school_id) if school_id else None
    form = SchoolForm(obj=school)
    if request.method == "GET" and school:
        form.level.data = school.level.value
    _fill_school_choices(form)
    save = lambda: services.save_school(
        current_user,
        school,
        code=form.code.data.strip(),
        name=form.name.data.strip(),
        district_id=form.district_id.data,
        level=SchoolLevel(form.level.data),
        is_central=form.is_central.data,
        is_township_junior=form.is_township_junior.data,
        is_seat=form.is_seat.data,
        central_school_id=form.central_school_id.data,
    )
    if form.validate_on_submit() and attempt(save, form)[0]:
        flash("学校已保存。", "success")
        return redirect(url_for("orgs.schools"), 303)
    status = 422 if request.method == "POST" else 200
    return render_page_or_block(
        "orgs/school_form.html", "school_form", status=status, form=form, school=school
    )


@bp.route("/admin/schools/import", methods=["POST"])
@roles_required(Role.CITY_ADMIN, Role.DISTRICT_ADMIN)
def import_schools():
    form = ImportForm()
    problems: list = []
    message = None
    if form.validate_on_submit():
        ok, count = attempt(
            lambda: services.import_schools(current_user, form.file.data.stream),
            on_error=lambda error: (error.message, getattr(error, "problems", [])),
        )
        if ok:
            flash(f"已导入 {count} 所学校。", "success")
            return redirect(url_for("orgs.schools"), 303)
        message, problems = count
    else:
        message = "；".join(form.file.errors) or "请选择要导入的 xlsx 文件。"
    return render_page_or_block(
        "orgs/import_result.html",
        "import_result",
        status=422,
        message=message,
        problems=problems,
        back=url_for("orgs.schools"),
    )
