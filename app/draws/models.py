"""Persisted draws (R-DRAW-1/2): announced with a frozen pool, then drawn once, never edited."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import utcnow


class DrawPurpose(enum.StrEnum):
    ADVANCEMENT = "advancement"  # the random part of a quota (R-Q-1, R-Q-2)
    APPEARANCE = "appearance"  # order of appearance in a panel (R-PANEL-2)


class DrawStatus(enum.StrEnum):
    ANNOUNCED = "announced"  # pool frozen, commitment and future sources published
    DRAWN = "drawn"  # source values entered, result published; immutable from here
    # withdrawn before any value was entered (the pool changed, or the event moves: a new announcement
    # follows); stays published with its reason
    VOID = "void"


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
    # when the draw event takes place (naive UTC); named by every announcement, never edited, and no
    # perform before it (R-DRAW-1); NULL only on rows older than that rule, which cannot be performed
    event_at: Mapped[datetime | None]
    record_json: Mapped[str | None] = mapped_column(sa.Text)  # the published record (immutable)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("draws.id"), index=True)  # R-DRAW-2 re-draw
    announced_at: Mapped[datetime] = mapped_column(default=utcnow)
    drawn_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    voided_at: Mapped[datetime | None]
    void_reason: Mapped[str | None] = mapped_column(sa.String(300))  # public

    parent: Mapped["Draw | None"] = relationship(remote_side=[id])

    @property
    def is_announced(self) -> bool:
        return self.status == DrawStatus.ANNOUNCED

    @property
    def is_drawn(self) -> bool:
        return self.status == DrawStatus.DRAWN

    @property
    def is_void(self) -> bool:
        return self.status == DrawStatus.VOID
