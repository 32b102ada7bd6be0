"""Tables owned by the rosters domain: exemption applications (R-ROS-4) and stamped lists (R-ROS-5)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.competitions.models import Entry
from app.enums import LabelledEnum
from app.extensions import db
from app.timeutil import utcnow


class ExemptionReason(LabelledEnum):
    """R-ROS-4 grounds for 免赛. Private: never shown on a public page."""

    RETIREMENT = "retirement", "距退休不足5年"
    HEALTH = "health", "身体健康原因"


class ExemptionState(LabelledEnum):
    """R-ROS-4 workflow: recorded by the school → school review → district decision."""

    SUBMITTED = "submitted", "待学校审核"
    SCHOOL_APPROVED = "school_approved", "学校已审核，待区县审批"
    SCHOOL_REJECTED = "school_rejected", "学校审核未通过"
    APPROVED = "approved", "区县已批准"
    REFUSED = "refused", "区县未批准"


# R-ROS-4: still awaiting the school or the district (the teacher counts as competing meanwhile).
OPEN_STATES = (ExemptionState.SUBMITTED, ExemptionState.SCHOOL_APPROVED)


class ExemptionApplication(db.Model):
    """A teacher's application for 免赛 (R-ROS-4); the entry counts as competing until APPROVED."""

    __tablename__ = "exemption_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("entries.id", ondelete="CASCADE"), index=True)
    reason: Mapped[ExemptionReason]
    detail: Mapped[str | None] = mapped_column(sa.String(500))  # private
    state: Mapped[ExemptionState] = mapped_column(default=ExemptionState.SUBMITTED, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    school_reviewed_at: Mapped[datetime | None]
    school_reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    school_note: Mapped[str | None] = mapped_column(sa.String(500))
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decision_note: Mapped[str | None] = mapped_column(sa.String(500))

    entry: Mapped[Entry] = relationship()


class StampedList(db.Model):
    """The school's stamped (加盖公章) roster printout (R-ROS-5), stored in the database, one per school."""

    __tablename__ = "stamped_lists"
    __table_args__ = (sa.UniqueConstraint("competition_id", "school_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        sa.ForeignKey("competitions.id", ondelete="CASCADE"), index=True
    )
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(200))
    mimetype: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int]
    data: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    first_uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)  # decides "on time"
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
