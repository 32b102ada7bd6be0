"""One-line builders of test data (CTFd-style gen_*). Each flushes; tests commit if they need to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import count

import sqlalchemy as sa

from app.auth.models import User
from app.competitions.models import Competition, Level, Subject
from app.competitions.rules import group_for
from app.competitions.services import create_competition
from app.extensions import db
from app.orgs.models import City, District, School, SchoolLevel
from app.roles import Role
from app.rosters.models import Entry, EntryStatus

_seq = count(1)


def gen_district(code: str | None = None, name: str | None = None) -> District:
    city = db.session.scalar(sa.select(City).limit(1)) or City(name="测试市")
    n = next(_seq)
    district = District(city=city, code=code or f"D{n:02d}", name=name or f"测试{n}县")
    db.session.add(district)
    db.session.flush()
    return district


def gen_school(
    district: District,
    *,
    code: str | None = None,
    name: str | None = None,
    level: SchoolLevel = SchoolLevel.PRIMARY,
    central: School | None = None,
    **flags,
) -> School:
    n = next(_seq)
    school = School(
        code=code or f"S{n:04d}", name=name or f"测试学校{n}", district=district, level=level, **flags
    )
    if central is not None:
        school.central_school = central
    db.session.add(school)
    db.session.flush()
    return school


def gen_user(
    role: Role,
    *,
    username: str | None = None,
    district: District | None = None,
    school: School | None = None,
    password: str = "secret-pass",
    active: bool = True,
) -> User:
    n = next(_seq)
    user = User(
        username=username or f"{role.value}{n}",
        display_name=f"{role.label}{n}",
        role=role,
        district=district or (school.district if school else None),
        school=school,
        active=active,
        password_hash="",
    )
    user.set_password(password, method="pbkdf2:sha256:1000")
    db.session.add(user)
    db.session.flush()
    return user


def gen_competition(**settings) -> Competition:
    return create_competition(settings.pop("name", "测试赛事"), settings.pop("year", 2026), **settings)


def subject(competition: Competition, level: Level = Level.PRIMARY, name: str = "语文") -> Subject:
    return next(s for s in competition.subjects if s.level == level and s.name == name)


_id_seq = count(1)


def gen_entry(
    competition: Competition,
    school: School,
    *,
    name: str | None = None,
    birth: date = date(1985, 6, 1),
    sex: str = "女",
    subject_: Subject | None = None,
    status: EntryStatus = EntryStatus.COMPETING,
    id_number: str | None = None,
    number: int | None = None,
    **fields,
) -> Entry:
    """A roster entry with a valid, unique ID number derived from ``birth`` and ``sex``."""
    from app.rosters.idcard import make_id_number

    n = next(_id_seq)
    subject_ = subject_ or subject(
        competition, Level.PRIMARY if school.level == SchoolLevel.PRIMARY else Level.JUNIOR
    )
    seq = (n * 2 + (1 if sex == "男" else 0)) % 1000
    entry = Entry(
        competition=competition,
        school=school,
        entrant_number=number or n,
        name=name or f"教师{n}",
        id_number=id_number or make_id_number("370921", birth, seq),
        sex=sex,
        birth_date=birth,
        subject=subject_,
        group=group_for(birth, subject_.level, competition.youth_cutoff),
        status=status,
        **fields,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


@dataclass
class SmallCity:
    d1: District
    d2: District
    central: School
    affiliate: School
    township: School
    seat: School
    other_school: School  # in d2
    city_admin: User
    district_admin: User
    other_district_admin: User
    school_admin: User  # of ``central``: covers ``affiliate`` too
    affiliate_admin: User
    judge: User


def gen_city() -> SmallCity:
    d1, d2 = gen_district("D01", "东山县"), gen_district("D02", "西岭县")
    central = gen_school(d1, code="D01-C01", name="青石镇中心小学", is_central=True)
    affiliate = gen_school(d1, code="D01-C01V1", name="青石镇前村小学", central=central)
    township = gen_school(
        d1, code="D01-T01", name="青石镇中学", level=SchoolLevel.JUNIOR, is_township_junior=True
    )
    seat = gen_school(d1, code="D01-S01", name="东山县实验小学", is_seat=True)
    other = gen_school(d2, code="D02-C01", name="松岭镇中心小学", is_central=True)
    small = SmallCity(
        d1=d1,
        d2=d2,
        central=central,
        affiliate=affiliate,
        township=township,
        seat=seat,
        other_school=other,
        city_admin=gen_user(Role.CITY_ADMIN, username="city"),
        district_admin=gen_user(Role.DISTRICT_ADMIN, username="district", district=d1),
        other_district_admin=gen_user(Role.DISTRICT_ADMIN, username="district2", district=d2),
        school_admin=gen_user(Role.SCHOOL_ADMIN, username="school", school=central),
        affiliate_admin=gen_user(Role.SCHOOL_ADMIN, username="village", school=affiliate),
        judge=gen_user(Role.JUDGE, username="judge", school=township),
    )
    db.session.commit()
    return small
