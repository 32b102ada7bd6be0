"""Public pages and the admin side of listings, announcements and objections (R-PUB-1, R-PUB-2)."""

from __future__ import annotations

import io
from datetime import date

import sqlalchemy as sa
from openpyxl import load_workbook

from app.audit.models import AuditEntry
from app.extensions import db
from app.public import services
from app.public.models import Announcement, Listing, Objection, ObjectionStatus
from tests.public.helpers import listed
from tests.querycount import count_queries

FILER = {"reason": "该教师的获奖证书系伪造。", "filer_name": "MARK-FILER-李四", "filer_phone": "13812345678"}


def _listing_url(w):
    return f"/p/stages/{w.preliminary.id}"


def test_public_home_goes_to_the_only_competition(client, city):
    w = listed(city)
    response = client.get("/p/")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/p/competitions/{w.competition.id}"
    )
    assert client.get("/").headers["Location"].endswith("/p/")


def test_competition_page_shows_rules_timeline_and_announcements(client, city):
    w = listed(city)
    services.save_announcement(
        w.competition, None, by=city.city_admin, title="初赛名单公示通知", body="第一段\n第二段", pinned=True
    )
    db.session.commit()
    html = client.get(f"/p/competitions/{w.competition.id}").get_data(as_text=True)
    for text in (
        "初赛名单公示通知",
        "置顶",
        "本届规则",
        "公示期",
        "5 天",
        "初赛",
        "复赛",
        "决赛",
        "公示中",
        "查看初赛公示名单",
    ):
        assert text in html, text
    item = db.session.scalar(sa.select(Announcement))
    page = client.get(f"/p/announcements/{item.id}").get_data(as_text=True)
    assert "<p>第一段</p>" in page and "市教育局" in page


def test_listing_not_yet_published(client, city):
    w = listed(city, open_listing=False)
    html = client.get(_listing_url(w)).get_data(as_text=True)
    assert "尚未公示" in html and w.entries["central"][0].name not in html


def test_listing_shows_competitors_and_searches(client, city):
    w = listed(city)
    html = client.get(_listing_url(w)).get_data(as_text=True)
    assert all(e.name in html for e in w.entries["central"] + w.entries["other"])
    assert "免赛老师" not in html  # exempt teachers are not competitors
    found = client.get(_listing_url(w), query_string={"q": "松岭"}).get_data(as_text=True)
    assert w.entries["other"][0].name in found and w.entries["central"][0].name not in found
    number = str(w.entries["central"][2].entrant_number)
    by_number = client.get(_listing_url(w), query_string={"q": number}).get_data(as_text=True)
    assert w.entries["central"][2].name in by_number and w.entries["central"][3].name not in by_number
    by_school = client.get(_listing_url(w), query_string={"school": city.affiliate.id}).get_data(as_text=True)
    assert w.entries["affiliate"][0].name in by_school and w.entries["central"][0].name not in by_school
    nothing = client.get(_listing_url(w), query_string={"q": "没有这个人"}).get_data(as_text=True)
    assert "没有找到符合条件的教师" in nothing


def test_htmx_search_returns_only_the_results_block(client, city):
    w = listed(city)
    response = client.get(_listing_url(w), query_string={"q": "中老"}, headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert (
        response.status_code == 200 and html.lstrip().startswith('<div id="results"') and "<html" not in html
    )
    assert "HX-Request" in response.headers["Vary"]


def test_file_an_objection_and_follow_it_by_code(client, city):
    w = listed(city)
    entry = w.entries["central"][0]
    url = f"/p/stages/{w.preliminary.id}/objections/{entry.entrant_number}"
    assert "您的真实姓名" in client.get(url).get_data(as_text=True)
    response = client.post(url, data=FILER)
    assert response.status_code == 303
    objection = db.session.scalar(sa.select(Objection))
    assert objection.entry_id == entry.id and objection.filer_name == "MARK-FILER-李四"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert objection.tracking_display in page and "异议已提交" in page and "待处理" in page
    assert "MARK-FILER" not in page and "13812345678" not in page
    typed = objection.tracking_display.lower()
    assert (
        client.get("/p/objections", query_string={"code": typed})
        .headers["Location"]
        .endswith(objection.tracking_code)
    )
    missing = client.get("/p/objections", query_string={"code": "ZZZZZ-ZZZZZ"})
    assert missing.status_code == 404 and "没有找到" in missing.get_data(as_text=True)
    assert client.get("/p/objections/ZZZZZZZZZZ").status_code == 404


def test_objection_form_errors_rerender_with_422_and_change_nothing(client, city):
    w = listed(city)
    url = f"/p/stages/{w.preliminary.id}/objections/{w.entries['central'][0].entrant_number}"
    response = client.post(url, data={**FILER, "filer_phone": ""})
    assert response.status_code == 422 and "联系电话" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Objection)) == 0
    assert client.get(f"/p/stages/{w.preliminary.id}/objections/99999").status_code == 404


