"""Judging tables: forms (R-FORM-*), panels (R-PANEL-*), score sheets (R-SCORE-*), QR sign-in (R-X-2)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.competitions.models import Group, Stage, Subject
from app.enums import LabelledEnum
from app.extensions import db
from app.orgs.models import District, School
from app.rosters.models import Entry
from app.timeutil import utcnow


class ScoreForm(db.Model):
    """A stage's scoring form; ``owner_school_id`` set = that unit's own preliminary form (R-FORM-1)."""

    __tablename__ = "score_forms"

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(sa.ForeignKey("stages.id", ondelete="CASCADE"), index=True)
    owner_school_id: Mapped[int | None] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    stage: Mapped[Stage] = relationship()
    owner_school: Mapped[School | None] = relationship()
    items: Mapped[list["FormItem"]] = relationship(
        back_populates="form", order_by="FormItem.position", cascade="all, delete-orphan"
    )


class FormItem(db.Model):
    """One scored item: weight in percent points (sum 100), scored 0..max_points (R-SCORE-1)."""

    __tablename__ = "form_items"
    __table_args__ = (sa.UniqueConstraint("form_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(sa.ForeignKey("score_forms.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(64))
    weight: Mapped[Decimal]
    max_points: Mapped[Decimal] = mapped_column(default=Decimal("100"))
    position: Mapped[int]
    is_featured: Mapped[bool] = mapped_column(default=False)  # R-FORM-2: labelled by the subject

    form: Mapped[ScoreForm] = relationship(back_populates="items")

    def label_for(self, subject: Subject | None) -> str:
        """R-FORM-2: the final's featured item names what the subject shows, e.g. 特色项目展示（乐器演奏）."""
        if self.is_featured and subject is not None:
            return f"{self.name}（{subject.kind.featured_item}）"
        return self.name


class PanelStatus(LabelledEnum):
    SETUP = "setup", "筹备中"
    OPEN = "open", "评分中"
    CLOSED = "closed", "已结束"


class Panel(db.Model):
    """A judging panel (评委组) per stage × subject × group (R-PANEL-1), scoped to its organiser."""

    __tablename__ = "panels"

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(sa.ForeignKey("stages.id", ondelete="CASCADE"), index=True)
    subject_id: Mapped[int] = mapped_column(sa.ForeignKey("subjects.id"), index=True)
    group: Mapped[Group]
    name: Mapped[str] = mapped_column(sa.String(128))
    # scope: the preliminary unit (R-ORG-2), the district for a semifinal, neither for the final
    unit_school_id: Mapped[int | None] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    district_id: Mapped[int | None] = mapped_column(sa.ForeignKey("districts.id"), index=True)
    form_id: Mapped[int] = mapped_column(sa.ForeignKey("score_forms.id"), index=True)
    room: Mapped[str | None] = mapped_column(sa.String(64))
    status: Mapped[PanelStatus] = mapped_column(default=PanelStatus.SETUP)
    current_position: Mapped[int | None]  # the number on the live display (R-X-3)
    draw_id: Mapped[int | None] = mapped_column(sa.ForeignKey("draws.id"), index=True)  # R-PANEL-2
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    stage: Mapped[Stage] = relationship()
    subject: Mapped[Subject] = relationship()
    unit_school: Mapped[School | None] = relationship()
    district: Mapped[District | None] = relationship()
    form: Mapped[ScoreForm] = relationship()
    judges: Mapped[list["PanelJudge"]] = relationship(
        back_populates="panel", order_by="PanelJudge.id", cascade="all, delete-orphan"
    )
    appearances: Mapped[list["Appearance"]] = relationship(
        back_populates="panel", order_by="Appearance.position", cascade="all, delete-orphan"
    )

    # states as booleans, for templates (which never compare enum values to literals)
    @property
    def is_setup(self) -> bool:
        return self.status == PanelStatus.SETUP

    @property
    def is_open(self) -> bool:
        return self.status == PanelStatus.OPEN

    @property
    def is_closed(self) -> bool:
        return self.status == PanelStatus.CLOSED


class PanelJudge(db.Model):
    __tablename__ = "panel_judges"
    __table_args__ = (sa.UniqueConstraint("panel_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(sa.ForeignKey("panels.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    is_head: Mapped[bool] = mapped_column(default=False)  # 评委组长: may amend locked sheets

    panel: Mapped[Panel] = relationship(back_populates="judges")
    user: Mapped[User] = relationship()


class Appearance(db.Model):
    """A competitor in a panel; ``position`` is the drawn order of appearance (R-PANEL-2).

    One panel per teacher per stage: (stage_id, entry_id) is unique.
    """

    __tablename__ = "appearances"
    __table_args__ = (
        sa.UniqueConstraint("stage_id", "entry_id"),
        sa.UniqueConstraint("panel_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(sa.ForeignKey("panels.id", ondelete="CASCADE"), index=True)
    stage_id: Mapped[int] = mapped_column(sa.ForeignKey("stages.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("entries.id", ondelete="CASCADE"), index=True)
    position: Mapped[int | None]
    draw_id: Mapped[int | None] = mapped_column(sa.ForeignKey("draws.id"), index=True)

    panel: Mapped[Panel] = relationship(back_populates="appearances")
    entry: Mapped[Entry] = relationship()


class SheetStatus(LabelledEnum):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"


class ScoreSheet(db.Model):
    """One judge's scores for one teacher (R-SCORE-2). ``version`` counts saves (optimistic locking);
    ``editor`` is the tab that saved last, so a tab's own aborted request is not taken for a rival."""

    __tablename__ = "score_sheets"
    __table_args__ = (sa.UniqueConstraint("panel_id", "judge_id", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(sa.ForeignKey("panels.id", ondelete="CASCADE"), index=True)
    judge_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("entries.id", ondelete="CASCADE"), index=True)
    status: Mapped[SheetStatus] = mapped_column(default=SheetStatus.DRAFT)
    version: Mapped[int] = mapped_column(default=1)
    editor: Mapped[str | None] = mapped_column(sa.String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]

    panel: Mapped[Panel] = relationship()
    judge: Mapped[User] = relationship()
    entry: Mapped[Entry] = relationship()
    scores: Mapped[list["ItemScore"]] = relationship(back_populates="sheet", cascade="all, delete-orphan")

    @property
    def is_submitted(self) -> bool:
        return self.status == SheetStatus.SUBMITTED


class ItemScore(db.Model):
    __tablename__ = "item_scores"
    __table_args__ = (sa.UniqueConstraint("sheet_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(sa.ForeignKey("score_sheets.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("form_items.id", ondelete="CASCADE"), index=True)
    value: Mapped[Decimal | None]

    sheet: Mapped[ScoreSheet] = relationship(back_populates="scores")
    item: Mapped[FormItem] = relationship()


class SignInCode(db.Model):
    """A printed one-time QR sign-in code for one judge of one panel (R-X-2); only hashes are stored."""

    __tablename__ = "signin_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(sa.ForeignKey("panels.id", ondelete="CASCADE"), index=True)
    judge_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    pin_hash: Mapped[str] = mapped_column(sa.String(255))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    judge: Mapped[User] = relationship(foreign_keys=[judge_id])
    panel: Mapped[Panel] = relationship()
