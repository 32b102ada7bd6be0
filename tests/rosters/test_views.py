"""Roster screens: scope (R-ROLE-1), inline editing with derived values, import, lock (R-ROS-5), stamped list, CSRF."""

from __future__ import annotations

import io
from datetime import date

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.competitions.models import StageKind
from app.extensions import db
from app.rosters.models import Entry, EntryStatus, StampedList
from tests.querycount import count_queries
from tests.rosters import scanfiles
from tests.rosters.helpers import id_for, teacher, xlsx_file


@pytest.fixture
def comp(city, f):
    competition = f.gen_competition(deadlines={StageKind.PRELIMINARY: date(2099, 12, 2)})
    db.session.commit()
    return competition


def _url(comp, school, suffix=""):
    return f"/rosters/{comp.id}/schools/{school.id}{suffix}"


def test_school_admin_sees_own_and_affiliate_roster_but_not_another_school(client, login, city, comp, f):
    f.gen_entry(comp, city.central, name="王芳")
    f.gen_entry(comp, city.other_school, name="李别校")
    db.session.commit()
    login(city.school_admin)
    page = client.get(_url(comp, city.central))
    assert page.status_code == 200 and "王芳" in page.text and "李别校" not in page.text
    assert client.get(_url(comp, city.affiliate)).status_code == 200
    refused = client.get(_url(comp, city.other_school))
    assert refused.status_code == 403 and "范围" in refused.text
    assert client.get(_url(comp, city.other_school, ".xlsx")).status_code == 403
    other_entry = db.session.scalar(sa.select(Entry).where(Entry.name == "李别校"))
    assert client.post(f"/rosters/entries/{other_entry.id}/edit", data={"name": "改"}).status_code == 403
    assert client.get(f"/rosters/{comp.id}/schools/987654").status_code == 404


def test_village_admin_cannot_read_the_central_school_roster(client, login, city, comp):
    login(city.affiliate_admin)
    assert client.get(_url(comp, city.central)).status_code == 403
    assert client.get(_url(comp, city.affiliate)).status_code == 200


def test_check_id_shows_derived_sex_birth_and_group_as_typed(client, login, city, comp, f):
    """R-ROS-2 / R-GRP-1 in the browser's endpoint: born on the cutoff day is youth."""
    login(city.school_admin)
    subject = f.subject(comp)
    number = id_for(date(1980, 1, 1), "男")
    response = client.post(
        f"/rosters/{comp.id}/check-id",
        data={"id_number": number.lower(), "subject_id": subject.id},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "男" in response.text and "1980-01-01" in response.text and "小学青年组" in response.text
    bad = client.post(
        f"/rosters/{comp.id}/check-id",
        data={"id_number": number[:-1] + ("1" if number[-1] != "1" else "2")},
        headers={"HX-Request": "true"},
    )
    assert "校验码错误" in bad.text


def test_add_row_inline_then_edit_it(client, login, city, comp, f):
    login(city.school_admin)
    subject = f.subject(comp)
    number = id_for(date(1975, 3, 3), "女")
    response = client.post(
        _url(comp, city.central, "/entries"),
        headers={"HX-Request": "true"},
        data={"name": "赵敏", "id_number": number, "subject_id": subject.id},
    )
    assert response.status_code == 200 and "已添加 赵敏" in response.text and "中老年组" in response.text
    assert response.headers["HX-Trigger"] == "roster-changed, roster-counts-changed"
    entry = db.session.scalar(sa.select(Entry).where(Entry.name == "赵敏"))
    assert (
        entry.sex == "女" and entry.birth_date == date(1975, 3, 3) and entry.status == EntryStatus.COMPETING
    )
    form = client.get(f"/rosters/entries/{entry.id}/edit", headers={"HX-Request": "true"})
    assert 'name="id_number"' in form.text and "<tr" in form.text
    saved = client.post(
        f"/rosters/entries/{entry.id}/edit",
        headers={"HX-Request": "true"},
        data={
            "name": "赵敏",
            "id_number": number,
            "subject_id": subject.id,
            "award_name": "2024年东山县教学技能大赛一等奖",
            "award_year": "2024",
        },
    )
    assert saved.status_code == 200 and "不在参赛范围" in saved.text and "2024" in saved.text
    bad = client.post(
        f"/rosters/entries/{entry.id}/edit",
        headers={"HX-Request": "true"},
        data={"name": "赵敏", "id_number": "123", "subject_id": subject.id},
    )
    assert bad.status_code == 422 and "长度应为18位" in bad.text


def test_full_page_edit_works_without_javascript(client, login, city, comp, f):
    entry = f.gen_entry(comp, city.central, name="钱一")
    db.session.commit()
    login(city.school_admin)
    page = client.get(f"/rosters/entries/{entry.id}/edit")
    assert page.status_code == 200 and "<html" in page.text and "修改教师信息" in page.text


def test_duplicate_id_names_the_other_school(client, login, city, comp, f):
    """R-ROS-2: both places named."""
    existing = f.gen_entry(comp, city.other_school, name="孙二")
    db.session.commit()
    login(city.school_admin)
    response = client.post(
        _url(comp, city.central, "/entries"),
        headers={"HX-Request": "true"},
        data={"name": "孙二", "id_number": existing.id_number, "subject_id": f.subject(comp).id},
    )
    assert response.status_code == 422
    assert "松岭镇中心小学" in response.text and f"参赛编号 {existing.entrant_number}" in response.text


def test_import_refusal_lists_problems_and_changes_nothing(client, login, city, comp):
    login(city.school_admin)
    rows = [teacher("甲"), teacher("乙")]
    rows[1][1] = rows[1][1][:-1] + ("0" if rows[1][1][-1] != "0" else "1")
    response = client.post(
        _url(comp, city.central, "/import"),
        content_type="multipart/form-data",
        data={"file": (xlsx_file(rows), "名单.xlsx")},
    )
    assert response.status_code == 422 and "第3行" not in response.text  # rows listed in a table
    assert '<td class="num">3</td>' in response.text and "校验码错误" in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Entry)) == 0


