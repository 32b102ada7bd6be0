"""Demo data for the public portal: announcements, the preliminary listing open, one pending objection.

On the clock ``app.demo`` sets (the demo's day, R-TIME-1): the preliminary listing opened yesterday,
after the roster deadline, and runs its configured days; the semifinal list is listed only once the
recommendations and draws are complete, so not yet.
"""

from __future__ import annotations

import random
from datetime import timedelta

import sqlalchemy as sa

from app.auth.models import User
from app.codes import random_code
from app.competitions.models import Competition, StageKind
from app.extensions import db
from app.orgs.models import District
from app.public import services
from app.roles import Role
from app.rosters.models import Entry
from app.rosters.queries import competitors_stmt
from app.timeutil import beijing_today

ANNOUNCEMENTS = [
    (
        None,
        True,
        "关于{name}初赛名单公示的通知",
        "根据全员培训实施方案，现将各初赛组织单位上报的参赛教师名单予以公示，公示期{days}天。\n"
        "公示期内，如对名单中的教师有异议，请在公示页点击该教师的「提出异议」，写明事实和理由，并留下真实姓名和联系电话。"
        "异议人信息仅供核实，严格保密。\n"
        "提交后请保存查询码，凭查询码查看处理结果。经查实弄虚作假的，取消参赛资格。",
    ),
    (
        None,
        False,
        "复赛、决赛安排",
        "复赛推荐名单请于{semifinal}前确认；复赛由各区县教育局组织，决赛由市教育局组织，推荐名单于{final}前确认。\n"
        "复赛、决赛选手中60%由推荐产生、40%随机抽取，抽取全过程按 RFC 3797 公开可验证，抽取记录在公示页公布。",
    ),
    (
        "D02",
        False,
        "东山县初赛工作提示",
        "各中心校、乡镇中学请按时组织初赛，评委组不少于3人，评委回避本校教师。",
    ),
]


def extend_demo(competition: Competition) -> None:
    """Announcements, the preliminary listing (open since yesterday), one objection waiting."""
    city_admin = db.session.scalar(
        sa.select(User).where(User.role == Role.CITY_ADMIN).order_by(User.id).limit(1)
    )
    if city_admin is None:
        return
    districts = {d.code: d for d in db.session.scalars(sa.select(District))}
    dates = {s.kind: f"{s.deadline:%Y年%m月%d日}" if s.deadline else "截止日期" for s in competition.stages}
    for code, pinned, title, body in ANNOUNCEMENTS:
        district = districts.get(code) if code else None
        if code and district is None:
            continue
        services.save_announcement(
            competition,
            None,
            by=city_admin,
            pinned=pinned,
            district=district,
            title=title.format(name=competition.name),
            body=body.format(
                days=competition.listing_days,
                semifinal=dates[StageKind.SEMIFINAL],
                final=dates[StageKind.FINAL],
            ),
        )
    today = beijing_today()
    preliminary = competition.stage(StageKind.PRELIMINARY)
    services.open_listing(
        preliminary,
        by=city_admin,
        start=today - timedelta(days=1),
        note="公示期内受理异议；异议人须实名，信息严格保密。",
    )

    rng = random.Random(2026)
    target = db.session.scalars(competitors_stmt(preliminary).limit(40)).all()
    if target:
        entry: Entry = rng.choice(target)
        objection = services.file_objection(
            preliminary,
            entry,
            reason="该教师实际已调离本校，不应在本校名单中参赛。",
            filer_name="周先生",
            filer_phone="13900001234",
        )
        objection.tracking_code = random_code(services.TRACKING_LENGTH, rng.choice)
    db.session.flush()
