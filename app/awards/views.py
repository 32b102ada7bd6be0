"""HTTP views of the awards domain (thin: load, check access, call a service, commit, render).

Admin screens (preview → publish → certificates, withdraw) and the public ones (published results,
certificate verification). Public pages read only the published snapshot rows, which hold no
private data (R-PUB-1).
"""

from __future__ import annotations

from collections import Counter

import segno
import sqlalchemy as sa
from flask import flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from app.auth.models import User
from app.awards import bp, services
from app.awards.forms import AbsenceForm, PublishForm, WithdrawForm
from app.awards.models import INDIVIDUAL_PRIZES, AbsenceKind, Award, AwardKind, AwardRelease, StageAbsence
from app.awards.services import Scope
from app.codes import normalise_code
from app.competitions.models import Competition, Stage, StageKind
from app.competitions.queries import chosen_competition
from app.errors import DomainError, NotFound, get_or_raise
from app.extensions import db, limiter
from app.orgs.models import District, School
from app.roles import Role
from app.rosters.models import Entry
from app.rosters.rules import roster_deadline
from app.web.access import ADMIN_ROLES, public, roles_required
from app.web.forms import attempt
from app.web.render import render_page_or_block
from app.web.xlsx import Column, Table

ORGANISERS = (Role.CITY_ADMIN, Role.DISTRICT_ADMIN)


def _competition() -> Competition | None:
    """The competition ``?competition=`` names (404 if there is none such), else the newest."""
    return chosen_competition(request.args.get("competition", type=int))


def _districts_for(user: User) -> list[District]:
    stmt = sa.select(District).order_by(District.code)
    if user.role != Role.CITY_ADMIN:
        stmt = stmt.where(District.id == (user.district_id or -1))
    return list(db.session.scalars(stmt))


def _scope(kind: AwardKind, district_id: int | None) -> Scope:
    """The scope a request names; a district admin's semifinal defaults to their own district."""
    if kind != AwardKind.SEMIFINAL:
        return Scope(kind)
    if district_id is None:
        district_id = current_user.district_id
        if district_id is None:
            first = db.session.scalar(sa.select(District.id).order_by(District.code).limit(1))
            district_id = first
    if district_id is None or db.session.get(District, district_id) is None:
        raise NotFound("没有这个区县。")
    return Scope(kind, district_id)


# ---------------------------------------------------------------- admin


@bp.route("/awards")
@roles_required(*ADMIN_ROLES)
def index():
    """Every award list of the competition the user may see, with its state and what they may do."""
    competition = _competition()
    releases = []
    sizes: dict[int, int] = {}
    scopes: list[tuple[Scope, str]] = []
    if competition is not None:
        releases = db.session.scalars(
            sa.select(AwardRelease)
            .where(AwardRelease.competition_id == competition.id)
            .options(selectinload(AwardRelease.district), selectinload(AwardRelease.published_by))
            .order_by(AwardRelease.published_at.desc())
        ).all()
        # The number of awards per list in one query (``release.awards`` would load each list's rows).
        sizes = dict(
            db.session.execute(
                sa.select(Award.release_id, sa.func.count())
                .join(AwardRelease, AwardRelease.id == Award.release_id)
                .where(AwardRelease.competition_id == competition.id)
                .group_by(Award.release_id)
            ).all()
        )
        if current_user.role in ORGANISERS:
            scopes = [
                (Scope(AwardKind.SEMIFINAL, d.id), f"{d.name} 复赛个人奖项")
                for d in _districts_for(current_user)
            ]
            scopes += [(Scope(k), k.label) for k in (AwardKind.FINAL, AwardKind.TEAM, AwardKind.ORGANISATION)]
    live = {r.scope_key: r for r in releases if r.live}
    return render_page_or_block(
        "awards/index.html",
        "releases",
        competition=competition,
        releases=releases,
        sizes=sizes,
        scopes=scopes,
        live=live,
        can_publish=lambda scope: services.can_publish(current_user, scope),
    )