def test_import_good_file_and_export_roundtrip(client, login, city, comp):
    login(city.school_admin)
    rows = [teacher(f"教师{i}") for i in range(5)]
    response = client.post(
        _url(comp, city.central, "/import"),
        content_type="multipart/form-data",
        data={"file": (xlsx_file(rows), "名单.xlsx")},
    )
    assert response.status_code == 200 and "新增 5 人" in response.text
    exported = client.get(_url(comp, city.central, ".xlsx"))
    assert exported.status_code == 200 and exported.mimetype.endswith("spreadsheetml.sheet")
    again = client.post(
        _url(comp, city.central, "/import"),
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(exported.data), "导出.xlsx")},
    )
    assert again.status_code == 200 and "未变 5 人" in again.text
    template = client.get(_url(comp, city.central, "/template.xlsx"))
    assert template.status_code == 200


def test_after_the_deadline_school_is_read_only_and_district_edits_with_reason(client, login, city, f):
    """R-ROS-5 + R-AUD-1: locked for the school; the district's change is audited with before/after and reason."""
    comp = f.gen_competition(deadlines={StageKind.PRELIMINARY: date(2020, 12, 2)})
    entry = f.gen_entry(comp, city.central, name="周三")
    db.session.commit()
    login(city.school_admin)
    page = client.get(_url(comp, city.central))
    assert "学校只能查看" in page.text and "编辑</a>" not in page.text
    refused = client.post(
        f"/rosters/entries/{entry.id}/edit",
        data={"name": "周三改", "id_number": entry.id_number, "subject_id": entry.subject_id},
    )
    assert refused.status_code == 422 and "截止" in refused.text
    login(city.district_admin)
    data = {"name": "周三改", "id_number": entry.id_number, "subject_id": entry.subject_id}
    missing_reason = client.post(f"/rosters/entries/{entry.id}/edit", data=data)
    assert missing_reason.status_code == 422 and "原因" in missing_reason.text
    ok = client.post(f"/rosters/entries/{entry.id}/edit", data=data | {"reason": "学校来函更正姓名"})
    assert ok.status_code == 303
    log = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "roster.update"))
    assert log.reason == "学校来函更正姓名" and log.before["name"] == "周三" and log.after["name"] == "周三改"
    assert "*" in log.before["id_number"]  # private data masked in the log


def test_stamped_upload_is_sniffed_by_content(client, login, city, comp):
    login(city.school_admin)
    fake = client.post(
        _url(comp, city.central, "/stamped"),
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(b"MZ not a pdf"), "名单.pdf")},
        follow_redirects=True,
    )
    assert "只接受 PDF、JPG 或 PNG" in fake.text
    png = scanfiles.png()
    client.post(
        _url(comp, city.central, "/stamped"),
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(png), "scan.pdf")},
    )
    stored = db.session.scalar(sa.select(StampedList))
    assert stored.mimetype == "image/png" and stored.filename == "scan.png"
    download = client.get(_url(comp, city.central, "/stamped"))
    assert download.data == png and download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Disposition"].startswith(
        "attachment;"
    )  # saved, never rendered (issue 12.7)
    login(city.district_admin)
    board = client.get(f"/rosters/{comp.id}/dashboard")
    assert board.status_code == 200 and "按时" in board.text and "未提交" in board.text
    assert client.get(f"/rosters/{comp.id}/dashboard.xlsx").status_code == 200


def test_print_page_lists_the_roster(client, login, city, comp, f):
    f.gen_entry(comp, city.central, name="吴四")
    db.session.commit()
    login(city.school_admin)
    page = client.get(_url(comp, city.central, "/print"))
    assert page.status_code == 200 and "吴四" in page.text and "学校公章" in page.text


