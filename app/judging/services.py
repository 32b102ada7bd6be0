"""Judging verbs: forms, panels, recusal, scoring sheets. Flush, never commit."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased, contains_eager, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from app.audit import services as audit
from app.auth.models import User
from app.competitions.models import Competition, Group, Stage, StageKind, Subject
from app.draws import services as draws
from app.draws.models import Draw, DrawPurpose, DrawStatus
from app.draws.rfc3797 import PoolEntry
from app.errors import DomainError, NotAllowed, NotFound, get_or_raise
from app.extensions import db
from app.judging.models import (
    Appearance,
    FormItem,
    ItemScore,
    Panel,
    PanelJudge,
    PanelStatus,
    ScoreForm,
    ScoreSheet,
    SheetStatus,
)
from app.judging.results import stage_results
from app.judging.scoring import (
    CENT,
    FINAL_ITEMS,
    PRELIMINARY_ITEMS,
    item_points,
    judge_total,
    parse_decimal,
    parse_score,
    round_score,
    validate_form,
)
from app.orgs.models import District, School
from app.roles import Role
from app.rosters.models import Entry
from app.rosters.queries import competitors_stmt
from app.timeutil import utcnow


class SheetConflict(DomainError):
    """The sheet changed elsewhere, or is locked: the client must reload (HTTP 409)."""

    status_code = 409


# ---------------------------------------------------------------- forms (R-FORM-1, R-FORM-2)


def default_form(stage: Stage) -> ScoreForm | None:
    return db.session.scalar(
        sa.select(ScoreForm).where(ScoreForm.stage_id == stage.id, ScoreForm.owner_school_id.is_(None))
    )


def ensure_default_forms(competition: Competition) -> dict[StageKind, ScoreForm]:
    """R-FORM-1/2: the seed's forms for every stage of ``competition`` (created once)."""
    forms = {}
    for stage in competition.stages:
        form = default_form(stage)
        if form is None:
            rows = FINAL_ITEMS if stage.kind == StageKind.FINAL else PRELIMINARY_ITEMS
            form = ScoreForm(stage=stage, name=f"{stage.label}评分表")
            for position, (name, weight, featured) in enumerate(rows):
                form.items.append(
                    FormItem(
                        name=name,
                        weight=weight,
                        max_points=Decimal("100"),
                        position=position,
                        is_featured=featured,
                    )
                )
            db.session.add(form)
            db.session.flush()
        forms[stage.kind] = form
    return forms


def form_for(stage: Stage, unit_school_id: int | None) -> ScoreForm:
    """The form a panel uses: the unit's own preliminary form if it made one, else the stage's default."""
    if stage.kind == StageKind.PRELIMINARY and unit_school_id is not None:
        own = _own_form(stage, unit_school_id)
        if own is not None:
            return own
    return default_form(stage) or ensure_default_forms(stage.competition)[stage.kind]


def _own_form(stage: Stage, school_id: int) -> ScoreForm | None:
    return db.session.scalar(
        sa.select(ScoreForm).where(ScoreForm.stage_id == stage.id, ScoreForm.owner_school_id == school_id)
    )


def parse_form_rows(rows: Sequence[tuple[str, str, str]]) -> list[tuple[str, Decimal, Decimal]]:
    """R-FORM-1: typed (name, weight, max points) rows → numbers; a blank maximum means 100."""
    return [
        (n, parse_decimal(w, f"「{n}」的权重"), parse_decimal(m or "100", f"「{n}」的满分"))
        for n, w, m in rows
    ]


