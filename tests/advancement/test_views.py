"""Advancement screens: scope (R-ROLE-1), recommendation and draw flow over HTTP, public draw pages
that never leak private data (R-PUB-1), xlsx exports (R-XLS-1)."""

from __future__ import annotations

import json
import subprocess
import sys

import sqlalchemy as sa

from app.advancement import services
from app.advancement.models import AdvancementUnit
from app.draws.models import Draw
from app.draws.rfc3797 import DrawRecord, verify_record
from app.extensions import db
from app.rosters.models import StageEntrant
from app.timeutil import to_beijing, utcnow
from tests.advancement.helpers import SOURCES, freeze_and_confirm, world
from tests.draws.helpers import AFTER_EVENT, EVENT_AT, beijing_form, move_clock
from tests.querycount import count_queries

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def private_markers(w) -> list[str]:
    people = [e for group in w.entries.values() for e in group]
    return (
        [e.id_number for e in people]
        + [e.phone for e in people if e.phone]
        + [e.birth_date.isoformat() for e in people]
        + [e.birth_date.strftime("%Y%m%d") for e in people]
    )


def test_index_without_competition_and_with(client, login, city):
    login(city.city_admin)
    assert "还没有赛事" in client.get("/advancement/").get_data(as_text=True)
    world(city)
    page = client.get("/advancement/").get_data(as_text=True)
    assert "全市晋级汇总" in page and "东山县" in page and "西岭县" in page


def test_quota_page_scope_and_xlsx(client, login, city):
    w = world(city)
    login(city.school_admin)
    page = client.get(f"/advancement/stages/{w.semifinal.id}/quotas").get_data(as_text=True)
    assert "青石镇中心小学" in page and "青石镇中学" not in page and "松岭镇中心小学" not in page
    login(city.district_admin)
    page = client.get(f"/advancement/stages/{w.semifinal.id}/quotas").get_data(as_text=True)
    assert "青石镇中学" in page and "松岭镇中心小学" not in page and "四舍五入" in page
    response = client.get(f"/advancement/stages/{w.semifinal.id}/quotas.xlsx")
    assert response.status_code == 200 and response.mimetype == XLSX
    assert client.post(f"/advancement/stages/{w.semifinal.id}/freeze").status_code == 403
    login(city.city_admin)
    assert (
        client.post(f"/advancement/stages/{w.semifinal.id}/freeze", data={"confirm": "1"}).status_code == 303
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AdvancementUnit)) == 3


def test_school_admin_cannot_recommend_for_another_unit(client, login, city):
    w = world(city)
    services.freeze_quotas(w.semifinal, by=city.city_admin)
    db.session.commit()
    township = w.unit(city.township)
    login(city.school_admin)
    response = client.post(
        f"/advancement/units/{township.id}/recommend", data={"entry": [str(w.entries["township"][0].id)]}
    )
    assert response.status_code == 403 and "范围" in response.get_data(as_text=True)
    assert client.get(f"/advancement/units/{township.id}").status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(services.Nomination)) == 0


