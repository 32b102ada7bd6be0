"""Admin side of the public listing: open listings, post announcements, resolve objections (R-PUB-2).

A separate blueprint from the public pages (``public``), so each audience has its own URL set.
Scope (R-ROLE-1): city admins everything, district admins their district, school admins the
objections against their school's (and affiliates') teachers.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.orm import joinedload

from app.competitions.models import Competition, Stage
from app.competitions.queries import chosen_competition
from app.extensions import db
from app.orgs.models import District, School
from app.public import permissions, queries, services
from app.public.forms import AnnouncementForm, ListingForm, ResolveForm
from app.public.models import Announcement, Listing, Objection, ObjectionStatus
from app.roles import Role
from app.rosters.models import Entry
from app.timeutil import beijing_today, utcnow
from app.web.access import ADMIN_ROLES, roles_required
from app.web.forms import attempt
from app.web.render import render_page_or_block
from app.web.xlsx import Column, Table

bp = Blueprint("public_admin", __name__)

LISTERS = (Role.CITY_ADMIN, Role.DISTRICT_ADMIN)


def _competition() -> Competition | None:
    return chosen_competition(request.args.get("competition", type=int))


def _district_choices(city_label: str) -> list[tuple[int | None, str]]:
    if current_user.role == Role.CITY_ADMIN:
        districts = db.session.scalars(sa.select(District).order_by(District.code)).all()
        return [(None, city_label)] + [(d.id, d.name) for d in districts]
    district = db.session.get(District, current_user.district_id) if current_user.district_id else None
    return [(district.id, district.name)] if district else []


@bp.route("/admin/public")
@roles_required(*ADMIN_ROLES)
def index():
    competition = _competition()
    if competition is None:
        return render_page_or_block("public/admin/index.html", "content", competition=None)
    announcements = queries.announcements(competition)
    return render_page_or_block(
        "public/admin/index.html",
        "content",
        competition=competition,
        now=utcnow(),
        pending=queries.pending_objections(current_user, competition),
        timeline=queries.timeline(competition),
        announcements=announcements,
        can_publish=permissions.can_publish(current_user),
        editable={a.id: permissions.can_edit_announcement(current_user, a) for a in announcements},
    )


@bp.route("/admin/public/listings.xlsx")
@roles_required(*ADMIN_ROLES)
def listings_xlsx():
    """R-XLS-1: the listings table of the admin page."""
    competition = _competition() or abort(404)
    now = utcnow()
    table = Table(
        [
            Column("阶段", "stage.label"),
            Column("范围", "scope_label", width=16),
            Column("开始日期", "first_day", "date", width=12),
            Column("结束日期", "last_day", "date", width=12),
            Column("天数", "days", "int"),
            Column("状态", lambda l: l.state(now)),
            Column("公示说明", "note", width=40),
        ]
    )
    return table.response("公示.xlsx", "公示", services.listings_of(competition))


@bp.route("/admin/public/announcements.xlsx")
@roles_required(*ADMIN_ROLES)
def announcements_xlsx():
    """R-XLS-1: the announcements table of the admin page."""
    competition = _competition() or abort(404)
    table = Table(
        [
            Column("标题", "title", width=30),
            Column("发布单位", "publisher_label", width=16),
            Column("置顶", "pinned", "bool"),
            Column("发布时间", "published_at", "datetime", width=17),
            Column("更新时间", "updated_at", "datetime", width=17),
            Column("正文", "body", width=60),
        ]
    )
    return table.response("公告.xlsx", "公告", queries.announcements(competition))


@bp.route("/admin/public/stages/<int:stage_id>/listing", methods=["GET", "POST"])
@roles_required(*LISTERS)
def listing_form(stage_id: int):
    """R-PUB-2: open a stage's listing (city-wide or one district) with its period."""
    stage = db.get_or_404(Stage, stage_id)
    form = ListingForm()
    form.district_id.choices = _district_choices("全市")
    if request.method == "GET":
        form.start.data = beijing_today()
        form.days.data = stage.competition.listing_days
    if form.validate_on_submit():
        district = db.session.get(District, form.district_id.data) if form.district_id.data else None
        ok, _ = attempt(
            lambda: services.open_listing(
                stage,
                by=current_user,
                start=form.start.data,
                days=form.days.data,
                district=district,
                note=form.note.data,
            ),
            form,
        )
        if ok:
            flash(
                f"{stage.label}公示已开启：{form.start.data.isoformat()} 起 {form.days.data} 天。", "success"
            )
            return redirect(url_for("public_admin.index", competition=stage.competition_id), 303)
    status = 422 if request.method == "POST" else 200
    return render_page_or_block(
        "public/admin/listing_form.html", "listing_form", status=status, form=form, stage=stage
    )


