"""Tables owned by the rosters domain: each teacher's roster entry (R-ROS-1), who competes in a later stage,
exemption applications (R-ROS-4) and stamped lists (R-ROS-5)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.competitions.models import Competition, Group, Stage, Subject
from app.enums import LabelledEnum
from app.extensions import db
from app.orgs.models import School
from app.timeutil import utcnow


class EntryStatus(LabelledEnum):
    """R-ROS-1 statuses."""

    COMPETING = "competing", "参赛"
    EXEMPT = "exempt", "免赛"
    EXCLUDED = "excluded", "不在参赛范围"

    @property
    def tone(self) -> str:
        """The badge colour screens show for the status."""
        return {"competing": "ok", "exempt": "warn"}.get(self.value, "")


class Entry(db.Model):
    """One teacher on one school's roster for one competition (R-ROS-1).

    ``status`` is the status in force: an exemption still awaiting district approval leaves it
    COMPETING (R-ROS-4). Birth date and sex are derived from the ID number (R-ROS-2), the group from
    birth date and subject (R-GRP-1). ``entrant_number`` is the public number, unique per competition.
    """

    __tablename__ = "entries"
    __table_args__ = (
        sa.UniqueConstraint("competition_id", "id_number"),
        sa.UniqueConstraint("competition_id", "entrant_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        sa.ForeignKey("competitions.id", ondelete="CASCADE"), index=True
    )
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    entrant_number: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(64))
    id_number: Mapped[str] = mapped_column(sa.String(18))  # private (R-PUB-1)
    sex: Mapped[str] = mapped_column(sa.String(1))  # 男 / 女, derived
    birth_date: Mapped[date]  # private, derived
    phone: Mapped[str | None] = mapped_column(sa.String(20))  # private
    subject_id: Mapped[int] = mapped_column(sa.ForeignKey("subjects.id"), index=True)
    group: Mapped[Group]
    status: Mapped[EntryStatus] = mapped_column(default=EntryStatus.COMPETING, index=True)
    status_reason: Mapped[str | None] = mapped_column(
        sa.String(200)
    )  # why excluded / exempt (private for exemptions)
    award_name: Mapped[str | None] = mapped_column(
        sa.String(200)
    )  # R-ROS-3 first prize, county level or higher
    award_year: Mapped[int | None]
    disqualified_at: Mapped[datetime | None]  # R-PUB-2 upheld for fraud
    disqualified_note: Mapped[str | None] = mapped_column(sa.String(500))  # public note
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    competition: Mapped[Competition] = relationship()
    school: Mapped[School] = relationship()
    subject: Mapped[Subject] = relationship()

    @property
    def is_excluded(self) -> bool:
        """不在参赛范围 (R-ROS-3): screens show the reason beside the status."""
        return self.status == EntryStatus.EXCLUDED

    @property
    def is_competing(self) -> bool:
        return self.status == EntryStatus.COMPETING and self.disqualified_at is None


class AdvanceRoute(LabelledEnum):
    RECOMMENDED = "recommended", "推荐"
    DRAWN = "drawn", "抽取"

    @property
    def is_drawn(self) -> bool:
        """Advanced by the public draw (R-DRAW-1), not by recommendation."""
        return self is AdvanceRoute.DRAWN


class StageEntrant(db.Model):
    """A teacher who advanced into the semifinal or final, and how (R-Q-4, R-DRAW-1).

    Preliminary competitors are not stored here: they are every competing entry.
    """

    __tablename__ = "stage_entrants"
    __table_args__ = (sa.UniqueConstraint("stage_id", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(sa.ForeignKey("stages.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("entries.id", ondelete="CASCADE"), index=True)
    route: Mapped[AdvanceRoute]
    draw_id: Mapped[int | None] = mapped_column(sa.ForeignKey("draws.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    stage: Mapped[Stage] = relationship()
    entry: Mapped[Entry] = relationship()


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

    @property
    def tone(self) -> str:
        """The badge colour screens show for the state: granted, stopped, or still in progress."""
        return {"approved": "ok", "refused": "bad", "school_rejected": "bad"}.get(self.value, "info")


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
