"""Verbs on competitions. Flush, never commit."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from app import signals
from app.audit import services as audit
from app.competitions.models import Competition, Level, Stage, StageKind, Subject, SubjectKind
from app.errors import DomainError
from app.extensions import db

# R-COMP-2: the seed's subjects per level; ``kind`` decides the final's featured item (R-FORM-2).
DEFAULT_SUBJECTS: dict[Level, list[tuple[str, SubjectKind]]] = {
    Level.PRIMARY: [
        ("语文", SubjectKind.OTHER),
        ("数学", SubjectKind.OTHER),
        ("英语", SubjectKind.OTHER),
        ("科学", SubjectKind.OTHER),
        ("道德与法治", SubjectKind.SOCIAL),
        ("音乐", SubjectKind.MUSIC),
        ("美术", SubjectKind.ART),
        ("体育与健康", SubjectKind.PE),
        ("信息科技", SubjectKind.IT),
    ],
    Level.JUNIOR: [
        ("语文", SubjectKind.OTHER),
        ("数学", SubjectKind.OTHER),
        ("英语", SubjectKind.OTHER),
        ("物理", SubjectKind.OTHER),
        ("化学", SubjectKind.OTHER),
        ("生物学", SubjectKind.OTHER),
        ("道德与法治", SubjectKind.SOCIAL),
        ("历史", SubjectKind.SOCIAL),
        ("地理", SubjectKind.SOCIAL),
        ("音乐", SubjectKind.MUSIC),
        ("美术", SubjectKind.ART),
        ("体育与健康", SubjectKind.PE),
        ("信息科技", SubjectKind.IT),
    ],
}


def create_competition(
    name: str,
    year: int,
    *,
    deadlines: dict[StageKind, date | None] | None = None,
    with_default_subjects: bool = True,
    **settings,
) -> Competition:
    """R-COMP-1: a competition with its three stages (blind judging on for semifinal and final, R-X-1)."""
    competition = Competition(name=name, year=year, **settings)
    deadlines = deadlines or {}
    for position, kind in enumerate(StageKind):
        competition.stages.append(
            Stage(
                kind=kind,
                position=position,
                deadline=deadlines.get(kind),
                blind=kind != StageKind.PRELIMINARY,
            )
        )
    if with_default_subjects:
        for level, subjects in DEFAULT_SUBJECTS.items():
            for position, (subject_name, kind) in enumerate(subjects):
                competition.subjects.append(
                    Subject(level=level, name=subject_name, kind=kind, position=position)
                )
    db.session.add(competition)
    db.session.flush()
    return competition


# ---------------------------------------------------------------- settings (R-COMP-1) and the rules in force

# Every configurable rule value: (attribute, label, kind). kind: date, int, ratio (shown as %), bool, rounding.
SETTINGS: list[tuple[str, str, str]] = [
    ("youth_cutoff", "青年组出生日期界限（当日及以后出生为青年组）", "date"),  # R-GRP-1
    ("award_window_years", "获一等奖不在参赛范围的年限（年）", "int"),  # R-ROS-3
    ("retire_male_before", "男教师临近退休：在此日期之前出生", "date"),  # R-ROS-4
    ("retire_female_before", "女教师临近退休：在此日期之前出生", "date"),  # R-ROS-4
    ("semifinal_ratio", "复赛名额占初赛参赛人数比例", "ratio"),  # R-Q-1
    ("semifinal_recommend_ratio", "复赛名额中推荐比例（其余随机抽取）", "ratio"),  # R-Q-1
    ("final_ratio", "决赛名额占复赛参赛人数比例", "ratio"),  # R-Q-2
    ("final_recommend_ratio", "决赛名额中推荐比例（其余随机抽取）", "ratio"),  # R-Q-2
    ("rounding", "名额取整方式", "rounding"),  # R-Q-3
    ("panel_min_judges", "每个评委组最少评委人数", "int"),  # R-PANEL-1
    ("trim_threshold", "评委达到此人数时去掉一个最高分和一个最低分", "int"),  # R-SCORE-3
    ("rank_by_subject", "排名按学科分别进行", "bool"),  # R-RANK-1
    ("semifinal_first_ratio", "复赛一等奖比例", "ratio"),  # R-AW-1
    ("semifinal_second_ratio", "复赛二等奖比例", "ratio"),  # R-AW-1
    ("final_first_ratio", "决赛一等奖比例", "ratio"),  # R-AW-1
    ("final_second_ratio", "决赛二等奖比例", "ratio"),  # R-AW-1
    ("final_third_ratio", "决赛三等奖比例", "ratio"),  # R-AW-1
    ("team_award_ratio", "优秀团队奖：按获奖比例排名前", "ratio"),  # R-AW-3
    ("listing_days", "公示期（天）", "int"),  # R-PUB-2
    ("objection_requires_identity", "提出异议须填写真实姓名和电话（不公开）", "bool"),  # R-PUB-2
]


def _setting_text(value, kind: str) -> str:
    if kind == "date":
        return f"{value.year}年{value.month}月{value.day}日"
    if kind == "ratio":
        percent = (Decimal(value) * 100).normalize()
        return f"{percent:f}%"
    if kind == "bool":
        return "是" if value else "否"
    if kind == "rounding":
        return value.label
    return str(value)


def rules_in_force(competition: Competition) -> list[tuple[str, str]]:
    """R-COMP-1 / R-PUB-1: the rules in force as (label, value text), for the admin and the public page.

    Contains no private data; stage deadlines come first, then every configurable setting.
    """
    out = [
        (f"{stage.kind.label}截止日期", _setting_text(stage.deadline, "date") if stage.deadline else "未定")
        for stage in competition.stages
    ]
    out += [
        (
            f"{stage.kind.label}评审方式",
            ("匿名评审（评委看不到姓名和学校）" if stage.blind else "实名评审")
            + ("，当场亮分" if stage.announce_scores else ""),
        )
        for stage in competition.stages
    ]
    out += [
        (plain_label(label), _setting_text(getattr(competition, attr), kind))
        for attr, label, kind in SETTINGS
    ]
    return out


def plain_label(label: str) -> str:
    """A setting's label without its rule id, for readers who do not know SPEC.md."""
    return re.sub(r"，?R-[A-Z]+-\d+", "", label).replace("（）", "")