def test_objection_outside_the_period_is_refused(client, city):
    w = listed(city, open_listing=False)
    services.open_listing(w.preliminary, by=city.city_admin, start=date(2020, 1, 1))
    db.session.commit()
    url = f"/p/stages/{w.preliminary.id}/objections/{w.entries['central'][0].entrant_number}"
    assert "不在公示期内" in client.get(url).get_data(as_text=True)
    assert client.post(url, data=FILER).status_code == 422
    assert "提出异议" not in client.get(_listing_url(w)).get_data(as_text=True).split("results")[-1]


def test_objections_are_rate_limited_per_client(client, city, rate_limits_on):
    w = listed(city)
    url = f"/p/stages/{w.preliminary.id}/objections/{w.entries['central'][0].entrant_number}"
    statuses = [client.post(url, data=FILER).status_code for _ in range(6)]
    assert statuses == [303] * 5 + [429]


def test_objection_form_carries_a_csrf_token(client, city, csrf_on):
    w = listed(city)
    url = f"/p/stages/{w.preliminary.id}/objections/{w.entries['central'][0].entrant_number}"
    assert 'name="csrf_token"' in client.get(url).get_data(as_text=True)
    assert client.post(url, data=FILER).status_code == 400


# ---------------------------------------------------------------- admin


def test_admin_opens_a_listing(client, city, login):
    w = listed(city, open_listing=False)
    login(city.district_admin)
    page = client.get(f"/admin/public/stages/{w.preliminary.id}/listing").get_data(as_text=True)
    assert "东山县" in page and "西岭县" not in page
    response = client.post(
        f"/admin/public/stages/{w.preliminary.id}/listing",
        data={"district_id": city.d1.id, "start": "2026-12-03", "days": "5"},
    )
    assert response.status_code == 303
    listing = db.session.scalar(sa.select(Listing))
    assert listing.district_id == city.d1.id and listing.days == 5
    refused = client.post(
        f"/admin/public/stages/{w.preliminary.id}/listing",
        data={"district_id": city.d2.id, "start": "2026-12-03", "days": "5"},
    )
    assert refused.status_code in (403, 422)
    bad = client.post(
        f"/admin/public/stages/{w.preliminary.id}/listing",
        data={"district_id": city.d1.id, "start": "2026-12-03", "days": "0"},
    )
    assert bad.status_code == 422 and "1–30" in bad.get_data(as_text=True)


def test_admin_posts_and_edits_announcements_in_scope(client, city, login):
    w = listed(city)
    login(city.district_admin)
    response = client.post(
        f"/admin/public/competitions/{w.competition.id}/announcements/new",
        data={"district_id": city.d1.id, "title": "东山县复赛安排", "body": "12月15日在县实验小学举行。"},
    )
    assert response.status_code == 303
    item = db.session.scalar(sa.select(Announcement))
    assert item.publisher_label == "东山县教育局"
    assert (
        client.post(
            f"/admin/public/announcements/{item.id}",
            data={"title": "东山县复赛安排（更新）", "body": "改为12月16日。"},
        ).status_code
        == 303
    )
    login(city.other_district_admin)
    refused = client.get(f"/admin/public/announcements/{item.id}")
    assert refused.status_code == 403 and "范围" in refused.get_data(as_text=True)
    assert client.post(f"/admin/public/announcements/{item.id}/delete").status_code == 403
    login(city.city_admin)
    assert client.post(f"/admin/public/announcements/{item.id}/delete").status_code == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Announcement)) == 0