@bp.route("/admin/public/competitions/<int:competition_id>/announcements/new", methods=["GET", "POST"])
@bp.route("/admin/public/announcements/<int:announcement_id>", methods=["GET", "POST"])
@roles_required(*LISTERS)
def announcement_form(competition_id: int | None = None, announcement_id: int | None = None):
    """Post or edit an announcement shown on the competition's public page."""
    item = db.get_or_404(Announcement, announcement_id) if announcement_id else None
    competition = chosen_competition(item.competition_id if item else competition_id)
    form = AnnouncementForm(obj=item)
    form.district_id.choices = _district_choices("市教育局（全市）")
    if item is not None:
        form.district_id.choices = [(item.district_id, item.publisher_label)]
        if request.method == "GET":
            services.check_announcement_scope(current_user, item.district)
    if form.validate_on_submit():
        district = db.session.get(District, form.district_id.data) if form.district_id.data else None
        ok, _ = attempt(
            lambda: services.save_announcement(
                competition,
                item,
                by=current_user,
                title=form.title.data,
                body=form.body.data,
                pinned=form.pinned.data,
                district=district,
            ),
            form,
        )
        if ok:
            flash("公告已发布。" if item is None else "公告已修改。", "success")
            return redirect(url_for("public_admin.index", competition=competition.id), 303)
    status = 422 if request.method == "POST" else 200
    return render_page_or_block(
        "public/admin/announcement_form.html",
        "announcement_form",
        status=status,
        form=form,
        item=item,
        competition=competition,
    )


@bp.route("/admin/public/announcements/<int:announcement_id>/delete", methods=["POST"])
@roles_required(*LISTERS)
def announcement_delete(announcement_id: int):
    item = db.get_or_404(Announcement, announcement_id)
    competition_id = item.competition_id
    ok, _ = attempt(lambda: services.delete_announcement(item, by=current_user))
    if ok:
        flash("公告已删除。", "success")
    return redirect(url_for("public_admin.index", competition=competition_id), 303)


def _objections_stmt(competition: Competition):
    stmt = (
        sa.select(Objection)
        .where(Objection.competition_id == competition.id, services.objection_scope_clause(current_user))
        .options(
            joinedload(Objection.entry).joinedload(Entry.school),
            joinedload(Objection.listing).joinedload(Listing.stage),
            joinedload(Objection.resolved_by),
        )
        .order_by(
            Objection.status != ObjectionStatus.PENDING, Objection.created_at.desc(), Objection.id.desc()
        )
    )
    status = ObjectionStatus.from_label(request.args.get("status", ""))
    if status is not None:
        stmt = stmt.where(Objection.status == status)
    return stmt


@bp.route("/admin/public/objections")
@roles_required(*ADMIN_ROLES)
def objections():
    """Objections against teachers in the admin's scope, pending first."""
    competition = _competition() or abort(404)
    rows = db.session.scalars(_objections_stmt(competition).limit(500)).all()
    return render_page_or_block(
        "public/admin/objections.html",
        "objection_rows",
        competition=competition,
        rows=rows,
        status_filter=request.args.get("status", ""),
        statuses=list(ObjectionStatus),
    )