def _preview_context(competition: Competition, scope: Scope) -> dict:
    context: dict = {
        "competition": competition,
        "scope": scope,
        "kind": scope.kind,
        "live": services.live_release(competition.id, scope),
        "can_publish": services.can_publish(current_user, scope),
        "districts": _districts_for(current_user) if scope.kind == AwardKind.SEMIFINAL else [],
        "district": db.session.get(District, scope.district_id) if scope.district_id else None,
    }
    if scope.kind in (AwardKind.SEMIFINAL, AwardKind.FINAL):
        stage = services.stage_for(competition, scope.kind)
        context["stage"] = stage
        context["pools"] = services.individual_pools(stage, scope.district_id)
        context["ratios"] = services.prize_ratios(competition, stage.kind)
        context["prizes"] = INDIVIDUAL_PRIZES
        context["unscored"] = sum(p.unscored for p in context["pools"])
        context["readiness"] = services.readiness(stage, context["pools"])
        context["absence_form"] = context.get("absence_form") or AbsenceForm(formdata=None)
    elif scope.kind == AwardKind.TEAM:
        context["teams"] = services.team_preview(competition)
        context["missing"] = services.missing_individual_releases(competition)
    else:
        context["orgs"] = services.organisation_preview(competition)
        context["deadline"] = roster_deadline(competition)
    return context


def _organiser_scope(competition_id: int, kind: str, district_id: int | None) -> tuple[Competition, Scope]:
    """The competition and scope of a preview/publish request; previews show unpublished figures, so only
    the organiser of that scope may see them (R-ROLE-1)."""
    competition = chosen_competition(competition_id)
    scope = _scope(services.parse_kind(kind), district_id)
    services.check_publish(current_user, scope)
    return competition, scope


@bp.route("/awards/<int:competition_id>/preview/<kind>")
@roles_required(*ORGANISERS)
def preview(competition_id: int, kind: str):
    competition, scope = _organiser_scope(competition_id, kind, request.args.get("district", type=int))
    form = PublishForm(district_id=scope.district_id or "")
    return render_page_or_block(
        "awards/preview.html", "preview", form=form, **_preview_context(competition, scope)
    )


@bp.route("/awards/<int:competition_id>/publish/<kind>", methods=["POST"])
@roles_required(*ORGANISERS)
def publish(competition_id: int, kind: str):
    """Publishing goes through a confirmation screen (works without JS): a POST without ``confirm``
    renders what would be issued, in numbers; only the POST with ``confirm=1`` publishes."""
    form = PublishForm()
    district_id = int(form.district_id.data) if (form.district_id.data or "").isdigit() else None
    competition, scope = _organiser_scope(competition_id, kind, district_id)
    if form.validate_on_submit():
        if form.confirm.data != "1":
            try:
                awards = services.planned_awards(competition, scope, by=current_user)
            except DomainError as error:
                if error.status_code == 403:
                    raise
                form.form_errors.append(error.message)
            else:
                context = _preview_context(competition, scope)
                return render_page_or_block(
                    "awards/confirm_publish.html",
                    "confirm",
                    form=form,
                    awards=awards,
                    counts=services.tally(awards),
                    certificates=len(awards),
                    schools=len({a.school_id for a in awards if a.school_id}),
                    **context,
                )
        else:
            done, release = attempt(lambda: services.publish(competition, scope, by=current_user), form)
            if done:
                flash(
                    f"已发布{release.title}，共 {len(release.awards)} 项，生成证书 {len(release.awards)} 份。",
                    "success",
                )
                return redirect(url_for("awards.release", release_id=release.id), 303)
    return render_page_or_block(
        "awards/preview.html", "preview", status=422, form=form, **_preview_context(competition, scope)
    )