def check_settings(values: dict, deadlines: dict[StageKind, date | None]) -> None:
    """Refuse settings that cannot work together (each message names the field)."""
    ordered = [deadlines.get(kind) for kind in StageKind]
    known = [d for d in ordered if d]
    if known != sorted(known):
        raise DomainError("各阶段截止日期应依次为初赛、复赛、决赛。", field="semifinal_deadline")
    for attr, label, kind in SETTINGS:
        value = values.get(attr)
        if kind == "ratio" and value is not None and not Decimal(0) <= value <= Decimal(1):
            raise DomainError(f"{label}应在 0% 至 100% 之间。", field=attr)
        if kind == "int" and value is not None and value < 0:
            raise DomainError(f"{label}不能为负数。", field=attr)
    if values.get("panel_min_judges", 3) < 1:
        raise DomainError("每个评委组至少要有 1 名评委。", field="panel_min_judges")
    if values.get("award_window_years", 5) < 1:
        raise DomainError("获奖年限至少为 1 年。", field="award_window_years")
    for attrs, label in (
        (("semifinal_first_ratio", "semifinal_second_ratio"), "复赛各等奖"),
        (("final_first_ratio", "final_second_ratio", "final_third_ratio"), "决赛各等奖"),
    ):
        if sum((values.get(a) or Decimal(0) for a in attrs), Decimal(0)) > 1:
            raise DomainError(f"{label}比例之和不能超过 100%。", field=attrs[-1])


def save_competition(
    actor,
    competition: Competition | None,
    *,
    name: str,
    year: int,
    description: str | None,
    deadlines: dict[StageKind, date | None],
    stage_flags: dict[StageKind, dict[str, bool]],
    settings: dict,
) -> Competition:
    """R-COMP-1: create or edit a competition with its stage deadlines and every rule setting; audited."""
    check_settings(settings, deadlines)
    creating = competition is None
    if creating:
        competition = create_competition(name, year, deadlines=deadlines, description=description, **settings)
        before = None
    else:
        before = _competition_values(competition)
        competition.name, competition.year, competition.description = name, year, description
        for attr, value in settings.items():
            setattr(competition, attr, value)
        for stage in competition.stages:
            stage.deadline = deadlines.get(stage.kind)
    for stage in competition.stages:
        for flag, value in stage_flags.get(stage.kind, {}).items():
            setattr(stage, flag, value)
    db.session.flush()
    audit.record(
        actor,
        "competition.create" if creating else "competition.update",
        "competition",
        competition.id,
        f"{'创建' if creating else '修改'}赛事 {name}",
        before=before,
        after=_competition_values(competition),
        competition_id=competition.id,
    )
    return competition


def _competition_values(competition: Competition) -> dict:
    values = {"name": competition.name, "year": competition.year}
    values.update({attr: getattr(competition, attr) for attr, _, _ in SETTINGS})
    for stage in competition.stages:
        values[f"{stage.kind.value}_deadline"] = stage.deadline
        values[f"{stage.kind.value}_blind"] = stage.blind
    return values


def add_subject(actor, competition: Competition, *, level: Level, name: str, kind: SubjectKind) -> Subject:
    """R-COMP-2: a subject carries its school level; names are unique per level."""
    name = (name or "").strip()
    if not name:
        raise DomainError("请填写学科名称。", field="name")
    if any(s.level == level and s.name == name for s in competition.subjects):
        raise DomainError(f"{level.label}已有“{name}”学科。", field="name")
    position = max((s.position for s in competition.subjects if s.level == level), default=-1) + 1
    subject = Subject(level=level, name=name, kind=kind, position=position)
    competition.subjects.append(subject)
    db.session.flush()
    audit.record(
        actor,
        "competition.subject_add",
        "subject",
        subject.id,
        f"添加学科 {subject.label}",
        after={"level": level, "name": name, "kind": kind},
        competition_id=competition.id,
    )
    return subject


def remove_subject(actor, subject: Subject) -> None:
    """A subject may be removed only while no teacher has entered it."""
    signals.subject_removing.send(subject)  # rosters refuses while a teacher has entered it
    audit.record(
        actor,
        "competition.subject_remove",
        "subject",
        subject.id,
        f"删除学科 {subject.label}",
        before={"level": subject.level, "name": subject.name},
        competition_id=subject.competition_id,
    )
    db.session.delete(subject)
    db.session.flush()


def default_settings_preview() -> Competition:
    """An unsaved competition carrying the seed's defaults, to pre-fill the creation form."""
    from app.timeutil import beijing_today

    year = beijing_today().year
    competition = Competition(
        name="",
        year=year,
        **{
            c.key: c.default.arg
            for c in Competition.__table__.columns
            if c.default is not None and not callable(c.default.arg)
        },
    )
    competition.stages = [
        Stage(kind=kind, position=i, blind=kind != StageKind.PRELIMINARY) for i, kind in enumerate(StageKind)
    ]
    for stage in competition.stages:
        stage.announce_scores = stage.live_display = False
    return competition
