"""R-ORG-1/2: city → district → school, and village schools affiliated to a central school."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.enums import LabelledEnum
from app.extensions import db


class SchoolLevel(LabelledEnum):
    PRIMARY = "primary", "小学"
    JUNIOR = "junior", "初中"
    NINE_YEAR = "nine_year", "九年一贯"


class City(db.Model):
    __tablename__ = "cities"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(64))

    districts: Mapped[list["District"]] = relationship(back_populates="city", order_by="District.code")


class District(db.Model):
    __tablename__ = "districts"

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(sa.ForeignKey("cities.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(12), unique=True)
    name: Mapped[str] = mapped_column(sa.String(64), unique=True)

    city: Mapped[City] = relationship(back_populates="districts")
    schools: Mapped[list["School"]] = relationship(back_populates="district", order_by="School.code")


class School(db.Model):
    """A school (R-ORG-1); ``unit`` is the school that organises its preliminary round (R-ORG-2)."""

    __tablename__ = "schools"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(128))
    district_id: Mapped[int] = mapped_column(sa.ForeignKey("districts.id"), index=True)
    level: Mapped[SchoolLevel]
    is_central: Mapped[bool] = mapped_column(default=False)
    is_seat: Mapped[bool] = mapped_column(default=False)  # 区政府所在地学校 (R-ROS-3)
    is_township_junior: Mapped[bool] = mapped_column(default=False)  # 乡镇中学 (R-ORG-2)
    central_school_id: Mapped[int | None] = mapped_column(sa.ForeignKey("schools.id"), index=True)

    district: Mapped[District] = relationship(back_populates="schools")
    central_school: Mapped["School | None"] = relationship(remote_side=[id], back_populates="affiliates")
    affiliates: Mapped[list["School"]] = relationship(back_populates="central_school", order_by="School.code")

    @property
    def unit(self) -> "School":
        """R-ORG-2: the preliminary unit — the central school for an affiliate, the school itself otherwise."""
        return self.central_school if self.central_school_id is not None else self

    @property
    def unit_id(self) -> int:
        return self.central_school_id if self.central_school_id is not None else self.id

    @property
    def kind_label(self) -> str:
        if self.is_seat:
            return "区政府所在地学校"
        if self.is_central:
            return "中心校"
        if self.is_township_junior:
            return "乡镇中学"
        if self.central_school_id:
            return "村小（附属）"
        return "学校"

    def __repr__(self) -> str:
        return f"<School {self.code} {self.name}>"
