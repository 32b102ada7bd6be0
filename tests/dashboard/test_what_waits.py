"""Issue 15.9 and 13.3: every role's dashboard lists what waits on it, deadlines counting down in Beijing
time, and says where the season stands with this role's next step (R-Q-4, R-DRAW-1, R-AW-1, R-PANEL-1)."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.advancement import services as advancement
from app.awards.models import AwardKind
from app.awards.services import Scope
from app.competitions.models import Group, StageKind
from app.dashboard.views import countdown
from app.extensions import db
from app.judging import services as judging
from app.timeutil import beijing_today, utcnow
from tests import factories
from tests.advancement.helpers import SOURCES, world
from tests.awards.helpers import competitors, stub_results
from tests.draws.helpers import AFTER_EVENT, EVENT_AT


def _page(client) -> str:
    return client.get("/dashboard").get_data(as_text=True)


def _todo(html: str) -> str:
    start = html.index('class="card todo"')
    return html[start : html.index("</section>", start)]


def _state(html: str) -> str:
    start = html.index('id="season-state"')
    return html[start : html.index("</section>", start)]


def test_countdown_in_beijing_time():
    now = datetime(2026, 12, 7, 6, 0)  # 14:00 Beijing
    assert countdown(datetime(2026, 12, 8, 13, 30), now) == ("2026-12-08 21:30", "还有 1 天 7 小时", False)
    assert countdown(datetime(2026, 12, 7, 8, 15), now) == ("2026-12-07 16:15", "还有 2 小时 15 分", False)
    assert countdown(datetime(2026, 12, 7, 5, 0), now)[1:] == ("已到时间", True)
    today = beijing_today()
    assert countdown(today, now)[1] == "今天截止"
    assert countdown(today + timedelta(days=3), now)[1] == "还有 3 天"
    assert countdown(today - timedelta(days=1), now)[1:] == ("已过截止日期", True)


def test_city_is_told_to_freeze_then_sees_the_stage_settled(client, login, city):
    w = world(city, central=7, affiliate=3, township=0, other=0)
    login(city.city_admin)
    html = _page(client)
    assert "复赛名额未冻结" in _state(html) and "下一步：核对并冻结复赛晋级名额" in _state(html)
    assert "核对并冻结复赛晋级名额" in _todo(html)
    login(city.district_admin)
    assert "等待市教育局冻结复赛晋级名额" in _state(_page(client))

    advancement.freeze_quotas(w.semifinal, by=city.city_admin)
    unit = w.unit(city.central)
    advancement.set_nominations(unit, advancement.suggest_by_rank(unit), by=city.school_admin)
    advancement.confirm_unit(unit, by=city.district_admin)
    draw = advancement.announce_unit_draw(unit, SOURCES, by=city.district_admin, event_at=EVENT_AT)
    advancement.perform_draw(draw, [[3, 1, 4], [6, 2, 5]], by=city.district_admin, now=AFTER_EVENT)
    db.session.commit()
    login(city.city_admin)
    state = _state(_page(client))
    assert "复赛名单已确定" in state and "决赛名额未冻结" in state and "冻结决赛晋级名额" in state


def test_school_then_district_see_the_recommendation_waiting_on_them(client, login, city):
    w = world(city, central=7, affiliate=3, township=0, other=0)
    w.semifinal.deadline = beijing_today() + timedelta(days=3)
    advancement.freeze_quotas(w.semifinal, by=city.city_admin)
    db.session.commit()
    unit = w.unit(city.central)

    login(city.school_admin)
    html = _page(client)
    assert "青石镇中心小学待提交推荐名单（2 人）" in _todo(html) and "还有 3 天" in _todo(html)
    assert "下一步：提交青石镇中心小学的推荐名单" in _state(html)
    login(city.district_admin)
    assert "推荐名单待确认" not in _todo(_page(client))

    advancement.set_nominations(unit, advancement.suggest_by_rank(unit), by=city.school_admin)
    db.session.commit()
    html = _page(client)
    assert "复赛：青石镇中心小学的推荐名单待确认" in _todo(html) and "还有 3 天" in _todo(html)
    assert "下一步：确认 1 个单位的推荐名单" in _state(html)
    assert "推荐已确认 0/1 个单位" in _state(html)
    login(city.other_district_admin)
    assert "推荐名单待确认" not in _todo(_page(client))
    login(city.school_admin)
    assert "待提交推荐名单" not in _todo(_page(client))


def test_district_sees_an_announced_draw_counting_down_to_its_event(client, login, city):
    w = world(city, central=7, affiliate=3, township=0, other=0)
    advancement.freeze_quotas(w.semifinal, by=city.city_admin)
    unit = w.unit(city.central)
    advancement.set_nominations(unit, advancement.suggest_by_rank(unit), by=city.school_admin)
    advancement.confirm_unit(unit, by=city.district_admin)
    event = (utcnow() + timedelta(days=1, hours=2, minutes=30)).replace(second=0, microsecond=0)
    advancement.announce_unit_draw(unit, SOURCES, by=city.district_admin, event_at=event)
    db.session.commit()
    login(city.district_admin)
    html = _page(client)
    todo = _todo(html)
    assert "复赛：青石镇中心小学的抽签已公布，待到抽签时间录入随机源数值" in todo
    assert "还有 1 天 2 小时" in todo and "北京时间" in todo
    assert "下一步：为 1 个单位公布并进行抽签" in _state(html)
    login(city.school_admin)
    assert "抽签已公布" not in _todo(_page(client))


def test_panels_to_open_show_for_their_organisers(client, login, city, f):
    competition = f.gen_competition()
    judging.ensure_default_forms(competition)
    subject = factories.subject(competition)
    factories.gen_entry(competition, city.central, subject_=subject)
    stage = competition.stage(StageKind.PRELIMINARY)
    judging.create_panel(stage, subject, Group.PRIMARY_YOUTH, by=city.city_admin, unit_school=city.central)
    db.session.commit()
    for admin in (city.school_admin, city.district_admin, city.city_admin):
        login(admin)
        assert "1 个评委组筹备中" in _todo(_page(client)), admin
    login(city.other_district_admin)
    assert "评委组" not in _todo(_page(client))


def test_prize_list_ready_to_publish_shows_for_the_district(client, login, city, f, monkeypatch):
    competition = f.gen_competition()
    entries = competitors(competition, StageKind.SEMIFINAL, [city.central], 5)
    db.session.commit()
    stub_results(monkeypatch, {e.id: str(90 - i) for i, e in enumerate(entries)})
    login(city.district_admin)
    assert "东山县复赛个人奖项评分已全部完成，可以发布" in _todo(_page(client))
    login(city.other_district_admin)
    assert "复赛个人奖项" not in _todo(_page(client))
    stub_results(monkeypatch, {e.id: (None if i == 0 else str(90 - i)) for i, e in enumerate(entries)})
    login(city.district_admin)
    assert "可以发布" not in _todo(_page(client))  # one competitor without a result: not ready
    from app.awards import services as awards

    stub_results(monkeypatch, {e.id: str(90 - i) for i, e in enumerate(entries)})
    awards.publish(competition, Scope(AwardKind.SEMIFINAL, city.d1.id), by=city.district_admin)
    db.session.commit()
    assert "可以发布" not in _todo(_page(client))
