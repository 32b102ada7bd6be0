"""Persisted draws (R-DRAW-1/2): announced with a frozen pool, then drawn once, never edited."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.competitions.models import Rounding, Stage
from app.extensions import db
from app.orgs.models import District, School
from app.rosters.models import Entry
from app.timeutil import utcnow


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
    # R-Q-3: the settings in force at freezing, kept with the quotas (NULL for units frozen before they were stored)
    quota_ratio: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 4))
    recommend_ratio: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 4))
    rounding: Mapped[Rounding | None]
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