def test_admin_lists_resolves_and_exports_objections_in_scope(client, city, login):
    w = listed(city)
    objection = services.file_objection(w.preliminary, w.entries["affiliate"][0], **FILER)
    services.file_objection(w.preliminary, w.entries["other"][0], **FILER)
    db.session.commit()
    login(city.school_admin)  # the central school's admin reads objections against its affiliate's teachers …
    listing = client.get("/admin/public/objections").get_data(as_text=True)
    assert w.entries["affiliate"][0].name in listing and w.entries["other"][0].name not in listing
    detail = client.get(f"/admin/public/objections/{objection.id}").get_data(as_text=True)
    assert (
        "MARK-FILER" not in detail and "学校回避" in detail and 'id="resolve-form"' not in detail
    )  # … never who filed
    sheet = load_workbook(io.BytesIO(client.get("/admin/public/objections.xlsx").data)).active
    assert "MARK-FILER" not in str([c.value for row in sheet.iter_rows() for c in row])
    refused = client.post(
        f"/admin/public/objections/{objection.id}", data={"outcome": "dismissed", "note": "无"}
    )
    assert refused.status_code == 403
    login(city.district_admin)  # the district verifies and decides
    detail = client.get(f"/admin/public/objections/{objection.id}").get_data(as_text=True)
    assert "MARK-FILER-李四" in detail  # the deciding level sees the filer, to verify the objection
    bad = client.post(f"/admin/public/objections/{objection.id}", data={"outcome": "upheld", "note": ""})
    assert bad.status_code == 422
    decision = {"outcome": "upheld", "fraud": "y", "note": "经核实材料造假，取消参赛资格。"}
    confirm = client.post(f"/admin/public/objections/{objection.id}", data=decision)
    assert confirm.status_code == 200 and 'id="confirm-disqualify"' in confirm.get_data(as_text=True)
    db.session.expire_all()
    assert objection.status == ObjectionStatus.PENDING and objection.entry.disqualified_at is None
    response = client.post(f"/admin/public/objections/{objection.id}", data={**decision, "confirm": "1"})
    assert response.status_code == 303
    db.session.expire_all()
    assert objection.status == ObjectionStatus.UPHELD and objection.entry.disqualified_at is not None
    assert (
        db.session.scalar(sa.select(AuditEntry.actor_name).where(AuditEntry.action == "objection.resolve"))
        == city.district_admin.display_name
    )
    public_page = client.get(_listing_url(w)).get_data(as_text=True)
    assert "取消参赛资格" in public_page and "经核实材料造假" in public_page
    status_page = client.get(f"/p/objections/{objection.tracking_code}").get_data(as_text=True)
    assert "成立" in status_page and "经核实材料造假" in status_page
    workbook = load_workbook(io.BytesIO(client.get("/admin/public/objections.xlsx").data))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("查询码", "提交时间", "公示") and len(rows) == 2 and rows[1][9] == "成立"
    assert (
        rows[1][7] == "MARK-FILER-李四"
    )  # the deciding level's export carries the filer, as its screen does
    login(city.other_district_admin)
    refused = client.get(f"/admin/public/objections/{objection.id}")
    assert refused.status_code == 403 and "范围" in refused.get_data(as_text=True)


def test_admin_index_counts_pending_objections(client, city, login):
    w = listed(city)
    services.file_objection(w.preliminary, w.entries["central"][0], **FILER)
    db.session.commit()
    login(city.city_admin)
    html = client.get("/admin/public").get_data(as_text=True)
    assert "1 条待处理" in html and "全市" in html


def test_admin_tables_export_to_xlsx(client, city, login):
    """R-XLS-1: the listings and announcements tables of the admin page."""
    w = listed(city)
    services.save_announcement(w.competition, None, by=city.city_admin, title="公示通知", body="正文")
    db.session.commit()
    login(city.school_admin)
    listings = list(load_workbook(io.BytesIO(client.get("/admin/public/listings.xlsx").data)).active.values)
    assert (
        listings[0][:3] == ("阶段", "范围", "开始日期")
        and listings[1][:2] == ("初赛", "全市")
        and listings[1][5] == "公示中"
    )
    items = list(load_workbook(io.BytesIO(client.get("/admin/public/announcements.xlsx").data)).active.values)
    assert items[1][:3] == ("公示通知", "市教育局", "否")


def _statements(client, url) -> int:
    """SQL statements one GET of ``url`` runs, starting from an empty identity map as a real request does."""
    db.session.remove()
    with count_queries() as seen:
        assert client.get(url).status_code == 200, url
    return len(seen)


def test_public_pages_run_a_fixed_handful_of_queries(client, city):
    """No query per row or per lazy relationship: the counts do not grow with the list."""
    w = listed(city)
    objection = services.file_objection(w.preliminary, w.entries["central"][0], **FILER)
    db.session.commit()
    code, stage_id, number = objection.tracking_code, w.preliminary.id, w.entries["central"][1].entrant_number
    # stage + competition, districts, listings, rows, disqualified
    assert _statements(client, f"/p/stages/{stage_id}") <= 5
    # stage + competition, the listed teacher with school, district and subject, listings
    assert _statements(client, f"/p/stages/{stage_id}/objections/{number}") <= 3
    # the objection with its listing, stage, competition, teacher, school, district and subject
    assert _statements(client, f"/p/objections/{code}") == 1


def test_admin_index_offers_edit_only_for_announcements_in_scope(client, city, login):
    """R-ROLE-1: a district admin edits their district's announcements, not the city's or another district's."""
    w = listed(city)
    own = services.save_announcement(
        w.competition, None, by=city.city_admin, title="东山县通知", body="正文", district=city.d1
    )
    city_wide = services.save_announcement(
        w.competition, None, by=city.city_admin, title="全市通知", body="正文"
    )
    db.session.commit()
    own_id, city_id = own.id, city_wide.id
    login(city.district_admin)
    html = client.get("/admin/public").get_data(as_text=True)
    assert (
        f'/admin/public/announcements/{own_id}"' in html
        and f'/admin/public/announcements/{city_id}"' not in html
    )