def save_school_form(
    stage: Stage, school: School, items: Sequence[tuple[str, Decimal, Decimal]], *, by: User
) -> ScoreForm:
    """R-FORM-1: a unit's own preliminary form (e.g. with 普通话 added); weights must sum to exactly 100."""
    if stage.kind != StageKind.PRELIMINARY:
        raise DomainError("只有初赛可以由组织学校自定义评分表；复赛、决赛使用统一评分表。")
    if school.unit_id != school.id:
        raise DomainError(f"{school.name}的初赛由{school.unit.name}组织，评分表由组织学校制定。")
    validate_form(items)
    form = _own_form(stage, school.id)
    before = None
    if form is not None:
        used = db.session.scalar(
            sa.select(sa.func.count(ItemScore.id)).join(FormItem).where(FormItem.form_id == form.id)
        )
        if used:
            raise DomainError("该评分表已有评委打分，不能再修改评分项目和权重。")
        before = {"items": [f"{i.name} {i.weight}%/{i.max_points}" for i in form.items]}
        form.items.clear()
        db.session.flush()
    else:
        form = ScoreForm(stage=stage, owner_school=school, name=f"{school.name}初赛评分表")
        db.session.add(form)
    for position, (name, weight, max_points) in enumerate(items):
        form.items.append(
            FormItem(name=name.strip(), weight=weight, max_points=max_points, position=position)
        )
    db.session.flush()
    # Panels of this unit that have no scores yet switch to the new form.
    db.session.execute(
        sa.update(Panel)
        .where(
            Panel.stage_id == stage.id,
            Panel.unit_school_id == school.id,
            ~sa.exists().where(ScoreSheet.panel_id == Panel.id),
        )
        .values(form_id=form.id)
    )
    audit.record(
        by,
        "judging.form_saved",
        "score_form",
        form.id,
        f"保存{school.name}初赛评分表",
        before=before,
        after={"items": [f"{n} {w}%/{m}" for n, w, m in items]},
        competition_id=stage.competition_id,
        district_id=school.district_id,
        school_id=school.id,
    )
    return form


# ---------------------------------------------------------------- scope (R-ROLE-1)


def can_manage_unit(user: User, unit: School) -> bool:
    """R-ROLE-1: a preliminary unit's own admin, its district and the city — not an affiliated school's admin."""
    return user.can_manage_school(unit) and (user.role != Role.SCHOOL_ADMIN or user.school_id == unit.id)


def can_manage_panel(user: User, panel: Panel) -> bool:
    """Preliminary: the unit's school admin and its district; semifinal: the district; final: the city."""
    kind = panel.stage.kind
    if user.role == Role.CITY_ADMIN:
        return True
    if kind == StageKind.PRELIMINARY and panel.unit_school is not None:
        return can_manage_unit(user, panel.unit_school)
    if kind == StageKind.SEMIFINAL:
        return user.can_manage_district(panel.district_id)
    return False


def can_amend(user: User, panel: Panel) -> bool:
    """The panel head (评委组长) or an organiser in scope: may amend a locked sheet (R-SCORE-2) and
    switch the room display's number (R-X-3)."""
    return is_head(user, panel) or can_manage_panel(user, panel)


def check_manage(user: User, panel: Panel) -> None:
    if not can_manage_panel(user, panel):
        raise NotAllowed("您无权管理该评委组。")


def panels_scope_clause(user: User):
    """``can_manage_panel`` as SQL on Panel (joined with Stage)."""
    if user.role == Role.CITY_ADMIN:
        return sa.true()
    if user.role == Role.DISTRICT_ADMIN:
        return sa.or_(
            Panel.district_id == user.district_id,
            Panel.unit_school_id.in_(sa.select(School.id).where(School.district_id == user.district_id)),
        )
    if user.role == Role.SCHOOL_ADMIN:
        return Panel.unit_school_id == user.school_id
    return sa.false()


# ---------------------------------------------------------------- panels (R-PANEL-1, R-PANEL-2)


def create_panel(
    stage: Stage,
    subject: Subject,
    group: Group,
    *,
    by: User,
    name: str | None = None,
    unit_school: School | None = None,
    district: District | None = None,
    room: str | None = None,
) -> Panel:
    """A panel per stage × subject × group, scoped to its organiser (unit school / district / city)."""
    if subject.competition_id != stage.competition_id:
        raise DomainError("学科不属于该赛事。")
    if stage.kind == StageKind.PRELIMINARY:
        if unit_school is None:
            raise DomainError("初赛评委组须指定组织学校（中心校或乡镇中学）。")
        if unit_school.unit_id != unit_school.id:
            raise DomainError(
                f"{unit_school.name}的初赛由{unit_school.unit.name}组织，请在组织学校下建评委组。"
            )
        district = None
    elif stage.kind == StageKind.SEMIFINAL:
        if district is None:
            raise DomainError("复赛评委组须指定区县。")
        unit_school = None
    else:
        unit_school = district = None
    panel = Panel(
        stage=stage,
        subject=subject,
        group=group,
        unit_school=unit_school,
        district=district,
        room=room,
        name=name or panel_name(stage, subject, group, unit_school or district),
        form=form_for(stage, unit_school.id if unit_school else None),
    )
    db.session.add(panel)
    db.session.flush()
    check_manage(by, panel)
    audit.record(
        by, "judging.panel_created", "panel", panel.id, f"新建评委组「{panel.name}」", **audit_scope(panel)
    )
    return panel


