"""The demo city: four districts, about sixty schools, about two thousand teachers, one login per role.

Deterministic (seeded) so that screenshots, tests and the README describe the same city. R-TIME-1:
every date follows the day it is loaded (``today``, Beijing time). Two competitions:

* last year's season, complete — built with the clock set back into last year's dates, step by step
  through the services (panels, drawn orders, quotas, recommendations, draws after their event time,
  prizes, team and organisation awards, certificates) on a smaller roster;
* this year's season in progress — the roster closed a few days ago, the preliminary rounds ending
  (one live panel for the demo judge today), recommendations due in a few days, one waiting for the
  district's confirmation, one draw announced for tomorrow, the preliminary 公示 open for objections.
  Last year's first prizes are this year's exclusions (R-ROS-3), read from the award records.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app.auth.models import User
from app.competitions.models import Competition, Level, StageKind
from app.competitions.rules import group_for
from app.competitions.services import DEFAULT_SUBJECTS, create_competition
from app.extensions import db
from app.orgs.models import City, District, School, SchoolLevel
from app.roles import Role
from app.rosters import rules
from app.rosters.idcard import make_id_number
from app.rosters.models import Entry, EntryStatus
from app.rosters.queries import competitors_stmt
from app.timeutil import beijing_at, beijing_today

DEMO_PASSWORD = "demo2026"
NAME = "清河市{year}年农村中小学教师“以赛促训”教学技能大赛"
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
# Last season's smaller city: the units of two towns per district (central schools with their
# affiliates, township junior schools) and their 语文 teachers.
LAST_SEASON_UNITS = ("C01", "C02", "T01", "T02")
# The city's own judges (市教研室): no school and no district, so no recusal anywhere (R-PANEL-1).
CITY_JUDGES = [
    ("judge11", "市级评委 郑老师"),
    ("judge12", "市级评委 冯老师"),
    ("judge13", "市级评委 韩老师"),
    ("judge14", "市级评委 曹老师"),
]

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


@dataclass(frozen=True)
class Season:
    """The Beijing dates of one season (R-COMP-1), all derived from the day the demo is loaded (R-TIME-1)."""

    year: int
    opened: date  # the competition is published and the roster opens
    preliminary: date  # roster and preliminary list deadline (R-ROS-5)
    semifinal: date  # recommendations into the semifinal due (R-Q-4)
    final: date  # recommendations into the final due

    @classmethod
    def current(cls, today: date) -> Season:
        """This year's season on ``today``: roster closed 4 days ago, recommendations due in 3 days."""
        preliminary = today - timedelta(days=4)
        return cls(
            preliminary.year,
            today - timedelta(days=40),
            preliminary,
            today + timedelta(days=3),
            today + timedelta(days=24),
        )

    def last_year(self) -> Season:
        """The same season 52 weeks earlier (same weekdays), labelled with the previous year."""
        shift = timedelta(weeks=52)
        return Season(
            self.year - 1,
            self.opened - shift,
            self.preliminary - shift,
            self.semifinal - shift,
            self.final - shift,
        )

    @property
    def deadlines(self) -> dict[StageKind, date]:
        return {
            StageKind.PRELIMINARY: self.preliminary,
            StageKind.SEMIFINAL: self.semifinal,
            StageKind.FINAL: self.final,
        }


@dataclass
class Person:
    """A teacher of the demo city; each season's roster lists some of them (same ID number every year)."""

    school: School
    name: str
    id_number: str
    sex: str
    birth: date
    phone: str
    level: Level
    subject: int  # position among the level's subjects
    award_name: str | None = None
    award_year: int | None = None


