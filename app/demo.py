"""The demo city: four districts, about sixty schools, about two thousand teachers, one login per role.

Deterministic (seeded) so that screenshots, tests and the README describe the same city.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app

from app.auth.models import User
from app.competitions.models import Competition, Level, StageKind, Subject
from app.competitions.rules import group_for
from app.competitions.services import create_competition
from app.extensions import db
from app.orgs.models import City, District, School, SchoolLevel
from app.roles import Role
from app.rosters.idcard import make_id_number
from app.rosters.models import Entry, EntryStatus

DEMO_PASSWORD = "demo2026"
DEMO_LOGINS = [
    ("city", "市教育局管理员", "全市所有区县、学校、赛事"),
    ("district", "区县教育局管理员", "东山县"),
    ("school", "学校管理员", "东山县青石镇中心小学（含附属村小）"),
    ("judge", "评委", "东山县评委（本人学校：东山县白沙镇中学）"),
]

DISTRICTS = [
    ("D01", "城关区", "370902"),
    ("D02", "东山县", "370921"),
    ("D03", "西岭县", "370923"),
    ("D04", "南湖县", "370982"),
]
TOWNS = {
    "D01": ["河口", "柳园", "新桥", "望江"],
    "D02": ["青石", "白沙", "桃源", "龙泉"],
    "D03": ["松岭", "石门", "马场", "槐树"],
    "D04": ["湖滨", "芦苇", "莲花", "渔村"],
}
VILLAGES = ["前", "后", "东", "西", "上", "下", "大", "小"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华玉萍红娥玲芬燕彬斌鹏宇浩凯丹婷雪琳晨欣怡嘉颖瑶思雨梦佳子涵轩博文志国建春梅兰菊海波辉晓东"
AWARD = "县级中小学教师教学技能大赛一等奖"

# Teachers per school kind, before scaling to the requested total.
STAFF = {"seat": 50, "central": 40, "affiliate": 12, "township": 45, "nine_year": 35}


def _name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def _birth(rng: random.Random) -> date:
    # Rural staff skew older; a few are within five years of retirement (R-ROS-4).
    year = rng.choices(range(1962, 2002), weights=[3 if y < 1980 else 2 for y in range(1962, 2002)])[0]
    return date(year, 1, 1) + timedelta(days=rng.randrange(365))


def _schools(district: District, region: str, rng: random.Random) -> list[tuple[School, str]]:
    towns = TOWNS[district.code]
    made: list[tuple[School, str]] = []
    d = district.code

    def school(code: str, name: str, level: SchoolLevel, kind: str, **flags) -> School:
        s = School(code=f"{d}-{code}", name=name, district=district, level=level, **flags)
        db.session.add(s)
        made.append((s, kind))
        return s

    seat = "城关" if d == "D01" else district.name[:-1] + "城"
    school("S01", f"{district.name}实验小学", SchoolLevel.PRIMARY, "seat", is_seat=True)
    school("S02", f"{district.name}{seat}第一中学", SchoolLevel.JUNIOR, "seat", is_seat=True)
    for i, town in enumerate(towns[:3], start=1):
        central = school(
            f"C{i:02d}", f"{district.name}{town}镇中心小学", SchoolLevel.PRIMARY, "central", is_central=True
        )
        for j in range(2):
            village = school(
                f"C{i:02d}V{j + 1}",
                f"{district.name}{town}镇{rng.choice(VILLAGES)}{town[0]}{'村' if j else '庄'}小学",
                SchoolLevel.PRIMARY,
                "affiliate",
            )
            village.central_school = central
    for i, town in enumerate(towns[:3], start=1):
        school(
            f"T{i:02d}",
            f"{district.name}{town}镇中学",
            SchoolLevel.JUNIOR,
            "township",
            is_township_junior=True,
        )
    school("N01", f"{district.name}{towns[3]}九年一贯制学校", SchoolLevel.NINE_YEAR, "nine_year")
    return made


def load(teachers: int = 2000, seed: int = 2026) -> Competition:
    """Build the demo city in the current session (flushes; the caller commits)."""
    rng = random.Random(seed)
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    city = City(name="清河市")
    db.session.add(city)
    competition = create_competition(
        "清河市2026年农村中小学教师“以赛促训”教学技能大赛",
        2026,
        deadlines={
            StageKind.PRELIMINARY: date(2026, 12, 2),
            StageKind.SEMIFINAL: date(2026, 12, 16),
            StageKind.FINAL: date(2026, 12, 30),
        },
        description="全员参与、以赛促训：初赛由中心校和乡镇中学组织，复赛由区县组织，决赛由市教育局组织。",
    )
    subjects = {level: [s for s in competition.subjects if s.level == level] for level in Level}
    all_schools: list[tuple[School, str, str]] = []
    for code, name, region in DISTRICTS:
        district = District(city=city, code=code, name=name)
        db.session.add(district)
        all_schools += [(s, kind, region) for s, kind in _schools(district, region, rng)]
    db.session.flush()

    scale = teachers / sum(STAFF[kind] for _, kind, _ in all_schools)
    used_ids: set[str] = set()
    number = 0
    rows = []
    for school, kind, region in all_schools:
        for _ in range(max(3, round(STAFF[kind] * scale))):
            number += 1
            birth = _birth(rng)
            while True:
                seq = rng.randrange(1000)
                id_number = make_id_number(region, birth, seq)
                if id_number not in used_ids:
                    used_ids.add(id_number)
                    break
            if school.level == SchoolLevel.NINE_YEAR:
                level = rng.choice([Level.PRIMARY, Level.JUNIOR])
            else:
                level = Level.PRIMARY if school.level == SchoolLevel.PRIMARY else Level.JUNIOR
            subject: Subject = rng.choices(
                subjects[level], weights=[6, 6, 3] + [1] * (len(subjects[level]) - 3)
            )[0]
            status, reason, award_name, award_year = EntryStatus.COMPETING, None, None, None
            if school.is_seat:
                status, reason = EntryStatus.EXCLUDED, "区政府所在地学校教师"
            elif rng.random() < 0.02:
                award_year = rng.choice([2022, 2023, 2024, 2025])
                award_name = f"{award_year}年{school.district.name}{AWARD}"
                status, reason = EntryStatus.EXCLUDED, f"近五年获县级及以上教学技能比赛一等奖（{award_year}）"
            rows.append(
                Entry(
                    competition=competition,
                    school=school,
                    entrant_number=number,
                    name=_name(rng),
                    id_number=id_number,
                    sex="男" if seq % 2 else "女",
                    birth_date=birth,
                    phone=f"1{rng.choice('35789')}{rng.randrange(10**9):09d}",
                    subject=subject,
                    group=group_for(birth, level, competition.youth_cutoff),
                    status=status,
                    status_reason=reason,
                    award_name=award_name,
                    award_year=award_year,
                )
            )
    db.session.add_all(rows)

    d02 = db.session.scalar(sa.select(District).where(District.code == "D02"))
    school_admin_school = db.session.scalar(sa.select(School).where(School.code == "D02-C01"))
    judge_school = db.session.scalar(sa.select(School).where(School.code == "D02-T02"))
    for username, role, district, school in (
        ("city", Role.CITY_ADMIN, None, None),
        ("district", Role.DISTRICT_ADMIN, d02, None),
        ("school", Role.SCHOOL_ADMIN, d02, school_admin_school),
        ("judge", Role.JUDGE, d02, judge_school),
    ):
        user = User(
            username=username,
            display_name={
                "city": "市教育局 赵主任",
                "district": "东山县教育局 钱科长",
                "school": "青石镇中心小学 孙校长",
                "judge": "评委 李老师",
            }[username],
            role=role,
            district=district,
            school=school,
            password_hash="",
        )
        user.set_password(DEMO_PASSWORD, method=method)
        db.session.add(user)
    db.session.flush()
    _extend(competition)
    return competition


def _extend(competition: Competition) -> None:
    """Let each domain add its own demo data (panels, exemptions, …) when it has a ``demo`` module."""
    import importlib

    for domain in ("rosters", "judging", "advancement", "public", "awards"):
        try:
            module = importlib.import_module(f"app.{domain}.demo")
        except ModuleNotFoundError as error:
            if error.name not in (f"app.{domain}", f"app.{domain}.demo"):
                raise
            continue
        module.extend_demo(competition)


def print_logins(echo: Callable[[str], None]) -> None:
    echo("")
    echo("示例账号（密码均为 %s）：" % DEMO_PASSWORD)
    for username, role, scope in DEMO_LOGINS:
        echo(f"  {username:<10} {role:<10} {scope}")
    echo("")
    echo("打开 http://127.0.0.1:5000 登录；公众页面无需登录。")