def panel_name(stage: Stage, subject: Subject, group: Group, scope: School | District | None) -> str:
    """The default name, e.g. 初赛·小学数学·中老年组·东山县青石镇中心小学."""
    return f"{stage.label}·{subject.label}·{group.label}" + (f"·{scope.name}" if scope is not None else "")


def audit_scope(panel: Panel) -> dict[str, int | None]:
    """Where a panel's audit entries are filed (R-AUD-1): its competition, district and unit school."""
    return {
        "competition_id": panel.stage.competition_id,
        "district_id": district_of(panel),
        "school_id": panel.unit_school_id,
    }


def district_of(panel: Panel) -> int | None:
    """The district a panel's audit entries are filed under (a preliminary panel: its unit's district)."""
    return panel.district_id or (panel.unit_school.district_id if panel.unit_school else None)


def eligible_entries_stmt(panel: Panel) -> sa.Select:
    """Competitors of the panel's stage, subject, group and scope not yet placed in a panel of that stage."""
    stmt = (
        competitors_stmt(panel.stage)
        .join(School, School.id == Entry.school_id)
        .where(
            Entry.subject_id == panel.subject_id,
            Entry.group == panel.group,
            ~sa.exists().where(Appearance.entry_id == Entry.id, Appearance.stage_id == panel.stage_id),
        )
    )
    if panel.unit_school_id is not None:
        stmt = stmt.where(
            sa.or_(School.id == panel.unit_school_id, School.central_school_id == panel.unit_school_id)
        )
    if panel.district_id is not None:
        stmt = stmt.where(School.district_id == panel.district_id)
    return stmt


def fill_panel(panel: Panel, *, by: User) -> int:
    """Place every eligible competitor in the panel (order of appearance still to be drawn)."""
    check_manage(by, panel)
    if panel.status != PanelStatus.SETUP:
        raise DomainError("评委组已开始评分，不能再调整选手。")
    entries = db.session.scalars(eligible_entries_stmt(panel)).all()
    for entry in entries:
        db.session.add(Appearance(panel=panel, stage_id=panel.stage_id, entry=entry))
    db.session.flush()
    if entries:
        audit.record(
            by,
            "judging.competitors_added",
            "panel",
            panel.id,
            f"评委组「{panel.name}」加入 {len(entries)} 名选手",
            after={"entrant_numbers": [e.entrant_number for e in entries]},
            **audit_scope(panel),
        )
    return len(entries)


def recusal_reason(judge: User, entry: Entry, stage: Stage) -> str | None:
    """R-PANEL-1 回避: never one's own school; at semifinal/final never one's own district. None = no conflict."""
    school = entry.school
    if judge.school_id is not None and judge.school_id == entry.school_id:
        return f"评委{judge.display_name}与{entry.entrant_number}号选手同属{school.name}，须回避。"
    if (
        stage.kind != StageKind.PRELIMINARY
        and judge.district_id is not None
        and judge.district_id == school.district_id
    ):
        return (
            f"评委{judge.display_name}与{entry.entrant_number}号选手（{school.name}）同属{school.district.name}，"
            f"{stage.label}须回避。"
        )
    return None


def panel_conflicts(panel: Panel) -> list[str]:
    """Every recusal conflict between the panel's judges and its competitors (shown to organisers)."""
    return [
        reason
        for pj in panel.judges
        for a in panel.appearances
        if (reason := recusal_reason(pj.user, a.entry, panel.stage))
    ]