def load(teachers: int = 2000, seed: int = 2026, today: date | None = None) -> Competition:
    """Build the demo city on ``today`` (Beijing; default: today) in the current session; returns this
    year's competition. Flushes; the caller commits. The clock is set back only while building."""
    today = today or beijing_today()
    season = Season.current(today)
    rng = random.Random(seed)
    city = City(name="清河市")
    db.session.add(city)
    all_schools: list[tuple[School, str, str]] = []
    for code, name, region in DISTRICTS:
        district = District(city=city, code=code, name=name)
        db.session.add(district)
        all_schools += [(s, kind, region) for s, kind in _schools(district, region, rng)]
    db.session.flush()
    people = _people(all_schools, teachers, rng, season.year)
    users = _users()

    from app import timeutil

    last = season.last_year()
    with timeutil.clock.frozen_at(at(last.opened, 9), tick=True):
        previous = _last_season(last, people, users, random.Random(seed + 1))
    with timeutil.clock.frozen_at(at(season.opened, 9), tick=True):
        competition = _competition(season)
        firsts = _first_prizes(previous)
        _roster(competition, people, firsts=firsts)
        db.session.flush()
        _extend(competition, season, today)
    return competition


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """``hour:minute`` Beijing time on ``day``, as the naive UTC the clock and the database use."""
    return beijing_at(day, hour, minute)


def _competition(season: Season) -> Competition:
    competition = create_competition(
        NAME.format(year=season.year),
        season.year,
        deadlines=season.deadlines,
        description="全员参与、以赛促训：初赛由中心校和乡镇中学组织，复赛由区县组织，决赛由市教育局组织。",
    )
    db.session.flush()
    return competition


def _people(all_schools, teachers: int, rng: random.Random, year: int) -> list[Person]:
    """The city's teaching staff, scaled to about ``teachers``, with valid, distinct ID numbers (R-ROS-2)."""
    levels = {level: len(subjects) for level, subjects in DEFAULT_SUBJECTS.items()}
    scale = teachers / sum(STAFF[kind] for _, kind, _ in all_schools)
    used_ids: set[str] = set()
    people = []
    for school, kind, region in all_schools:
        for _ in range(max(3, round(STAFF[kind] * scale))):
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
            subject = rng.choices(range(levels[level]), weights=[6, 6, 3] + [1] * (levels[level] - 3))[0]
            person = Person(school, "", id_number, "男" if seq % 2 else "女", birth, "", level, subject)
            if not school.is_seat and rng.random() < 0.02:  # a first prize of another county-level contest
                person.award_year = rng.choice(range(year - 4, year))
                person.award_name = f"{person.award_year}年{school.district.name}{AWARD}"
            person.name = _name(rng)  # name before phone: the seeded sequence of earlier demos
            person.phone = f"1{rng.choice('35789')}{rng.randrange(10**9):09d}"
            people.append(person)
    return people


def _roster(
    competition: Competition, people: list[Person], *, firsts: dict[str, tuple[str, int]] | None = None
) -> list[Entry]:
    """One row per person, status as R-ROS-3 says: seat schools and recent first prizes are excluded."""
    subjects = {
        level: sorted((s for s in competition.subjects if s.level == level), key=lambda s: s.position)
        for level in Level
    }
    rows = []
    for number, person in enumerate(people, start=1):
        award_name, award_year = person.award_name, person.award_year
        if firsts and person.id_number in firsts:  # the portal's own award records (R-ROS-3)
            award_name, award_year = firsts[person.id_number]
        reason = rules.exclusion_reason(
            school_is_seat=person.school.is_seat,
            award_name=award_name,
            award_year=award_year,
            competition=competition,
        )
        rows.append(
            Entry(
                competition=competition,
                school=person.school,
                entrant_number=number,
                name=person.name,
                id_number=person.id_number,
                sex=person.sex,
                birth_date=person.birth,
                phone=person.phone,
                subject=subjects[person.level][person.subject],
                group=group_for(person.birth, person.level, competition.youth_cutoff),
                status=EntryStatus.EXCLUDED if reason else EntryStatus.COMPETING,
                status_reason=reason,
                award_name=award_name if reason and not person.school.is_seat else None,
                award_year=award_year if reason and not person.school.is_seat else None,
            )
        )
    db.session.add_all(rows)
    return rows


