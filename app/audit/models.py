"""R-AUD-1: the append-only audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.timeutil import utcnow


class AuditEntry(db.Model):
    """Who did what, when, to which record, with the values before and after. Never updated or deleted."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    actor_name: Mapped[str] = mapped_column(sa.String(64))  # kept even if the account is renamed
    action: Mapped[str] = mapped_column(sa.String(64), index=True)  # e.g. "roster.update"
    target_type: Mapped[str] = mapped_column(sa.String(32))
    target_id: Mapped[int | None]
    competition_id: Mapped[int | None] = mapped_column(index=True)
    district_id: Mapped[int | None] = mapped_column(index=True)  # for scoping who may read it
    school_id: Mapped[int | None] = mapped_column(index=True)
    summary: Mapped[str] = mapped_column(sa.String(500))
    reason: Mapped[str | None] = mapped_column(sa.String(500))
    before: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)


@sa.event.listens_for(AuditEntry, "before_update")
def _refuse_update(_mapper, _connection, _target):
    raise RuntimeError("audit entries are append-only (R-AUD-1)")


@sa.event.listens_for(AuditEntry, "before_delete")
def _refuse_delete(_mapper, _connection, _target):
    raise RuntimeError("audit entries are append-only (R-AUD-1)")