def assign_judge(panel: Panel, judge: User, *, by: User, is_head: bool = False) -> PanelJudge:
    """R-PANEL-1: add a judge to a panel, refused with the reason when they must recuse themselves."""
    check_manage(by, panel)
    if judge.role != Role.JUDGE or not judge.active:
        raise DomainError(f"{judge.display_name}不是可用的评委账号。")
    if any(pj.user_id == judge.id for pj in panel.judges):
        raise DomainError(f"{judge.display_name}已在该评委组中。")
    for appearance in panel.appearances:
        reason = recusal_reason(judge, appearance.entry, panel.stage)
        if reason:
            raise DomainError(f"不能分配：{reason}")
    if is_head:
        for pj in panel.judges:
            pj.is_head = False
    member = PanelJudge(panel=panel, user=judge, is_head=is_head)
    db.session.add(member)
    db.session.flush()
    audit.record(
        by,
        "judging.judge_assigned",
        "panel",
        panel.id,
        f"评委{judge.display_name}加入「{panel.name}」" + ("（组长）" if is_head else ""),
        **audit_scope(panel),
    )
    return member


def remove_judge(panel: Panel, judge_id: int, *, by: User) -> None:
    check_manage(by, panel)
    member = next((pj for pj in panel.judges if pj.user_id == judge_id), None)
    if member is None:
        raise NotFound("该评委不在此评委组中。")
    if db.session.scalar(
        sa.select(sa.func.count(ScoreSheet.id)).where(
            ScoreSheet.panel_id == panel.id, ScoreSheet.judge_id == judge_id
        )
    ):
        raise DomainError(f"评委{member.user.display_name}已有评分记录，不能移出评委组。")
    panel.judges.remove(member)
    db.session.flush()
    audit.record(
        by,
        "judging.judge_removed",
        "panel",
        panel.id,
        f"评委{member.user.display_name}移出「{panel.name}」",
        **audit_scope(panel),
    )


def set_head(panel: Panel, judge_id: int, *, by: User) -> None:
    """The panel head (评委组长) may amend locked sheets of their panel."""
    check_manage(by, panel)
    if not any(pj.user_id == judge_id for pj in panel.judges):
        raise NotFound("该评委不在此评委组中。")
    for pj in panel.judges:
        pj.is_head = pj.user_id == judge_id
    db.session.flush()
    audit.record(
        by,
        "judging.head_set",
        "panel",
        panel.id,
        f"设定「{panel.name}」组长",
        after={"head_user_id": judge_id},
        **audit_scope(panel),
    )


def set_order(panel: Panel, entry_ids_in_order: Sequence[int], *, draw_id: int | None = None) -> None:
    """Store an order of appearance (from the R-PANEL-2 draw): positions 1..n."""
    by_entry = {a.entry_id: a for a in panel.appearances}
    for appearance in panel.appearances:
        appearance.position = None
    db.session.flush()  # (panel, position) is unique: clear before renumbering
    for position, entry_id in enumerate(entry_ids_in_order, start=1):
        by_entry[entry_id].position = position
        by_entry[entry_id].draw_id = draw_id
    panel.draw_id = draw_id
    db.session.flush()


def open_panel(panel: Panel, *, by: User) -> None:
    """Open for scoring: panel minimum (R-PANEL-1), a drawn order (R-PANEL-2), no recusal conflict."""
    check_manage(by, panel)
    minimum = panel.stage.competition.panel_min_judges
    if len(panel.judges) < minimum:
        raise DomainError(f"评委组至少需要 {minimum} 名评委，目前只有 {len(panel.judges)} 名，不能开始评分。")
    if not panel.appearances:
        raise DomainError("评委组还没有选手，不能开始评分。")
    if any(a.position is None for a in panel.appearances):
        raise DomainError("上课顺序尚未抽签确定，不能开始评分。")
    conflicts = panel_conflicts(panel)
    if conflicts:
        raise DomainError("存在回避冲突，请先调整评委：" + "；".join(conflicts[:3]))
    panel.status = PanelStatus.OPEN
    panel.current_position = panel.current_position or 1
    db.session.flush()
    audit.record(
        by, "judging.panel_opened", "panel", panel.id, f"「{panel.name}」开始评分", **audit_scope(panel)
    )