def _users() -> dict[str, User]:
    """One login per role (password demo2026), plus the city's own judges (市级评委, no school: no recusal)."""
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    d02 = db.session.scalar(sa.select(District).where(District.code == "D02"))
    school_admin_school = db.session.scalar(sa.select(School).where(School.code == "D02-C01"))
    judge_school = db.session.scalar(sa.select(School).where(School.code == "D02-T02"))
    made = {}
    for username, role, district, school, display in (
        ("city", Role.CITY_ADMIN, None, None, "市教育局 赵主任"),
        ("district", Role.DISTRICT_ADMIN, d02, None, "东山县教育局 钱科长"),
        ("school", Role.SCHOOL_ADMIN, d02, school_admin_school, "青石镇中心小学 孙校长"),
        ("judge", Role.JUDGE, d02, judge_school, "评委 李老师"),
    ):
        user = User(
            username=username,
            display_name=display,
            role=role,
            district=district,
            school=school,
            password_hash="",
        )
        user.set_password(DEMO_PASSWORD, method=method)
        db.session.add(user)
        made[username] = user
    password_hash = made["city"].password_hash
    for username, display in CITY_JUDGES:
        user = User(username=username, display_name=display, role=Role.JUDGE, password_hash=password_hash)
        db.session.add(user)
        made[username] = user
    db.session.flush()
    return made


# ---------------------------------------------------------------- last year's season, complete


def _last_season(season: Season, people: list[Person], users: dict[str, User], rng: random.Random):
    """Last year's season from roster to certificates, each step at its own moment of last year.

    A smaller roster (the 语文 teachers of two towns per district) keeps it fast; the
    rules are the portal's own: panels with drawn orders, quotas, recommendations, RFC 3797 draws
    performed after their event time, prize lists published once every competitor has a result.
    """
    from app import timeutil
    from app.awards import services as awards
    from app.awards.models import AwardKind
    from app.judging import services as judging

    clock = timeutil.clock
    city = users["city"]
    judges = [users[u] for u, _ in CITY_JUDGES]
    competition = _competition(season)
    chosen = [p for p in people if p.subject == 0 and p.school.unit.code[-3:] in LAST_SEASON_UNITS]
    entries = _roster(competition, chosen)
    db.session.flush()
    _stamped_lists(competition, season, rng)
    judging.ensure_default_forms(competition)

    clock.set(at(season.preliminary + timedelta(days=1), 8), tick=True)
    _preliminary(competition.stage(StageKind.PRELIMINARY), entries, judges, city, rng)

    clock.set(at(season.preliminary + timedelta(days=3), 10), tick=True)
    semifinal = competition.stage(StageKind.SEMIFINAL)
    _advance(semifinal, city, at(season.semifinal - timedelta(days=1), 20), rng)
    districts = db.session.scalars(sa.select(District).order_by(District.code)).all()

    clock.set(at(season.semifinal + timedelta(days=2), 8), tick=True)
    _judge_stage(semifinal, _scopes(semifinal, districts), judges, city, rng)
    clock.set(at(season.semifinal + timedelta(days=5), 10), tick=True)
    for district in districts:
        awards.publish(competition, awards.Scope(AwardKind.SEMIFINAL, district.id), by=city)

    clock.set(at(season.semifinal + timedelta(days=6), 10), tick=True)
    final = competition.stage(StageKind.FINAL)
    _advance(final, city, at(season.final - timedelta(days=2), 20), rng)
    clock.set(at(season.final - timedelta(days=1), 8), tick=True)
    _judge_stage(final, _scopes(final, [None]), judges, city, rng)

    clock.set(at(season.final + timedelta(days=3), 10), tick=True)
    for kind in (AwardKind.FINAL, AwardKind.TEAM, AwardKind.ORGANISATION):
        awards.publish(competition, awards.Scope(kind), by=city)
    db.session.flush()
    return competition