def test_recommend_confirm_announce_perform_over_http_and_public_pages(client, login, city, monkeypatch):
    w = world(city)
    services.freeze_quotas(w.semifinal, by=city.city_admin)
    db.session.commit()
    unit = w.unit(city.central)
    login(city.school_admin)
    page = client.get(f"/advancement/units/{unit.id}?suggest=1", headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    assert page.count("checked") == 2 and "<html" not in page
    one = str(w.entries["central"][0].id)
    bad = client.post(f"/advancement/units/{unit.id}/recommend", data={"entry": [one]})
    assert bad.status_code == 422 and "应推荐 2 人" in bad.get_data(as_text=True)
    ids = [str(i) for i in services.suggest_by_rank(unit)]
    assert client.post(f"/advancement/units/{unit.id}/recommend", data={"entry": ids}).status_code == 303
    assert client.post(f"/advancement/units/{unit.id}/confirm").status_code == 403
    login(city.district_admin)
    assert client.post(f"/advancement/units/{unit.id}/confirm").status_code == 303
    response = client.post(
        f"/advancement/units/{unit.id}/draws", data={"sources": "\n".join(SOURCES), **beijing_form(EVENT_AT)}
    )
    assert response.status_code == 303
    draw = db.session.scalar(sa.select(Draw))
    public = client.get(f"/draws/{draw.id}")  # anyone, no login needed
    text = public.get_data(as_text=True)
    event_text = f"{to_beijing(EVENT_AT):%Y-%m-%d %H:%M}"
    assert (
        public.status_code == 200 and draw.pool_sha256 in text and SOURCES[0] in text and event_text in text
    )
    commitment = client.get(f"/draws/{draw.id}.json").get_json()
    assert commitment["pool_sha256"] == draw.pool_sha256 and commitment["status"] == "announced"
    typed = {"source-0": "3 7 1", "source-1": "6, 2, 5"}
    early = client.post(f"/advancement/draws/{draw.id}/perform", data={**typed, "confirm": "1"})
    assert early.status_code == 422 and "此前不能抽签" in early.get_data(as_text=True)
    move_clock(monkeypatch, AFTER_EVENT)
    bad = client.post(f"/advancement/draws/{draw.id}/perform", data={"source-0": "1 2 3"})
    assert bad.status_code == 422 and "每个已公布的随机源" in bad.get_data(as_text=True)
    shown = client.post(f"/advancement/draws/{draw.id}/perform", data=typed)
    assert shown.status_code == 200 and "1.3.7./2.5.6./" in shown.get_data(as_text=True)
    assert (
        client.post(f"/advancement/draws/{draw.id}/perform", data={**typed, "confirm": "1"}).status_code
        == 303
    )
    again = client.post(
        f"/advancement/draws/{draw.id}/perform", data={"source-0": "1", "source-1": "2", "confirm": "1"}
    )
    assert again.status_code == 422 and "不能再抽一次" in again.get_data(as_text=True)
    record_text = client.get(f"/draws/{draw.id}.json").get_data(as_text=True)
    record = DrawRecord.from_json(record_text)
    assert verify_record(record) == [] and record.key == "1.3.7./2.5.6./" and len(record.selected) == 1
    page = client.get(f"/draws/{draw.id}").get_data(as_text=True)
    assert "1.3.7./2.5.6./" in page and "一致" in page
    for marker in private_markers(w):
        assert marker not in page and marker not in record_text
    shortlist = client.get(f"/advancement/stages/{w.semifinal.id}/shortlist").get_data(as_text=True)
    assert f"/draws/{draw.id}" in shortlist and "推荐" in shortlist
    xlsx = client.get(f"/advancement/stages/{w.semifinal.id}/shortlist.xlsx")
    assert xlsx.status_code == 200 and xlsx.mimetype == XLSX


def test_published_record_passes_the_stand_alone_verifier(client, city, tmp_path):
    w = world(city)
    unit = freeze_and_confirm(w, city, city.other_school)
    draw = services.announce_unit_draw(unit, SOURCES, by=city.city_admin, event_at=EVENT_AT)
    services.perform_draw(draw, [[3, 7, 1], [6, 2, 5]], by=city.city_admin, now=AFTER_EVENT)
    db.session.commit()
    good = tmp_path / "good.json"
    good.write_bytes(client.get(f"/draws/{draw.id}.json").data)
    edited = json.loads(good.read_text(encoding="utf-8"))
    edited["selected"] = list(reversed(edited["selected"]))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(edited, ensure_ascii=False), encoding="utf-8")
    verify = [sys.executable, "-m", "app.draws.verify"]
    assert subprocess.run(verify + [str(good)], capture_output=True).returncode == 0
    assert subprocess.run(verify + [str(bad)], capture_output=True).returncode == 1


def test_public_redraw_page_links_both_ways_and_marks_the_disqualified(client, city):
    w = world(city)
    unit = freeze_and_confirm(w, city, city.other_school)
    draw = services.announce_unit_draw(unit, SOURCES, by=city.city_admin, event_at=EVENT_AT)
    services.perform_draw(draw, [[3, 7, 1], [6, 2, 5]], by=city.city_admin, now=AFTER_EVENT)
    cheat = db.session.scalar(sa.select(StageEntrant).where(StageEntrant.draw_id == draw.id)).entry
    cheat.disqualified_at, cheat.disqualified_note = utcnow(), "弄虚作假"
    [redraw] = services.handle_disqualification(cheat, by=city.city_admin)
    db.session.commit()
    original = client.get(f"/draws/{draw.id}").get_data(as_text=True)
    assert f"/draws/{redraw.id}" in original and "已取消资格" in original
    child = client.get(f"/draws/{redraw.id}").get_data(as_text=True)
    assert f"/draws/{draw.id}" in child and "重抽" in child
    for marker in private_markers(w):
        assert marker not in original and marker not in child