def set_status(panel: Panel, status: PanelStatus, *, by: User) -> None:
    if status == PanelStatus.OPEN:
        return open_panel(panel, by=by)
    check_manage(by, panel)
    before = panel.status
    panel.status = status
    db.session.flush()
    audit.record(
        by,
        "judging.panel_status",
        "panel",
        panel.id,
        f"「{panel.name}」{status.label}",
        before={"status": before},
        after={"status": status},
        **audit_scope(panel),
    )


def set_current(panel: Panel, position: int, *, by: User) -> None:
    """R-X-3: the number the room display shows."""
    if not can_amend(by, panel):
        raise NotAllowed("只有组织者或评委组长可以切换当前选手。")
    if not any(a.position == position for a in panel.appearances):
        raise DomainError(f"没有第 {position} 号出场的选手。")
    panel.current_position = position
    db.session.flush()


@dataclass(frozen=True)
class Identity:
    name: str
    school: str


def identity_for_judge(entry: Entry, stage: Stage) -> Identity | None:
    """R-X-1: what a judge's screens may say of a teacher — name and school, or nothing on a blind stage.

    Judge screens render only this, never the entry's own fields, so blindness is decided here, on the server.
    """
    return None if stage.blind else Identity(entry.name, entry.school.name)


def venue_for_judge(panel: Panel) -> str | None:
    """R-X-1: the organising school's name, which on a blind stage would tell the teachers' school too."""
    return panel.unit_school.name if panel.unit_school is not None and not panel.stage.blind else None


def is_head(user: User, panel: Panel) -> bool:
    return any(pj.user_id == user.id and pj.is_head for pj in panel.judges)


# ---------------------------------------------------------------- sheets (R-SCORE-1, R-SCORE-2)


def judge_appearance(user: User, appearance_id: int) -> Appearance:
    """The appearance a judge may score: their own panel only (R-ROLE-1)."""
    member = sa.exists().where(PanelJudge.panel_id == Appearance.panel_id, PanelJudge.user_id == user.id)
    panel = joinedload(Appearance.panel)
    # one round trip for the appearance, its panel, form, items and subject: autosave is hot
    row = (
        db.session.execute(
            sa.select(Appearance, member.label("member"))
            .where(Appearance.id == appearance_id)
            .options(
                panel.joinedload(Panel.form).joinedload(ScoreForm.items), panel.joinedload(Panel.subject)
            )
        )
        .unique()
        .first()
    )
    if row is None:
        raise NotFound("没有该选手。")
    if not row.member:
        raise NotAllowed("您不在该选手的评委组中。")
    return row.Appearance


def judge_sheet(user: User, appearance_id: int) -> tuple[Appearance, ScoreSheet | None]:
    """The appearance a judge may score (as :func:`judge_appearance`) with their sheet and its scores,
    in one round trip: autosave is the hottest path of the judging day."""
    member = sa.exists().where(PanelJudge.panel_id == Appearance.panel_id, PanelJudge.user_id == user.id)
    panel = joinedload(Appearance.panel)
    sheet = aliased(ScoreSheet)
    mine = sa.and_(
        sheet.panel_id == Appearance.panel_id,
        sheet.entry_id == Appearance.entry_id,
        sheet.judge_id == user.id,
    )
    row = (
        db.session.execute(
            sa.select(Appearance, member.label("member"), sheet)
            .outerjoin(sheet, mine)
            .outerjoin(sheet.scores)
            .where(Appearance.id == appearance_id)
            .options(
                panel.joinedload(Panel.form).joinedload(ScoreForm.items),
                panel.joinedload(Panel.subject),
                contains_eager(sheet.scores),
            )
        )
        .unique()
        .first()
    )
    if row is None:
        raise NotFound("没有该选手。")
    if not row.member:
        raise NotAllowed("您不在该选手的评委组中。")
    return row[0], row[2]


_UNKNOWN = object()


def find_sheet(panel_id: int, judge_id: int, entry_id: int) -> ScoreSheet | None:
    return (
        db.session.scalars(
            sa.select(ScoreSheet)
            .options(joinedload(ScoreSheet.scores))
            .where(
                ScoreSheet.panel_id == panel_id,
                ScoreSheet.judge_id == judge_id,
                ScoreSheet.entry_id == entry_id,
            )
        )
        .unique()
        .first()
    )


