"""Persisted draws (R-DRAW-1/2): announced with a frozen pool, then drawn once, never edited."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.competitions.models import Entry, Stage
from app.extensions import db
from app.orgs.models import District, School
from app.timeutil import utcnow


class DrawPurpose(enum.StrEnum):
    ADVANCEMENT = "advancement"  # the random part of a quota (R-Q-1, R-Q-2)
    APPEARANCE = "appearance"  # order of appearance in a panel (R-PANEL-2)


class DrawStatus(enum.StrEnum):
    ANNOUNCED = "announced"  # pool frozen, commitment and future sources published
    DRAWN = "drawn"  # source values entered, result published; immutable from here
    VOID = (
        "void"  # withdrawn before any value was entered (the pool changed); stays published with its reason
    )


class Draw(db.Model):
    """One publicly verifiable draw. ``record_json`` is the published RFC 3797 record once drawn."""

    __tablename__ = "draws"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        sa.ForeignKey("competitions.id", ondelete="CASCADE"), index=True
    )
    stage_id: Mapped[int] = mapped_column(sa.ForeignKey("stages.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[DrawPurpose]
    title: Mapped[str] = mapped_column(sa.String(200))
    # the unit drawn for: a preliminary unit (school) for the semifinal, a district for the final
    unit_school_id: Mapped[int | None] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    unit_district_id: Mapped[int | None] = mapped_column(sa.ForeignKey("districts.id"), index=True)
    status: Mapped[DrawStatus] = mapped_column(default=DrawStatus.ANNOUNCED)
    count: Mapped[int]
    pool_json: Mapped[list[Any]] = mapped_column(sa.JSON)  # [{"number":…, "label":…}] canonical order
    pool_sha256: Mapped[str] = mapped_column(sa.String(64))
    sources_announced: Mapped[list[Any]] = mapped_column(sa.JSON)  # [{"name": "…"}] future sources
    event_at: Mapped[datetime | None]  # when the draw event takes place
    record_json: Mapped[str | None] = mapped_column(sa.Text)  # the published record (immutable)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("draws.id"), index=True)  # R-DRAW-2 re-draw
    announced_at: Mapped[datetime] = mapped_column(default=utcnow)
    drawn_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    voided_at: Mapped[datetime | None]
    void_reason: Mapped[str | None] = mapped_column(sa.String(300))  # public

    parent: Mapped["Draw | None"] = relationship(remote_side=[id])


class AdvancementUnit(db.Model):
    """One quota unit of a stage, frozen (R-Q-1/R-Q-2/R-Q-3), and its recommendation state (R-Q-4).

    Semifinal: a preliminary unit (``unit_school_id``) within ``district_id``. Final: a district
    (``unit_school_id`` is NULL). The figures are those in force when the city froze the stage;
    later roster changes and disqualifications are audited, never silently re-applied.
    """

    __tablename__ = "advancement_units"
    __table_args__ = (sa.UniqueConstraint("stage_id", "unit_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(sa.ForeignKey("stages.id", ondelete="CASCADE"), index=True)
    unit_key: Mapped[str] = mapped_column(sa.String(24))  # "S<school id>" or "D<district id>"
    unit_school_id: Mapped[int | None] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    district_id: Mapped[int] = mapped_column(sa.ForeignKey("districts.id"), index=True)
    competitors: Mapped[int]
    exact_quota: Mapped[Decimal] = mapped_column(sa.Numeric(12, 4))
    quota: Mapped[int]
    recommended: Mapped[int]
    drawn: Mapped[int]
    rounding_note: Mapped[str] = mapped_column(sa.String(200))
    frozen_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None]
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    stage: Mapped[Stage] = relationship()
    unit_school: Mapped[School | None] = relationship()
    district: Mapped[District] = relationship()
    nominations: Mapped[list["Nomination"]] = relationship(
        back_populates="unit", cascade="all, delete-orphan"
    )

    @property
    def name(self) -> str:
        return self.unit_school.name if self.unit_school is not None else self.district.name


class Nomination(db.Model):
    """A teacher a unit recommends (R-Q-4); becomes a StageEntrant (推荐) when the unit's list is confirmed."""

    __tablename__ = "nominations"
    __table_args__ = (sa.UniqueConstraint("stage_id", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(
        sa.ForeignKey("advancement_units.id", ondelete="CASCADE"), index=True
    )
    stage_id: Mapped[int] = mapped_column(sa.ForeignKey("stages.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("entries.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[AdvancementUnit] = relationship(back_populates="nominations")
    entry: Mapped[Entry] = relationship()
