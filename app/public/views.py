"""Public pages (no login, R-PUB-1): competition page, listings (公示), objections and their status (R-PUB-2).

Only public columns reach these templates (see ``app.public.queries.PublicRow``).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, current_app, redirect, request, url_for
from sqlalchemy.orm import joinedload

from app.competitions.models import Competition, Stage, StageKind
from app.competitions.queries import chosen_competition, competitions_stmt
from app.competitions.services import rules_in_force
from app.draws import labels as draw_labels
from app.extensions import db, limiter
from app.orgs.models import District
from app.public import bp, queries, services
from app.public.forms import ObjectionForm, TrackForm
from app.public.models import Announcement
from app.timeutil import utcnow
from app.web.access import public
from app.web.forms import attempt
from app.web.render import render_page_or_block, wants_fragment


def _filed(response) -> bool:
    return response.status_code == 303


@bp.route("/p/")
@public
def index():
    """The public home: the competition page when there is one competition, else the list."""
    competitions = db.session.scalars(competitions_stmt()).all()
    if len(competitions) == 1:
        return redirect(url_for("public.competition", competition_id=competitions[0].id))
    return render_page_or_block("public/index.html", "content", competitions=competitions)


@bp.route("/p/competitions/<int:competition_id>")
@public
def competition(competition_id: int):
    """R-PUB-1: the competition page — timeline with listing periods, announcements, disqualifications, rules."""
    competition = chosen_competition(competition_id)
    return render_page_or_block(
        "public/competition.html",
        "content",
        competition=competition,
        now=utcnow(),
        timeline=queries.timeline(competition),
        rules=rules_in_force(competition),
        announcements=queries.announcements(competition),
        disqualified=queries.disqualified(competition),
        track_form=TrackForm(formdata=None),
    )


@bp.route("/p/announcements/<int:announcement_id>")
@public
def announcement(announcement_id: int):
    item = db.get_or_404(Announcement, announcement_id, options=[joinedload(Announcement.district)])
    competition = db.session.get(Competition, item.competition_id)
    return render_page_or_block("public/announcement.html", "content", item=item, competition=competition)


@bp.route("/p/stages/<int:stage_id>")
@public
def listing(stage_id: int):
    """R-PUB-1: the stage's public list with its period, searchable by name, school or number."""
    stage = db.get_or_404(Stage, stage_id, options=[joinedload(Stage.competition)])
    now = utcnow()
    # Districts first: the listings' and rows' districts then come from the identity map, not more queries.
    districts = db.session.scalars(sa.select(District).order_by(District.code)).all()
    published = queries.published_listings(services.listings_of(stage.competition), stage, now)
    q = (request.args.get("q") or "").strip()[:50]
    district_id = request.args.get("district", type=int)
    school_id = request.args.get("school", type=int)
    page = max(request.args.get("page", 1, type=int), 1)
    rows, has_more = [], False
    if published:
        rows, has_more = queries.listing_rows(
            stage,
            districts=queries.covered_district_ids(published),
            q=q,
            district_id=district_id,
            school_id=school_id,
            page=page,
        )
    full = bool(published) and not wants_fragment()  # the fragment is the results block alone
    open_now = [l for l in published if l.is_open(now)]  # objections may be filed where a listing is open
    return render_page_or_block(
        "public/listing.html",
        "results",
        stage=stage,
        competition=stage.competition,
        published=published,
        now=now,
        rows=rows,
        has_more=has_more,
        q=q,
        district_id=district_id,
        school_id=school_id,
        page=page,
        districts=districts,
        open_district_ids=queries.covered_district_ids(open_now),
        draws=queries.stage_draws(stage) if full and stage.kind != StageKind.PRELIMINARY else [],
        draw_labels=draw_labels,
        advanced=stage.kind != StageKind.PRELIMINARY,
        disqualified=queries.disqualified(stage.competition) if full else [],
    )


@bp.route("/p/stages/<int:stage_id>/objections/<int:number>", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["OBJECTION_RATE_LIMIT"], methods=["POST"], deduct_when=_filed)
def objection_form(stage_id: int, number: int):
    """R-PUB-2: file an objection against a listed teacher, during the listing period."""
    stage = db.get_or_404(Stage, stage_id, options=[joinedload(Stage.competition)])
    entry = queries.listed_entry(stage, number) or abort(404)
    form = ObjectionForm()
    if form.validate_on_submit():
        ok, objection = attempt(
            lambda: services.file_objection(
                stage,
                entry,
                reason=form.reason.data,
                filer_name=form.filer_name.data,
                filer_phone=form.filer_phone.data,
            ),
            form,
        )
        if ok:
            return redirect(url_for("public.objection_status", code=objection.tracking_code, new=1), 303)
    status = 422 if request.method == "POST" else 200
    return render_page_or_block(
        "public/objection_form.html",
        "objection_form",
        status=status,
        stage=stage,
        row=queries.public_row_of(entry),
        form=form,
        listing=services.open_listing_for(stage, entry, utcnow()),
        competition=stage.competition,
    )


@bp.route("/p/objections")
@public
@limiter.limit("60 per minute")
def track():
    """R-PUB-2: look up an objection by its tracking code (a GET form that works without JS), rate-limited."""
    form = TrackForm(request.args)
    if request.args.get("code") is not None and form.validate():
        objection = services.find_by_tracking_code(form.code.data)
        if objection is not None:
            return redirect(url_for("public.objection_status", code=objection.tracking_code), 303)
        form.code.errors.append("没有找到该查询码对应的异议，请核对后重试（字母不区分大小写）。")
    status = 404 if form.code.errors and request.args.get("code") else 200
    return render_page_or_block("public/track.html", "content", form=form, status=status)


@bp.route("/p/objections/<code>")
@public
@limiter.limit("60 per minute")
def objection_status(code: str):
    """The filer's view of their objection: status and public resolution note, never the filer's identity."""
    objection = services.find_by_tracking_code(code)
    if objection is None:
        abort(404, description="没有找到该查询码对应的异议，请核对后重试。")
    stage = objection.listing.stage
    row = queries.public_row_of(objection.entry)
    return render_page_or_block(
        "public/objection_status.html",
        "content",
        objection=objection,
        stage=stage,
        row=row,
        new=request.args.get("new") == "1",
        competition=stage.competition,
    )