def test_csrf_is_required_for_roster_changes(client, login, city, comp, f, csrf_on):
    login(city.school_admin)
    response = client.post(
        _url(comp, city.central, "/entries"),
        data={"name": "x", "id_number": id_for(date(1985, 1, 1)), "subject_id": f.subject(comp).id},
    )
    assert response.status_code == 400 and "CSRF" in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Entry)) == 0


def test_index_sends_a_single_school_admin_to_the_roster(client, login, city, comp):
    login(city.affiliate_admin)
    response = client.get("/rosters")
    assert response.status_code == 302 and response.headers["Location"].endswith(_url(comp, city.affiliate))
    login(city.district_admin)
    assert client.get("/rosters").headers["Location"].endswith(f"/rosters/{comp.id}/dashboard")


def _queries(app, client, url) -> int:
    with count_queries() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_pages_never_run_one_query_per_row(app, client, login, city, comp, f):
    for _ in range(3):
        f.gen_entry(comp, city.central)
    db.session.commit()
    login(city.district_admin)
    urls = [
        _url(comp, city.central),
        f"/rosters/{comp.id}/dashboard",
        f"/rosters/{comp.id}/exemptions",
        _url(comp, city.central, "/print"),
    ]
    few = [_queries(app, client, url) for url in urls]
    for _ in range(30):
        f.gen_entry(comp, city.central)
        f.gen_entry(comp, city.affiliate)
    db.session.commit()
    assert [_queries(app, client, url) for url in urls] == few


def test_exemption_list_shows_the_next_step_for_each_role(client, login, city, comp, f):
    from app.rosters.models import ExemptionReason
    from app.rosters.services import apply_exemption, review_exemption

    waiting_school = f.gen_entry(comp, city.central, name="甲", birth=date(1960, 1, 1))
    waiting_district = f.gen_entry(comp, city.central, name="乙", birth=date(1961, 1, 1))
    apply_exemption(
        city.school_admin,
        waiting_school,
        reason=ExemptionReason.HEALTH,
        detail="病假",
        today=date(2026, 1, 1),
    )
    second = apply_exemption(
        city.school_admin, waiting_district, reason=ExemptionReason.RETIREMENT, today=date(2026, 1, 1)
    )
    review_exemption(city.school_admin, second, approve=True)
    db.session.commit()
    login(city.school_admin)
    page = client.get(f"/rosters/{comp.id}/exemptions").text
    assert page.count("审核通过，报区县") == 1 and "批准免赛" not in page
    login(city.district_admin)
    page = client.get(f"/rosters/{comp.id}/exemptions").text
    assert page.count("批准免赛") == 1 and page.index("乙") < page.index("甲")  # awaiting the district first
    assert client.get(f"/rosters/{comp.id}/exemptions.xlsx").status_code == 200
    login(city.other_district_admin)
    assert "甲" not in client.get(f"/rosters/{comp.id}/exemptions").text
    assert client.post(f"/rosters/exemptions/{second.id}/decide", data={"approve": "1"}).status_code == 403


def test_import_preview_shows_the_differences_and_changes_nothing(client, login, city, comp, f):
    kept = f.gen_entry(comp, city.central, name="留下")
    f.gen_entry(comp, city.central, name="调走")
    db.session.commit()
    login(city.school_admin)
    rows = [["留下", kept.id_number, "小学", "数学", "", "", ""], teacher("新来")]
    preview = client.post(
        _url(comp, city.central, "/import"),
        content_type="multipart/form-data",
        data={"file": (xlsx_file(rows), "名单.xlsx"), "preview": "1"},
    )
    assert preview.status_code == 200 and "名单尚未改动" in preview.text
    assert (
        "新增：</b>新来" in preview.text
        and "修改：</b>留下" in preview.text
        and "文件中没有：</b>调走" in preview.text
    )
    assert sorted(db.session.scalars(sa.select(Entry.name))) == ["留下", "调走"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 0


def test_after_the_deadline_the_editor_does_not_open_for_the_school(client, login, city, f):
    """R-ROS-5: the inline editor is refused to the school after the lock; the district still opens it."""
    comp = f.gen_competition(deadlines={StageKind.PRELIMINARY: date(2020, 12, 2)})
    entry = f.gen_entry(comp, city.central, name="周四")
    db.session.commit()
    login(city.school_admin)
    refused = client.get(f"/rosters/entries/{entry.id}/edit", headers={"HX-Request": "true"})
    assert refused.status_code == 422 and "截止" in refused.text
    login(city.district_admin)
    opened = client.get(f"/rosters/entries/{entry.id}/edit", headers={"HX-Request": "true"})
    assert opened.status_code == 200 and 'name="reason"' in opened.text and "周四" in opened.text