def _get_or_create_sheet(
    panel: Panel, judge: User, entry_id: int, editor: str | None, known=_UNKNOWN
) -> tuple[ScoreSheet, bool]:
    """The judge's sheet for this teacher, created on the first save.

    Two devices of one judge may both make the "first save" at once: INSERT … ON CONFLICT DO NOTHING
    lets the unique (panel, judge, entry) decide without an IntegrityError aborting the transaction;
    the loser then goes through the version check like any other save. ``known``: the sheet as
    :func:`judge_sheet` already read it (None: there was none then).
    """
    sheet = find_sheet(panel.id, judge.id, entry_id) if known is _UNKNOWN else known
    if sheet is not None:
        return sheet, False
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    now = utcnow()
    table = ScoreSheet.__table__
    new_id = db.session.execute(
        insert(table)
        .values(
            panel_id=panel.id,
            judge_id=judge.id,
            entry_id=entry_id,
            editor=editor,
            version=1,
            status=SheetStatus.DRAFT,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["panel_id", "judge_id", "entry_id"])
        .returning(table.c.id)
    ).scalar()
    created = new_id is not None  # RETURNING gives no row when the other device's insert won
    sheet = find_sheet(panel.id, judge.id, entry_id)
    if created:
        for item in panel.form.items:
            sheet.scores.append(ItemScore(item_id=item.id, value=None))
        db.session.flush()
    return sheet, created


def parse_values(panel: Panel, raw: Mapping[str, str]) -> dict[int, Decimal | None]:
    """Form fields ``item-<id>`` → validated scores; fields not sent are left alone."""
    values: dict[int, Decimal | None] = {}
    for item in panel.form.items:
        key = f"item-{item.id}"
        if key in raw:
            values[item.id] = parse_score(raw[key], item.max_points, item.label_for(panel.subject))
    return values


def save_sheet(
    appearance: Appearance,
    judge: User,
    raw: Mapping[str, str],
    *,
    version: int | None,
    editor: str | None,
    sheet=_UNKNOWN,
) -> ScoreSheet:
    """R-SCORE-2 autosave of a draft. A stale ``version`` from another tab or device → SheetConflict."""
    panel = appearance.panel
    if panel.status != PanelStatus.OPEN:
        raise SheetConflict("该评委组当前不在评分中，分数未保存。")
    values = parse_values(panel, raw)
    sheet, created = _get_or_create_sheet(panel, judge, appearance.entry_id, editor, sheet)
    if sheet.status == SheetStatus.SUBMITTED:
        raise SheetConflict("该评分表已提交并锁定，不能再修改；如需更正请联系评委组长。")
    if not created:
        _claim(sheet, version, editor)
    by_item = {s.item_id: s for s in sheet.scores}
    for item_id, value in values.items():
        score = by_item.get(item_id)
        if score is None:
            sheet.scores.append(ItemScore(item_id=item_id, value=value))
        elif score.value != value:
            score.value = value
    db.session.flush()
    return sheet


def _claim(sheet: ScoreSheet, version: int | None, editor: str | None) -> None:
    """Optimistic concurrency: compare-and-set the version in one UPDATE, so two devices never both win.

    The same tab (``editor``) may send an older version: its previous request may have been aborted
    by a newer one after the server had saved it; nobody else wrote in between, or ``editor`` would differ.
    """
    same = ScoreSheet.version == (version or 0)
    if editor:
        same = sa.or_(same, ScoreSheet.editor == editor)
    now = utcnow()
    new_version = db.session.execute(
        sa.update(ScoreSheet)
        .where(ScoreSheet.id == sheet.id, ScoreSheet.status == SheetStatus.DRAFT, same)
        .values(version=ScoreSheet.version + 1, editor=editor, updated_at=now)
        .returning(ScoreSheet.version)
        .execution_options(synchronize_session=False)
    ).scalar()
    if new_version is None:
        db.session.refresh(sheet)
        if sheet.status == SheetStatus.SUBMITTED:
            raise SheetConflict("该评分表已在另一设备上提交并锁定，不能再修改。")
        raise SheetConflict(
            "该评分表已在另一个页面或设备上修改过，为避免互相覆盖，本次修改未保存。请重新载入查看最新分数。"
        )
    for key, value in (("version", new_version), ("editor", editor), ("updated_at", now)):
        set_committed_value(sheet, key, value)