def _absence_scope(competition_id: int, stage_kind: str, entry: Entry) -> tuple[Competition, Scope]:
    kind = services.parse_kind(stage_kind)
    if kind not in (AwardKind.SEMIFINAL, AwardKind.FINAL):
        raise NotFound("没有这种奖项。")
    district_id = entry.school.district_id if kind == AwardKind.SEMIFINAL else None
    return _organiser_scope(competition_id, kind.value, district_id)


@bp.route("/awards/<int:competition_id>/absences/<kind>", methods=["POST"])
@roles_required(*ORGANISERS)
def record_absence(competition_id: int, kind: str):
    """R-AW-1: record a competitor without a result as 缺考 or 弃权 (with a reason), from the preview."""
    form = AbsenceForm()
    entry = get_or_raise(
        Entry, int(form.entry_id.data or 0) if (form.entry_id.data or "").isdigit() else 0, "没有这名选手。"
    )
    competition, scope = _absence_scope(competition_id, kind, entry)
    stage = services.stage_for(competition, scope.kind)
    if form.validate_on_submit():
        done, _ = attempt(
            lambda: services.record_absence(
                stage, entry, AbsenceKind(form.kind.data), form.reason.data, by=current_user
            ),
            form,
        )
        if done:
            flash(f"已登记{entry.name}{AbsenceKind(form.kind.data).label}。", "success")
            return redirect(
                url_for(
                    "awards.preview",
                    competition_id=competition.id,
                    kind=scope.kind.value,
                    district=scope.district_id,
                )
                + "#readiness",
                303,
            )
    context = _preview_context(competition, scope)
    context["absence_form"] = form
    return render_page_or_block(
        "awards/preview.html",
        "preview",
        status=422,
        form=PublishForm(formdata=None, district_id=scope.district_id or ""),
        **context,
    )


@bp.route("/awards/absences/<int:absence_id>/clear", methods=["POST"])
@roles_required(*ORGANISERS)
def clear_absence(absence_id: int):
    absence = get_or_raise(StageAbsence, absence_id, "没有这条登记。")
    entry = absence.entry
    stage = db.session.get(Stage, absence.stage_id)
    kind = AwardKind.SEMIFINAL if stage.kind == StageKind.SEMIFINAL else AwardKind.FINAL
    competition, scope = _absence_scope(entry.competition_id, kind.value, entry)
    services.clear_absence(absence, by=current_user)
    db.session.commit()
    flash(f"已撤销{entry.name}的缺考/弃权登记。", "success")
    return redirect(
        url_for(
            "awards.preview", competition_id=competition.id, kind=scope.kind.value, district=scope.district_id
        )
        + "#readiness",
        303,
    )


@bp.route("/awards/<int:competition_id>/export/<kind>.xlsx")
@roles_required(*ORGANISERS)
def preview_xlsx(competition_id: int, kind: str):
    """R-XLS-1: the preview table as it stands now (not yet published)."""
    competition, scope = _organiser_scope(competition_id, kind, request.args.get("district", type=int))
    context = _preview_context(competition, scope)
    name = f"{context['district'].name if context['district'] else ''}{scope.kind.label}（预览）"
    if "pools" in context:
        table = Table(
            [
                Column("组别", lambda pr: pr[0].title, width=16),
                Column("名次", lambda pr: pr[1].rank, "int"),
                Column("编号", lambda pr: pr[1].entry.entrant_number, "int"),
                Column("姓名", lambda pr: pr[1].entry.name),
                Column("学校", lambda pr: pr[1].entry.school.name, width=24),
                Column("学科", lambda pr: pr[1].entry.subject.label),
                Column("成绩", lambda pr: pr[1].result.aggregate if pr[1].result else None, "score"),
                Column("拟获奖项", lambda pr: pr[1].prize.label if pr[1].prize else None),
            ]
        )
        rows = [(pool, row) for pool in context["pools"] for row in pool.rows]
    elif "teams" in context:
        table = Table(
            [
                Column("类别", "category"),
                Column("名次", "place.rank", "int"),
                Column("学校", "school.name", width=24),
                Column("区县", "school.district.name"),
                Column("参赛人数", "place.figures.competitors", "int"),
                Column("获奖人数", "place.figures.prized", "int"),
                Column("获奖比例", "share", "ratio"),
                Column("参赛率", "participation", "ratio"),
                Column("优秀团队奖", "place.awarded", "bool"),
            ]
        )
        rows = [r for team_rows in context["teams"].values() for r in team_rows]
    else:
        table = Table(
            [
                Column("类别", "category"),
                Column("名称", "name", width=24),
                Column("区县", "district.name"),
                Column("名单按时报送", "on_time", "bool"),
                Column("参赛人数", "competitors", "int"),
                Column("应参赛人数", "eligible", "int"),
                Column("参赛率", "participation", "ratio"),
                Column("异议成立", "upheld", "int"),
                Column("弄虚作假", "fraud", "int"),  # R-AW-3: the preview's column, exported too
                Column("组织奖", "awarded", "bool"),
            ]
        )
        rows = context["orgs"]
    return table.response(f"{name}.xlsx", scope.kind.label, rows)