def _preliminary(stage, entries: list[Entry], judges: list[User], by: User, rng: random.Random) -> None:
    """The units' preliminary panels, judged and closed — built in bulk as the judging demo builds its
    finished panels (recusal checked, orders by the RFC 3797 draw), since there are many small ones."""
    from app.judging.demo import finished_panels, score

    pools: dict[tuple, list[Entry]] = {}
    for entry in sorted(entries, key=lambda e: e.entrant_number):
        if entry.status == EntryStatus.COMPETING:
            pools.setdefault((entry.school.unit_id, entry.subject_id, entry.group), []).append(entry)
    schools = {s.id: s for s in db.session.scalars(sa.select(School))}
    keys = sorted(pools, key=lambda k: (schools[k[0]].code, k[1], k[2].value))
    panels = finished_panels(stage, keys, pools, schools, judges, rng, by)
    db.session.flush()
    quality = {e.id: rng.gauss(82, 6) for group in pools.values() for e in group}
    bias = {j.id: rng.gauss(0, 1.2) for j in judges}
    for panel in panels:
        score(panel, panel.judges, sorted(panel.appearances, key=lambda a: a.position), quality, bias, rng)
    db.session.flush()


def _scopes(stage, districts) -> list[dict]:
    """One panel per (district) × subject × group with competitors in the stage."""
    present = {
        (e.school.district_id, e.subject_id, e.group) for e in db.session.scalars(competitors_stmt(stage))
    }
    subjects = {s.id: s for s in stage.competition.subjects}
    out = []
    for district in districts:
        for district_id, subject_id, group in sorted(present, key=lambda k: (k[1], k[2].value)):
            if district is None or district.id == district_id:
                scope = {"district": district, "subject": subjects[subject_id], "group": group}
                if scope not in out:
                    out.append(scope)
    return out


def _judge_stage(stage, scopes: list[dict], judges: list[User], by: User, rng: random.Random) -> None:
    """Panels of a stage as organisers run them: created, filled, judged by three, order drawn after its
    announced event time (R-PANEL-2), opened, every competitor scored and submitted, closed."""
    from app import timeutil
    from app.judging import services as judging
    from app.judging.demo import DICE, EVENT_DELAY, dice, event_time, score
    from app.judging.models import PanelStatus

    panels = []
    for n, scope in enumerate(scopes):
        panel = judging.create_panel(stage, by=by, room=f"第{n % 6 + 1}赛场", **scope)
        if not judging.fill_panel(panel, by=by):
            continue
        for k in range(3):
            judging.assign_judge(panel, judges[(n + k) % len(judges)], by=by, is_head=k == 0)
        judging.announce_appearance_draw(panel, [DICE], by=by, event_at=event_time())
        panels.append(panel)
    timeutil.clock.advance(EVENT_DELAY + timedelta(minutes=5))  # the draws happen once their event has come
    quality = {}
    for panel in panels:
        judging.perform_appearance_draw(panel, [dice(rng)], by=by)
        judging.open_panel(panel, by=by)
        quality |= {a.entry_id: rng.gauss(82, 6) for a in panel.appearances}
    db.session.flush()
    bias = {j.id: rng.gauss(0, 1.2) for j in judges}
    timeutil.clock.advance(timedelta(hours=3))
    for panel in panels:
        score(panel, panel.judges, sorted(panel.appearances, key=lambda a: a.position), quality, bias, rng)
    db.session.flush()
    timeutil.clock.advance(timedelta(hours=1))
    for panel in panels:
        judging.set_status(panel, PanelStatus.CLOSED, by=by)


def _advance(stage, by: User, event_at: datetime, rng: random.Random) -> None:
    """Quotas frozen, every unit recommends its best by rank and is confirmed, draws announced for
    ``event_at`` and performed when it comes (R-Q-1..4, R-DRAW-1)."""
    from app import timeutil
    from app.advancement import services as advancement
    from app.advancement.demo import sources_for, values

    advancement.freeze_quotas(stage, by=by)
    ranking = advancement.source_results(stage)
    draws = []
    for unit in sorted(stage_units(stage), key=lambda u: u.unit_key):
        advancement.set_nominations(
            unit, advancement.suggest_by_rank(unit, advancement.candidates(unit, results=ranking)), by=by
        )
        advancement.confirm_unit(unit, by=by)
        if unit.drawn:
            draws.append(
                advancement.announce_unit_draw(unit, sources_for(event_at), by=by, event_at=event_at)
            )
    timeutil.clock.set(event_at + timedelta(minutes=20), tick=True)
    for draw in draws:
        advancement.perform_draw(draw, values(rng), by=by)