@bp.route("/admin/public/objections.xlsx")
@roles_required(*ADMIN_ROLES)
def objections_xlsx():
    """R-XLS-1: the objections table as xlsx; the filer's contact only for those who resolve (as on screen)."""
    competition = _competition() or abort(404)
    rows = db.session.scalars(_objections_stmt(competition)).all()
    resolvable = {o.id for o in rows if services.can_resolve(current_user, o)}
    table = Table(
        [
            Column("查询码", "tracking_display", width=16),
            Column("提交时间", "created_at", "datetime", width=17),
            Column("公示", "listing.stage.label"),
            Column("编号", lambda o: f"{o.entry.entrant_number:04d}"),
            Column("教师", "entry.name"),
            Column("学校", "entry.school.name", width=24),
            Column("异议理由", "reason", width=40),
            # the filer's contact only for those who resolve (as on screen)
            Column("异议人", lambda o: o.filer_name if o.id in resolvable else "（区县核实）"),
            Column("联系电话", lambda o: o.filer_phone if o.id in resolvable else None, width=14),
            Column("状态", "status.label"),
            Column("弄虚作假", "fraud", "bool"),
            Column("处理说明", "resolution_note", width=30),
            Column("处理人", "resolved_by.display_name"),
            Column("处理时间", "resolved_at", "datetime", width=17),
        ]
    )
    return table.response("异议.xlsx", "异议", rows)


@bp.route("/admin/public/objections/<int:objection_id>", methods=["GET", "POST"])
@roles_required(*ADMIN_ROLES)
def objection(objection_id: int):
    """R-PUB-2: read one objection and resolve it (dismissed / upheld, upheld for fraud disqualifies)."""
    item = db.session.scalar(
        sa.select(Objection)
        .where(Objection.id == objection_id)
        .options(
            joinedload(Objection.entry).joinedload(Entry.school).joinedload(School.district),
            joinedload(Objection.listing).joinedload(Listing.stage),
            joinedload(Objection.resolved_by),
        )
    ) or abort(404)
    resolver = services.objection_access(current_user, item, resolving=request.method == "POST")
    form = ResolveForm()
    fraud_upheld = form.outcome.data == ObjectionStatus.UPHELD.value and form.fraud.data
    if form.validate_on_submit() and fraud_upheld and request.form.get("confirm") != "1":
        # A disqualification is irreversible: a confirmation screen (no JS needed) states its consequences.
        return render_page_or_block(
            "public/admin/objection_confirm.html",
            "confirm",
            item=item,
            form=form,
            stage=item.listing.stage,
            consequences=services.disqualification_preview(item, by=current_user),
        )
    if form.validate_on_submit():
        ok, redraws = attempt(
            lambda: services.resolve_objection(
                item,
                by=current_user,
                outcome=ObjectionStatus(form.outcome.data),
                note=form.note.data,
                fraud=form.fraud.data,
            ),
            form,
        )
        if ok:
            flash(_resolved_message(item, redraws), "success")
            return redirect(url_for("public_admin.objection", objection_id=item.id), 303)
    others = db.session.scalars(
        sa.select(Objection)
        .where(Objection.entry_id == item.entry_id, Objection.id != item.id)
        .order_by(Objection.id)
    ).all()
    status = 422 if request.method == "POST" else 200
    return render_page_or_block(
        "public/admin/objection.html",
        "resolve_form",
        status=status,
        item=item,
        form=form,
        others=others,
        stage=item.listing.stage,
        resolver=resolver,
    )


def _resolved_message(item: Objection, redraws: list) -> Markup | str:
    text = f"异议已处理：{item.status.label}。"
    if item.fraud:
        text += f"{item.entry.name} 已被取消参赛资格。"
    if not redraws:
        return text
    links = [
        Markup('<a href="{}">{}</a>').format(url_for("draws.draw_public", draw_id=d.id), d.title)
        for d in redraws
    ]
    return Markup("{} 已公告重新抽取：{}").format(text, Markup("、").join(links))
