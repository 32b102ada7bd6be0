"""The draw's persisted verbs (R-DRAW-1, R-DRAW-2): event time, confirmation, void and re-announce,
one public record format in every state."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.advancement import services as advancement
from app.draws import services
from app.draws.models import Draw, DrawStatus
from app.draws.rfc3797 import DrawRecord, verify_record
from app.errors import DomainError
from app.extensions import db
from app.rosters.models import StageEntrant
from app.timeutil import utcnow
from tests.advancement.helpers import SOURCES, freeze_and_confirm, world
from tests.draws.helpers import AFTER_EVENT, EVENT_AT, beijing_form, move_clock

VALUES = [["3", "7", "1"], ["6", "2", "5"]]


def _announced(city, event_at=EVENT_AT):
    w = world(city)
    unit = freeze_and_confirm(w, city, city.other_school)
    return w, unit, advancement.announce_unit_draw(unit, SOURCES, by=city.city_admin, event_at=event_at)


def test_r_draw_1_every_announcement_names_a_future_event_time(city):
    w = world(city)
    unit = freeze_and_confirm(w, city, city.other_school)
    with pytest.raises(DomainError, match="请填写抽签时间"):
        advancement.announce_unit_draw(unit, SOURCES, by=city.city_admin, event_at=None)
    with pytest.raises(DomainError, match="已过"):
        advancement.announce_unit_draw(
            unit, SOURCES, by=city.city_admin, event_at=utcnow() - timedelta(minutes=1)
        )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Draw)) == 0


def test_r_draw_1_event_time_is_typed_in_beijing_time_and_stored_as_utc():
    stored = services.event_at_from_beijing("2026-12-20", "21:30")
    assert stored.isoformat() == "2026-12-20T13:30:00"
    assert services.beijing_text(stored) == "2026-12-20 21:30（北京时间）"
    with pytest.raises(DomainError, match="日期和时刻"):
        services.event_at_from_beijing("2026-12-20", "")


def test_r_draw_1_perform_before_the_event_is_refused_naming_the_time(city, monkeypatch):
    _, _, draw = _announced(city)
    when = services.beijing_text(EVENT_AT)
    with pytest.raises(DomainError, match="此前不能抽签") as refused:
        advancement.perform_draw(draw, VALUES, by=city.city_admin)
    assert when in refused.value.message
    with pytest.raises(DomainError, match="此前不能抽签"):  # the confirmation screen refuses too
        advancement.preview_draw(draw, VALUES, by=city.city_admin)
    move_clock(monkeypatch, EVENT_AT - timedelta(seconds=1))  # the clock read at call time
    with pytest.raises(DomainError, match="此前不能抽签"):
        advancement.perform_draw(draw, VALUES, by=city.city_admin)
    assert draw.status == DrawStatus.ANNOUNCED and draw.record_json is None
    move_clock(monkeypatch, EVENT_AT)
    advancement.perform_draw(draw, VALUES, by=city.city_admin)
    assert draw.status == DrawStatus.DRAWN and draw.drawn_at == EVENT_AT


def test_r_draw_1_preview_shows_values_normalised_values_key_and_stores_nothing(city):
    _, _, draw = _announced(city)
    typed = [services.parse_values("03 7 1"), services.parse_values("６，2、5")]
    shown = advancement.preview_draw(draw, typed, by=city.city_admin, now=AFTER_EVENT)
    assert [s.entered for s in shown.sources] == [["03", "7", "1"], ["6", "2", "5"]]
    assert [s.canonical for s in shown.sources] == ["1.3.7./", "2.5.6./"]
    assert (shown.key, shown.pool_size, shown.count) == ("1.3.7./2.5.6./", 14, 2)
    assert draw.status == DrawStatus.ANNOUNCED and draw.record_json is None


def test_r_draw_1_one_parser_keeps_a_text_line_whole():
    assert services.parse_values("3 11 17") == ["3", "11", "17"]
    assert services.parse_values(" 3，11、17 ") == ["3", "11", "17"]
    assert services.parse_values("W 4-1") == ["W 4-1"]
    assert services.parse_values("  ") == []


def test_r_draw_1_moving_the_event_is_a_public_void_and_a_new_announcement(client, city):
    w, unit, draw = _announced(city)
    later = EVENT_AT + timedelta(days=2)
    advancement.void_draw(draw, "开奖推迟，改期抽签", by=city.city_admin)
    again = advancement.announce_unit_draw(unit, SOURCES, by=city.city_admin, event_at=later)
    db.session.commit()
    assert (draw.event_at, again.event_at) == (EVENT_AT, later)  # never an edit of event_at
    page = client.get(f"/draws/{draw.id}").get_data(as_text=True)
    assert "已作废" in page and "开奖推迟，改期抽签" in page and f"/draws/{again.id}" in page
    record = client.get(f"/draws/{draw.id}.json").get_json()
    assert (record["status"], record["void_reason"]) == ("void", "开奖推迟，改期抽签")
    assert services.beijing_text(later)[:16] in client.get(f"/draws/{again.id}").get_data(as_text=True)


def test_r_draw_1_announce_form_takes_date_and_time(client, login, city):
    w = world(city)
    unit = freeze_and_confirm(w, city, city.other_school)
    login(city.city_admin)
    missing = client.post(f"/advancement/units/{unit.id}/draws", data={"sources": SOURCES[0]})
    assert missing.status_code == 422 and "抽签时间" in missing.get_data(as_text=True)
    form = {"sources": SOURCES[0], **beijing_form(EVENT_AT)}
    assert client.post(f"/advancement/units/{unit.id}/draws", data=form).status_code == 303
    assert db.session.scalar(sa.select(Draw)).event_at == EVENT_AT


def test_r_draw_1_confirmation_screen_then_only_the_confirm_post_draws(client, login, city, monkeypatch):
    _, unit, draw = _announced(city)
    db.session.commit()
    login(city.city_admin)
    move_clock(monkeypatch, AFTER_EVENT)
    typed = {"source-0": "3 7 1", "source-1": "4、1"}
    shown = client.post(f"/advancement/draws/{draw.id}/perform", data=typed)
    page = shown.get_data(as_text=True)
    assert shown.status_code == 200 and "确认抽签" in page and 'name="confirm" value="1"' in page
    assert "4、1" in page and "1.4./" in page and "1.3.7./1.4./" in page  # as typed, normalised, key
    assert 'id="confirm-pool-size">14<' in page and 'id="confirm-count">2<' in page
    db.session.expire_all()
    assert db.session.get(Draw, draw.id).status == DrawStatus.ANNOUNCED
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(StageEntrant).where(StageEntrant.draw_id == draw.id)
        )
        == 0
    )
    done = client.post(f"/advancement/draws/{draw.id}/perform", data={**typed, "confirm": "1"})
    assert done.status_code == 303
    db.session.expire_all()
    stored = db.session.get(Draw, draw.id)
    assert (
        stored.status == DrawStatus.DRAWN and DrawRecord.from_json(stored.record_json).key == "1.3.7./1.4./"
    )


FIELDS = {
    "algorithm",
    "count",
    "event_at",
    "key",
    "parent",
    "parent_id",
    "pool",
    "pool_sha256",
    "selected",
    "sources",
    "status",
    "title",
    "void_reason",
}


def test_r_draw_1_r_draw_2_one_record_format_in_every_state(client, city):
    w, unit, draw = _announced(city)
    db.session.commit()
    announced = client.get(f"/draws/{draw.id}.json").get_json()
    assert set(announced) == FIELDS and announced["pool_sha256"] == draw.pool_sha256
    assert announced["key"] is None and announced["sources"][0] == {"name": SOURCES[0], "values": None}
    assert announced["event_at"].endswith("+08:00")
    advancement.perform_draw(draw, VALUES, by=city.city_admin, now=AFTER_EVENT)
    db.session.commit()
    drawn = client.get(f"/draws/{draw.id}.json").get_json()
    assert set(drawn) == FIELDS and drawn["status"] == "drawn" and drawn["pool_sha256"] == draw.pool_sha256
    assert verify_record(DrawRecord.from_dict(drawn)) == []  # the verifier takes the published format
    cheat = db.session.scalar(sa.select(StageEntrant).where(StageEntrant.draw_id == draw.id)).entry
    cheat.disqualified_at = utcnow()
    [redraw] = advancement.handle_disqualification(cheat, by=city.city_admin, event_at=EVENT_AT)
    db.session.commit()
    child = client.get(f"/draws/{redraw.id}.json").get_json()
    assert set(child) == FIELDS and child["parent_id"] == draw.id
    link = child["parent"]
    assert link and link.startswith(draw.pool_sha256 + ":")
    advancement.perform_draw(redraw, [["4", "4", "2"], ["1", "1", "6"]], by=city.city_admin, now=AFTER_EVENT)
    db.session.commit()
    performed = client.get(f"/draws/{redraw.id}.json").get_json()
    assert (performed["parent"], performed["parent_id"]) == (link, draw.id)  # linked the same way
    advancement.void_draw(
        advancement.announce_unit_draw(
            freeze_and_confirm(w, city, city.township), SOURCES, by=city.city_admin, event_at=EVENT_AT
        ),
        "测试作废",
        by=city.city_admin,
    )
    db.session.commit()
    void = db.session.scalar(sa.select(Draw).where(Draw.status == DrawStatus.VOID))
    assert set(client.get(f"/draws/{void.id}.json").get_json()) == FIELDS