def stage_units(stage):
    from app.advancement.models import AdvancementUnit

    return db.session.scalars(
        sa.select(AdvancementUnit).where(AdvancementUnit.stage_id == stage.id, AdvancementUnit.quota > 0)
    ).all()


def _stamped_lists(competition: Competition, season: Season, rng: random.Random) -> None:
    """Every school with teachers uploads its stamped list before the deadline, but one, a day late."""
    from app.rosters.demo import stamped

    schools = db.session.scalars(
        sa.select(School)
        .where(sa.exists().where(Entry.school_id == School.id, Entry.competition_id == competition.id))
        .order_by(School.code)
    ).all()
    for n, school in enumerate(schools):
        late = n == 5
        day = season.preliminary + timedelta(days=1 if late else -rng.randrange(1, 6))
        stamped(competition, school, at(day, 16, rng.randrange(60)))


def _first_prizes(previous: Competition) -> dict[str, tuple[str, int]]:
    """R-ROS-3 from the portal's own records: ID number → (award name, year) of last season's first prizes."""
    from app.awards.models import Award, AwardRelease, Prize

    rows = db.session.execute(
        sa.select(Entry.id_number, AwardRelease.issuer, AwardRelease.kind)
        .join(Award, Award.entry_id == Entry.id)
        .join(AwardRelease, AwardRelease.id == Award.release_id)
        .where(
            AwardRelease.competition_id == previous.id,
            AwardRelease.live.is_(True),
            Award.prize == Prize.FIRST,
        )
        .order_by(AwardRelease.id)
    ).all()
    stage = {"semifinal": "复赛", "final": "决赛"}
    return {
        id_number: (f"{previous.name}{stage.get(str(kind.value), '')}一等奖（{issuer}）", previous.year)
        for id_number, issuer, kind in rows
    }


# ---------------------------------------------------------------- this year's season, in progress


def _extend(competition: Competition, season: Season, today: date) -> None:
    """Let each domain add this year's demo data, each at its moment of the season (R-TIME-1).

    Rosters: exemptions and stamped lists before the roster deadline. Judging: 东山县's preliminary
    panels yesterday, one still live. Advancement: quotas frozen yesterday afternoon, draws performed
    at yesterday evening's event, one announced for tomorrow. Public: the listing open since yesterday.
    """
    import importlib

    from app import timeutil

    moments = {
        "rosters": at(season.preliminary - timedelta(days=2), 10),
        "judging": at(today - timedelta(days=1), 8),
        "advancement": at(today - timedelta(days=1), 15),
        "public": at(today, 8),
        "awards": at(today, 9),
    }
    for domain, moment in moments.items():
        try:
            module = importlib.import_module(f"app.{domain}.demo")
        except ModuleNotFoundError as error:
            if error.name not in (f"app.{domain}", f"app.{domain}.demo"):
                raise
            continue
        timeutil.clock.set(moment, tick=True)
        module.extend_demo(competition)
    from app.judging.demo import this_morning

    timeutil.clock.set(at(today, 8, 30), tick=True)
    this_morning(competition)
    db.session.flush()


def print_logins(echo: Callable[[str], None]) -> None:
    echo("")
    echo("示例账号（密码均为 %s）：" % DEMO_PASSWORD)
    for username, role, scope in DEMO_LOGINS:
        echo(f"  {username:<10} {role:<10} {scope}")
    echo("")
    echo("打开 http://127.0.0.1:5000 登录；公众页面无需登录。")