def submit_sheet(
    appearance: Appearance,
    judge: User,
    raw: Mapping[str, str],
    *,
    version: int | None,
    editor: str | None,
    sheet=_UNKNOWN,
) -> ScoreSheet:
    """R-SCORE-2 "提交": save the last values, require every item, lock; audited with the scores."""
    sheet = save_sheet(appearance, judge, raw, version=version, editor=editor, sheet=sheet)
    items = appearance.panel.form.items
    by_item = {s.item_id: s.value for s in sheet.scores}
    missing = [i.label_for(appearance.panel.subject) for i in items if by_item.get(i.id) is None]
    if missing:
        raise DomainError(f"还有项目未打分：{'、'.join(missing)}。全部打分后才能提交。")
    sheet.status = SheetStatus.SUBMITTED
    sheet.submitted_at = utcnow()
    sheet.version += 1
    db.session.flush()
    audit.record(
        judge,
        "judging.sheet_submitted",
        "score_sheet",
        sheet.id,
        f"评委提交 {appearance.position} 号选手评分，总分 {sheet_total(sheet, items)}",
        after=sheet_snapshot(sheet, items),
        **audit_scope(appearance.panel),
    )
    return sheet


def sheet_snapshot(sheet: ScoreSheet, items: Sequence[FormItem]) -> dict[str, str | None]:
    by_item = {s.item_id: s.value for s in sheet.scores}
    snap = {
        i.name: (str(by_item[i.id].quantize(CENT)) if by_item.get(i.id) is not None else None) for i in items
    }
    snap["总分"] = str(sheet_total(sheet, items))
    return snap


def typed_points(text: str | None, item: FormItem) -> Decimal | str:
    """An item's weighted points (R-SCORE-1 term) for a typed value as shown beside it; "—" while blank
    or not a valid score."""
    try:
        value = parse_score(text, item.max_points)
    except DomainError:
        value = None
    return "—" if value is None else round_score(item_points(value, item.max_points, item.weight))


def sheet_total(sheet: ScoreSheet, items: Sequence[FormItem]) -> Decimal:
    """A judge's total as shown (R-SCORE-1: rounded once, two decimals)."""
    by_item = {s.item_id: s.value for s in sheet.scores}
    return judge_total([(by_item.get(i.id), i.max_points, i.weight) for i in items])


def amend_sheet(sheet: ScoreSheet, raw: Mapping[str, str], *, reason: str, by: User) -> ScoreSheet:
    """R-SCORE-2: a locked sheet changes only by the panel head or an admin in scope, with a reason,
    audited with before/after (R-AUD-1)."""
    panel = sheet.panel
    if not can_amend(by, panel):
        raise NotAllowed("已提交的评分只能由评委组长或管理员更正。")
    if sheet.status != SheetStatus.SUBMITTED:
        raise DomainError("评分表尚未提交，由评委本人修改即可。")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise DomainError("更正已提交的评分必须填写原因。", field="reason")
    items = panel.form.items
    before = sheet_snapshot(sheet, items)
    values = parse_values(panel, raw)
    if any(v is None for v in values.values()):
        raise DomainError("已提交的评分表每一项都必须有分数。")
    by_item = {s.item_id: s for s in sheet.scores}
    for item_id, value in values.items():
        by_item[item_id].value = value
    db.session.flush()
    after = sheet_snapshot(sheet, items)
    if after == before:
        raise DomainError("分数没有变化，无需更正。")
    sheet.version += 1
    sheet.updated_at = utcnow()
    db.session.flush()
    audit.record(
        by,
        "judging.sheet_amended",
        "score_sheet",
        sheet.id,
        f"更正「{panel.name}」{sheet.judge.display_name}的评分",
        before=before,
        after=after,
        reason=reason,
        **audit_scope(panel),
    )
    return sheet


def final_aggregate(stage: Stage, entry_id: int) -> Decimal | None:
    """R-X-3 with R-SCORE-3: the aggregate a room display may announce — only once every judge of the
    panel has submitted (never a provisional 暂定 figure), else None."""
    result = next(iter(stage_results(stage, entry_ids=[entry_id], ranked=False)), None)
    if result is None or result.provisional:
        return None
    return result.aggregate