def test_missing_draw_is_404_and_verifier_files_download(client):
    assert client.get("/draws/987654").status_code == 404
    assert client.get("/draws/987654.json").status_code == 404
    assert client.get("/draws/verifier/other.py").status_code == 404
    response = client.get("/draws/verifier/rfc3797.py")
    assert response.status_code == 200 and b"RFC 3797" in response.data


def test_unit_page_and_export_for_the_unit_admin(client, login, city):
    w = world(city)
    services.freeze_quotas(w.semifinal, by=city.city_admin)
    db.session.commit()
    unit = w.unit(city.central)
    login(city.school_admin)
    page = client.get(f"/advancement/units/{unit.id}").get_data(as_text=True)
    assert "提交推荐名单（2 人）" in page and "central0" in page and "affiliate0" in page
    for marker in [e.id_number for e in w.entries["central"]]:
        assert marker not in page
    assert client.get(f"/advancement/units/{unit.id}.xlsx").mimetype == XLSX
    login(city.affiliate_admin)  # sees the unit of its central school, may not change it
    page = client.get(f"/advancement/units/{unit.id}").get_data(as_text=True)
    assert "提交推荐名单" not in page
    assert client.post(f"/advancement/units/{unit.id}/recommend", data={"entry": []}).status_code == 403


def test_void_over_http_needs_a_reason_and_stays_public(client, login, city):
    w = world(city)
    unit = freeze_and_confirm(w, city, city.township)
    draw = services.announce_unit_draw(unit, SOURCES, by=city.district_admin, event_at=EVENT_AT)
    db.session.commit()
    login(city.other_district_admin)
    assert client.post(f"/advancement/draws/{draw.id}/void", data={"reason": "x"}).status_code == 403
    login(city.district_admin)
    missing = client.post(f"/advancement/draws/{draw.id}/void", data={"reason": ""})
    assert missing.status_code == 422 and "作废原因" in missing.get_data(as_text=True)
    assert client.post(f"/advancement/draws/{draw.id}/void", data={"reason": "抽签池有误"}).status_code == 303
    page = client.get(f"/draws/{draw.id}").get_data(as_text=True)
    assert "已作废" in page and "抽签池有误" in page
    assert client.get(f"/draws/{draw.id}.json").get_json()["void_reason"] == "抽签池有误"


def test_unit_page_offers_each_next_step_to_the_district(client, login, city):
    w = world(city)
    unit = freeze_and_confirm(w, city, city.township)
    login(city.district_admin)
    page = client.get(f"/advancement/units/{unit.id}").get_data(as_text=True)
    assert "冻结并公布" in page and "待抽取 1" in page
    draw = services.announce_unit_draw(unit, SOURCES, by=city.district_admin, event_at=EVENT_AT)
    db.session.commit()
    page = client.get(f"/advancement/units/{unit.id}").get_data(as_text=True)
    assert "核对取值（抽取 1 人）" in page and SOURCES[1] in page and "作废此抽签" in page
    services.perform_draw(draw, [[1, 2], [3]], by=city.district_admin, now=AFTER_EVENT)
    db.session.commit()
    page = client.get(f"/advancement/units/{unit.id}").get_data(as_text=True)
    assert "已抽取" in page and "冻结并公布" not in page and "并公布结果" not in page


def test_quota_and_unit_pages_run_a_fixed_number_of_queries(client, login, city):
    """The unit page reads its own teachers' nominations and routes, not every entrant of the stage."""
    w = world(city)
    freeze_and_confirm(w, city, city.other_school)  # another district's entrants must not cost anything
    unit = freeze_and_confirm(w, city, city.central)
    services.announce_unit_draw(unit, SOURCES, by=city.city_admin, event_at=EVENT_AT)
    db.session.commit()
    login(city.district_admin)
    for url, most in (
        (f"/advancement/stages/{w.semifinal.id}/quotas", 8),
        (f"/advancement/units/{unit.id}", 8),
    ):
        db.session.expunge_all()
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        assert len(statements) <= most, (url, statements)
