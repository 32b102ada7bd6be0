"""Tables owned by the public domain: listings (公示), announcements, objections (R-PUB-1, R-PUB-2)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.competitions.models import Competition, Stage
from app.enums import LabelledEnum
from app.extensions import db
from app.orgs.models import District
from app.rosters.models import Entry
from app.timeutil import to_beijing, utcnow


class Listing(db.Model):
    """A public listing (公示) of one stage's list, city-wide (``district_id`` None) or for one district.

    The period runs from ``opens_at`` for ``days`` days (R-PUB-2, default Competition.listing_days);
    ``closes_at`` (= ``opens_at`` + ``days``) is stored beside them by :func:`app.public.services.open_listing`.
    """

    __tablename__ = "public_listings"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        sa.ForeignKey("competitions.id", ondelete="CASCADE"), index=True
    )
    stage_id: Mapped[int] = mapped_column(sa.ForeignKey("stages.id", ondelete="CASCADE"), index=True)
    district_id: Mapped[int | None] = mapped_column(sa.ForeignKey("districts.id"), index=True)
    opens_at: Mapped[datetime]
    days: Mapped[int]
    closes_at: Mapped[datetime]
    note: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    competition: Mapped[Competition] = relationship()
    stage: Mapped[Stage] = relationship()
    district: Mapped[District | None] = relationship()

    @property
    def first_day(self) -> date:
        return to_beijing(self.opens_at).date()

    @property
    def last_day(self) -> date:
        """The last Beijing calendar day of the period (it closes at 00:00 the day after)."""
        return to_beijing(self.closes_at - timedelta(seconds=1)).date()

    def is_open(self, at: datetime) -> bool:
        return self.opens_at <= at < self.closes_at

    def state(self, at: datetime) -> str:
        """The period as people read it at ``at``: 未开始, 公示中 or 已结束."""
        return "公示中" if self.is_open(at) else ("未开始" if at < self.opens_at else "已结束")

    @property
    def scope_label(self) -> str:
        return self.district.name if self.district is not None else "全市"


class Announcement(db.Model):
    """A notice the organisers post on the competition's public page (R-PUB-1)."""

    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        sa.ForeignKey("competitions.id", ondelete="CASCADE"), index=True
    )
    district_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("districts.id"), index=True
    )  # who may edit it
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    pinned: Mapped[bool] = mapped_column(default=False)
    published_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime | None]
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    district: Mapped[District | None] = relationship()
    author: Mapped[User | None] = relationship()

    @property
    def publisher_label(self) -> str:
        return f"{self.district.name}教育局" if self.district is not None else "市教育局"


class ObjectionStatus(LabelledEnum):
    PENDING = "pending", "待处理"
    DISMISSED = "dismissed", "不成立"
    UPHELD = "upheld", "成立"

    @property
    def tone(self) -> str:
        """The badge colour screens show: waiting, dismissed, or upheld."""
        return {"pending": "warn", "upheld": "bad"}.get(self.value, "")


class Objection(db.Model):
    """An objection (异议) filed during a listing period against one listed teacher (R-PUB-2).

    ``filer_name`` / ``filer_phone`` are private: never on a public page, never in a log line.
    ``resolution_note`` is public: the filer reads it on the status page under ``tracking_code``.
    """

    __tablename__ = "objections"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        sa.ForeignKey("competitions.id", ondelete="CASCADE"), index=True
    )
    listing_id: Mapped[int] = mapped_column(
        sa.ForeignKey("public_listings.id", ondelete="CASCADE"), index=True
    )
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("entries.id", ondelete="CASCADE"), index=True)
    tracking_code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    reason: Mapped[str] = mapped_column(sa.Text)
    filer_name: Mapped[str | None] = mapped_column(sa.String(64))  # private
    filer_phone: Mapped[str | None] = mapped_column(sa.String(20))  # private
    status: Mapped[ObjectionStatus] = mapped_column(default=ObjectionStatus.PENDING, index=True)
    fraud: Mapped[bool] = mapped_column(default=False)  # upheld for 弄虚作假 → disqualification
    resolution_note: Mapped[str | None] = mapped_column(sa.String(500))  # public
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    listing: Mapped[Listing] = relationship()
    entry: Mapped[Entry] = relationship()
    resolved_by: Mapped[User | None] = relationship()

    @property
    def tracking_display(self) -> str:
        """The code as people read it: two groups of five (ABCDE-FGHJK)."""
        code = self.tracking_code
        return f"{code[:5]}-{code[5:]}" if len(code) == 10 else code
