"""Tables owned by the awards domain: published award lists and their rows (R-AW-1..3).

Publishing stores a snapshot: a release and one row per award with the recipient's name, school and
figures as they were, so that a later score correction never silently changes a published list.
Each row carries its certificate's verification code (R-AW-2).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.competitions.models import Competition, Group, Stage
from app.enums import LabelledEnum
from app.extensions import db
from app.orgs.models import District, School
from app.rosters.models import Entry
from app.timeutil import utcnow


class AwardKind(LabelledEnum):
    """What a release publishes; semifinal releases are per district (the district runs the semifinal)."""

    SEMIFINAL = "semifinal", "复赛个人奖项"
    FINAL = "final", "决赛个人奖项"
    TEAM = "team", "优秀团队奖"
    ORGANISATION = "organisation", "组织奖"


class Prize(LabelledEnum):
    FIRST = "first", "一等奖"
    SECOND = "second", "二等奖"
    THIRD = "third", "三等奖"
    TEAM = "team", "优秀团队奖"
    ORGANISATION = "organisation", "组织奖"


INDIVIDUAL_PRIZES = (Prize.FIRST, Prize.SECOND, Prize.THIRD)


class AwardRelease(db.Model):
    """One publication of an award list. Final unless withdrawn (with a reason); both are audited.

    ``live`` is True while published and NULL once withdrawn: the unique constraint on
    (competition, scope_key, live) lets the database itself refuse two live lists for one scope,
    while any number of withdrawn ones stay as history.
    """

    __tablename__ = "award_releases"
    __table_args__ = (sa.UniqueConstraint("competition_id", "scope_key", "live"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        sa.ForeignKey("competitions.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[AwardKind]
    stage_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stages.id"), index=True)
    district_id: Mapped[int | None] = mapped_column(sa.ForeignKey("districts.id"), index=True)
    scope_key: Mapped[str] = mapped_column(
        sa.String(32)
    )  # "semifinal-<district id>", "final", "team", "organisation"
    issuer: Mapped[str] = mapped_column(sa.String(128))  # who signs the certificates (市/区县教育局)
    live: Mapped[bool | None] = mapped_column(default=True)
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    withdraw_reason: Mapped[str | None] = mapped_column(sa.String(500))

    competition: Mapped[Competition] = relationship()
    stage: Mapped[Stage | None] = relationship()
    district: Mapped[District | None] = relationship()
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])
    withdrawn_by: Mapped[User | None] = relationship(foreign_keys=[withdrawn_by_id])
    awards: Mapped[list["Award"]] = relationship(
        back_populates="release", order_by="Award.position", cascade="all, delete-orphan"
    )

    @property
    def title(self) -> str:
        where = f"{self.district.name} " if self.district is not None else ""
        return f"{where}{self.kind.label}"


class Award(db.Model):
    """One award as published: to a teacher (entry), a school (team / organisation) or a district
    (organisation). Names and figures are copied at publication; ``code`` verifies the certificate."""

    __tablename__ = "awards"

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int] = mapped_column(
        sa.ForeignKey("award_releases.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]  # display order within the release
    code: Mapped[str] = mapped_column(sa.String(16), unique=True)  # R-AW-2 verification code
    prize: Mapped[Prize]
    entry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("entries.id", ondelete="SET NULL"), index=True)
    school_id: Mapped[int | None] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    district_id: Mapped[int | None] = mapped_column(sa.ForeignKey("districts.id"), index=True)
    recipient: Mapped[str] = mapped_column(sa.String(128))  # teacher, school or district name
    school_name: Mapped[str | None] = mapped_column(sa.String(128))
    district_name: Mapped[str | None] = mapped_column(sa.String(64))
    entrant_number: Mapped[int | None]
    group: Mapped[Group | None]
    subject_label: Mapped[str | None] = mapped_column(sa.String(64))
    category: Mapped[str | None] = mapped_column(sa.String(32))  # 中心校 / 非中心校 / 区县 / 学校
    rank: Mapped[int | None]
    score: Mapped[Decimal | None]  # individual: the aggregate; team: the prize share
    participation: Mapped[Decimal | None]  # team / organisation: participation rate

    release: Mapped[AwardRelease] = relationship(back_populates="awards")
    entry: Mapped[Entry | None] = relationship()
    school: Mapped[School | None] = relationship()

    @property
    def is_individual(self) -> bool:
        """A teacher's prize (the entry link may be gone; the snapshot stays)."""
        return self.prize in INDIVIDUAL_PRIZES

    @property
    def score_text(self) -> str:
        """An individual's aggregate as published, two decimals (R-SCORE-1); '' for none."""
        return "" if self.score is None else f"{self.score.quantize(Decimal('0.01'))}"

    @property
    def display_code(self) -> str:
        return f"{self.code[:4]}-{self.code[4:]}"


class AbsenceKind(LabelledEnum):
    ABSENT = "absent", "缺考"
    WITHDRAWN = "withdrawn", "弃权"


class StageAbsence(db.Model):
    """A competitor recorded absent (缺考) or withdrawn (弃权) from a stage by an admin, with a reason.

    R-AW-1: a prize list is published only when every competitor of its scope has a final result
    or such a record. Recording and clearing are audited (R-AUD-1).
    """

    __tablename__ = "stage_absences"
    __table_args__ = (sa.UniqueConstraint("stage_id", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(sa.ForeignKey("stages.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("entries.id", ondelete="CASCADE"), index=True)
    kind: Mapped[AbsenceKind]
    reason: Mapped[str] = mapped_column(sa.String(500))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    entry: Mapped[Entry] = relationship()
    recorded_by: Mapped[User | None] = relationship()