def new_editor_token() -> str:
    """One per page load: tells a tab's own saves from another tab's or device's."""
    return secrets.token_hex(8)


def panel_for(panel_id: int, *options) -> Panel:
    """The panel (loader ``options`` optional), or NotFound."""
    return get_or_raise(Panel, panel_id, "评委组不存在。", options=options)


def sheet_for(sheet_id: int) -> ScoreSheet:
    return get_or_raise(ScoreSheet, sheet_id, "评分表不存在。")


# ---------------------------------------------------------------- order of appearance (R-PANEL-2)


def _appearance_pool(panel: Panel) -> list:
    # Labels stay empty: the pool is public and a blind stage (R-X-1) must not name anyone.
    return [PoolEntry(number=a.entry.entrant_number, label="") for a in panel.appearances]


def announce_appearance_draw(
    panel: Panel,
    source_names: Sequence[str],
    *,
    by: User,
    event_at: datetime | None,
    now: datetime | None = None,
) -> Draw:
    """R-PANEL-2 step 1 (as R-DRAW-1): freeze the pool, publish its commitment, the future sources
    and the event time (required, in the future; never edited — moving it is a void and a new one)."""
    check_manage(by, panel)
    if panel.status != PanelStatus.SETUP:
        raise DomainError("评委组已开始评分，不能再抽签。")
    if not panel.appearances:
        raise DomainError("评委组还没有选手，无法抽签。")
    if panel.draw_id is not None:
        raise DomainError("该评委组的出场顺序已抽签或已公布抽签，抽签不能重复进行。")
    draw = draws.announce(
        panel.stage,
        purpose=DrawPurpose.APPEARANCE,
        title=f"{panel.name} 上课顺序抽签",
        pool=_appearance_pool(panel),
        count=len(panel.appearances),
        source_names=source_names,
        by=by,
        event_at=event_at,
        unit_school_id=panel.unit_school_id,
        unit_district_id=district_of(panel),
        now=now,
    )
    panel.draw_id = draw.id
    db.session.flush()
    return draw


@dataclass(frozen=True)
class AppearancePreview:
    draw: Draw
    preview: draws.Preview


def _announced_appearance_draw(panel: Panel, by: User) -> Draw:
    check_manage(by, panel)
    draw = db.session.get(Draw, panel.draw_id) if panel.draw_id else None
    if draw is None:
        raise DomainError("请先公布抽签的随机源，再录入取值。")
    if draw.status == DrawStatus.ANNOUNCED and sorted(a.entry.entrant_number for a in panel.appearances) != [
        p["number"] for p in draw.pool_json
    ]:
        raise DomainError("公布抽签后选手名单发生了变化，原抽签池已失效；请作废此抽签并重新公布。")
    return draw


def preview_appearance_draw(
    panel: Panel, values: Sequence[Sequence[str]], *, by: User, now: datetime | None = None
) -> AppearancePreview:
    """R-PANEL-2 step 2a: the confirmation screen's content (values, normalised values, key); stores nothing."""
    draw = _announced_appearance_draw(panel, by)
    return AppearancePreview(draw, draws.preview(draw, values, now=now))


def void_appearance_draw(panel: Panel, reason: str, *, by: User) -> Draw:
    """Withdraw the panel's announced order draw (e.g. the event moves); it stays public with its reason,
    and the panel may announce again."""
    draw = _announced_appearance_draw(panel, by)
    draws.void(draw, reason, by=by)
    panel.draw_id = None
    db.session.flush()
    return draw


def perform_appearance_draw(
    panel: Panel, values: Sequence[Sequence[str]], *, by: User, now: datetime | None = None
) -> Draw:
    """R-PANEL-2 step 2: enter the announced sources' values; RFC 3797 draws the whole order, stored once,
    never before the announced event time."""
    draw = _announced_appearance_draw(panel, by)
    record = draws.perform(draw, values, by=by, now=now)  # count = pool size: the whole order of appearance
    by_number = {a.entry.entrant_number: a.entry_id for a in panel.appearances}
    set_order(panel, [by_number[n] for n in record.selected], draw_id=draw.id)
    return draw