def _release(release_id: int) -> AwardRelease:
    release = db.session.scalar(
        sa.select(AwardRelease)
        .where(AwardRelease.id == release_id)
        .options(
            selectinload(AwardRelease.awards),
            joinedload(AwardRelease.competition),
            joinedload(AwardRelease.stage),
            joinedload(AwardRelease.district),
            joinedload(AwardRelease.published_by),
            joinedload(AwardRelease.withdrawn_by),
        )
    )
    if release is None:
        raise NotFound("没有这份奖项名单。")
    return release


def certificate_scope(user: User, awards: list[Award]) -> list[Award]:
    """The awards whose certificates ``user`` may print: their district's, or their own schools'."""
    if user.role == Role.CITY_ADMIN:
        return awards
    if user.role == Role.DISTRICT_ADMIN:
        return [a for a in awards if a.district_id == user.district_id]
    schools = set(db.session.scalars(sa.select(School.id).where(user.school_scope_clause())))
    return [a for a in awards if a.school_id in schools]


def _release_page(item: AwardRelease, form: WithdrawForm, status: int = 200):
    printable = certificate_scope(current_user, item.awards)
    schools = Counter((a.school_id, a.school_name or a.recipient) for a in printable if a.school_id)
    return render_page_or_block(
        "awards/release.html",
        "rows",
        status=status,
        release=item,
        printable=printable,
        schools=sorted(schools.items(), key=lambda kv: kv[0][1]),
        form=form,
        can_withdraw=item.live and services.can_publish(current_user, Scope(item.kind, item.district_id)),
    )


@bp.route("/awards/releases/<int:release_id>")
@roles_required(*ADMIN_ROLES)
def release(release_id: int):
    """A published (or withdrawn) list exactly as published, with certificate batches per school."""
    return _release_page(_release(release_id), WithdrawForm())


@bp.route("/awards/releases/<int:release_id>/export.xlsx")
@roles_required(*ADMIN_ROLES)
def release_xlsx(release_id: int):
    """R-XLS-1: a published list with its verification codes (for mail-merge or the archive)."""
    item = _release(release_id)
    table = Table(
        [
            Column("奖项", "prize.label"),
            Column("名次", "rank", "int"),
            Column("获奖者", "recipient", width=24),
            Column("编号", "entrant_number", "int"),
            Column("学校", "school_name", width=24),
            Column("区县", "district_name"),
            Column("组别", "group.label"),
            Column("学科", "subject_label"),
            Column("类别", "category"),
            Column("成绩", lambda a: a.score if a.is_individual else None, "score"),
            Column("获奖比例", lambda a: None if a.is_individual else a.score, "ratio"),
            Column("参赛率", "participation", "ratio"),
            Column("证书验证码", "display_code", width=14),
        ]
    )
    state = "" if item.live else "（已撤销）"
    return table.response(f"{item.title}{state}.xlsx", item.kind.label, item.awards)


