"""The competition (R-COMP-1), its stages and subjects (R-COMP-2), with the rule settings in force."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.enums import LabelledEnum
from app.extensions import db
from app.timeutil import utcnow

RATIO = sa.Numeric(6, 4)


class StageKind(LabelledEnum):
    PRELIMINARY = "preliminary", "初赛"
    SEMIFINAL = "semifinal", "复赛"
    FINAL = "final", "决赛"

    @property
    def order(self) -> int:
        return ["preliminary", "semifinal", "final"].index(self.value)


class Level(LabelledEnum):
    """School level of a subject (R-COMP-2)."""

    PRIMARY = "primary", "小学"
    JUNIOR = "junior", "初中"


class Group(LabelledEnum):
    """R-GRP-1 groups."""

    PRIMARY_YOUTH = "primary_youth", "小学青年组"
    JUNIOR_YOUTH = "junior_youth", "初中青年组"
    SENIOR = "senior", "中老年组"


class Rounding(LabelledEnum):
    """R-Q-3 rounding policies."""

    PER_UNIT = "per_unit", "各单位分别四舍五入"
    LARGEST_REMAINDER = "largest_remainder", "最大余数法（总数不变）"


class SubjectKind(LabelledEnum):
    """Decides the final's featured item (R-FORM-2): the label is that item."""

    MUSIC = "music", "乐器演奏"
    ART = "art", "创意绘画"
    PE = "pe", "技能展示"
    IT = "it", "实操演示"
    SOCIAL = "social", "即兴演讲"
    OTHER = "other", "教学设计展示"

    @property
    def featured_item(self) -> str:
        return self.label


class Competition(db.Model):
    """A season (赛事) with every configurable rule value of SPEC.md; defaults are the seed's."""

    __tablename__ = "competitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(128))
    year: Mapped[int]
    description: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    # R-GRP-1
    youth_cutoff: Mapped[date] = mapped_column(default=date(1980, 1, 1))
    # R-ROS-3
    award_window_years: Mapped[int] = mapped_column(default=5)
    # R-ROS-4: born before these dates = fewer than five years to retirement
    retire_male_before: Mapped[date] = mapped_column(default=date(1965, 9, 1))
    retire_female_before: Mapped[date] = mapped_column(default=date(1970, 9, 1))
    # R-Q-1 / R-Q-2 / R-Q-3
    semifinal_ratio: Mapped[Decimal] = mapped_column(RATIO, default=Decimal("0.30"))
    semifinal_recommend_ratio: Mapped[Decimal] = mapped_column(RATIO, default=Decimal("0.60"))
    final_ratio: Mapped[Decimal] = mapped_column(RATIO, default=Decimal("0.10"))
    final_recommend_ratio: Mapped[Decimal] = mapped_column(RATIO, default=Decimal("0.60"))
    rounding: Mapped[Rounding] = mapped_column(default=Rounding.PER_UNIT)
    # R-PANEL-1 / R-SCORE-3 / R-RANK-1
    panel_min_judges: Mapped[int] = mapped_column(default=3)
    trim_threshold: Mapped[int] = mapped_column(default=5)
    rank_by_subject: Mapped[bool] = mapped_column(default=False)
    # R-AW-1 / R-AW-3
    semifinal_first_ratio: Mapped[Decimal] = mapped_column(RATIO, default=Decimal("0.20"))
    semifinal_second_ratio: Mapped[Decimal] = mapped_column(RATIO, default=Decimal("0.30"))
    final_first_ratio: Mapped[Decimal] = mapped_column(RATIO, default=Decimal("0.20"))
    final_second_ratio: Mapped[Decimal] = mapped_column(RATIO, default=Decimal("0.30"))
    final_third_ratio: Mapped[Decimal] = mapped_column(RATIO, default=Decimal("0.50"))
    team_award_ratio: Mapped[Decimal] = mapped_column(RATIO, default=Decimal("0.20"))
    # R-PUB-2
    listing_days: Mapped[int] = mapped_column(default=5)
    objection_requires_identity: Mapped[bool] = mapped_column(default=True)

    stages: Mapped[list["Stage"]] = relationship(
        back_populates="competition", order_by="Stage.position", cascade="all, delete-orphan"
    )
    subjects: Mapped[list["Subject"]] = relationship(
        back_populates="competition", order_by="Subject.position", cascade="all, delete-orphan"
    )

    def stage(self, kind: StageKind) -> "Stage":
        return next(s for s in self.stages if s.kind == kind)


class Stage(db.Model):
    """One of the three rounds (R-COMP-1) with its deadline and its per-stage switches."""

    __tablename__ = "stages"
    __table_args__ = (sa.UniqueConstraint("competition_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        sa.ForeignKey("competitions.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[StageKind]
    position: Mapped[int]  # 0, 1, 2 — display order
    deadline: Mapped[date | None]  # preliminary: roster + preliminary list deadline (R-ROS-5)
    blind: Mapped[bool] = mapped_column(default=False)  # R-X-1
    announce_scores: Mapped[bool] = mapped_column(default=False)  # R-X-3 当场亮分
    live_display: Mapped[bool] = mapped_column(default=False)  # R-X-3 opt-in
    frozen_at: Mapped[datetime | None]  # quotas frozen (R-Q-*)

    competition: Mapped[Competition] = relationship(back_populates="stages")

    @property
    def label(self) -> str:
        return self.kind.label


class Subject(db.Model):
    """R-COMP-2: a subject with its school level; ``kind`` picks the final's featured item."""

    __tablename__ = "subjects"
    __table_args__ = (sa.UniqueConstraint("competition_id", "level", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        sa.ForeignKey("competitions.id", ondelete="CASCADE"), index=True
    )
    level: Mapped[Level]
    name: Mapped[str] = mapped_column(sa.String(32))
    kind: Mapped[SubjectKind] = mapped_column(default=SubjectKind.OTHER)
    position: Mapped[int] = mapped_column(default=0)

    competition: Mapped[Competition] = relationship(back_populates="subjects")

    @property
    def label(self) -> str:
        return f"{self.level.label}{self.name}"