@bp.route("/awards/releases/<int:release_id>/withdraw", methods=["POST"])
@roles_required(*ORGANISERS)
def withdraw(release_id: int):
    item = _release(release_id)
    form = WithdrawForm()
    if (
        form.validate_on_submit()
        and attempt(lambda: services.withdraw(item, form.reason.data, by=current_user), form)[0]
    ):
        flash(f"已撤销{item.title}。", "success")
        return redirect(url_for("awards.release", release_id=item.id), 303)
    return _release_page(_release(release_id), form, status=422)


def qr_svg(url: str) -> str:
    """R-AW-2: the verification URL as an inline SVG QR code (no external service, works offline)."""
    return segno.make(url, error="m").svg_inline(scale=3, border=2)


@bp.route("/awards/releases/<int:release_id>/certificates")
@roles_required(*ADMIN_ROLES)
def certificates(release_id: int):
    """R-AW-2: printable certificates, one A4 page each; ``?school=`` prints one school's batch."""
    item = _release(release_id)
    if not item.live:
        raise NotFound("该名单已撤销，不能再打印证书。")
    awards = certificate_scope(current_user, item.awards)
    school_id = request.args.get("school", type=int)
    if school_id is not None:
        awards = [a for a in awards if a.school_id == school_id]
    shown = [(a, url_for("awards.verify", code=a.code, _external=True)) for a in awards]
    return render_page_or_block(
        "awards/certificates.html",
        "certificates",
        release=item,
        certificates=[(a, url, qr_svg(url)) for a, url in shown],
    )


# ---------------------------------------------------------------- public (R-PUB-1, R-AW-2)


@bp.route("/results/<int:competition_id>")
@public
def public_results(competition_id: int):
    """Published results and awards of a competition; search by name or school; mobile first."""
    competition = chosen_competition(competition_id)
    q = (request.args.get("q") or "").strip()[:40]
    releases = db.session.scalars(
        sa.select(AwardRelease)
        .where(AwardRelease.competition_id == competition.id, AwardRelease.live.is_(True))
        .options(joinedload(AwardRelease.district))
    ).all()
    order = {k: i for i, k in enumerate(AwardKind)}
    releases = sorted(releases, key=lambda r: (order[r.kind], r.district.code if r.district else ""))
    stmt = sa.select(Award).where(Award.release_id.in_([r.id for r in releases])).order_by(Award.position)
    if q:
        stmt = stmt.where(
            sa.or_(
                Award.recipient.contains(q, autoescape=True), Award.school_name.contains(q, autoescape=True)
            )
        )
    by_release: dict[int, list[Award]] = {}
    for award in db.session.scalars(stmt) if releases else []:
        by_release.setdefault(award.release_id, []).append(award)
    return render_page_or_block(
        "awards/public_results.html",
        "results",
        competition=competition,
        q=q,
        sections=[(r, by_release.get(r.id, [])) for r in releases],
    )


@bp.route("/verify")
@bp.route("/verify/<code>")
@public
@limiter.limit("60 per minute")
def verify(code: str | None = None):
    """R-AW-2: anyone checks a certificate by its code (typed, or scanned from the QR code)."""
    typed = request.args.get("code")
    if code is None and typed:
        normal = normalise_code(typed)
        if normal:
            return redirect(url_for("awards.verify", code=normal), 303)
        code = typed.strip()[:20]  # nothing usable typed: say so (not an empty verdict)
    if code is None:
        return render_page_or_block("awards/verify.html", "verdict", award=None, code="")
    award = services.award_by_code(code)
    if award is None:
        return render_page_or_block(
            "awards/verify.html", "verdict", status=404, award=None, code=code, not_found=True
        )
    return render_page_or_block("awards/verify.html", "verdict", award=award, code=code)
