"""R-ROS-6 all-or-nothing imports, and the 300-row scenario of issue 3's "Done means"."""

from __future__ import annotations

import io
from datetime import date

import pytest
import sqlalchemy as sa

from app.competitions.models import Group
from app.extensions import db
from app.rosters import importer
from app.rosters.idcard import make_id_number
from app.rosters.importer import HEADERS
from app.rosters.models import Entry, EntryStatus, ExemptionApplication, ExemptionState
from app.web.xlsx import ImportRejected
from tests.rosters.helpers import id_for, teacher, xlsx_file

TODAY = date(2026, 11, 1)


def _import(city, comp, school, stream, **kw):
    return importer.import_roster(kw.pop("actor", city.school_admin), comp, school, stream, today=TODAY, **kw)


def _rejected(city, comp, school, stream, *, expected_count: int = 0, **kw) -> ImportRejected:
    with pytest.raises(ImportRejected) as error:
        _import(city, comp, school, stream, **kw)
    assert _count() == expected_count
    return error.value


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Entry))


def test_wrong_file_type_empty_file_and_old_xls(city, comp):
    assert (
        "不是 xlsx"
        in _rejected(city, comp, city.central, io.BytesIO("姓名,身份证号\n张三,1".encode())).message
    )
    assert "空的" in _rejected(city, comp, city.central, io.BytesIO(b"")).message
    assert (
        ".xls"
        in _rejected(
            city, comp, city.central, io.BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64)
        ).message
    )


def test_header_only_missing_and_renamed_headers(city, comp):
    assert "没有数据行" in _rejected(city, comp, city.central, xlsx_file([])).message
    renamed = ["姓名", "身份证号码", "学段", "学科"]
    error = _rejected(
        city, comp, city.central, xlsx_file([["张三", id_for(date(1985, 1, 1)), "小学", "语文"]], renamed)
    )
    assert "缺少「身份证号」" in error.message


def test_merged_cells_are_refused(city, comp):
    rows = [teacher("甲"), teacher("乙")]
    assert "合并单元格" in _rejected(city, comp, city.central, xlsx_file(rows, merge="D2:D3")).message


def test_too_many_rows_gets_a_clear_answer(city, comp, monkeypatch):
    monkeypatch.setattr(importer, "MAX_ROWS", 3)
    error = _rejected(city, comp, city.central, xlsx_file([teacher(f"t{i}") for i in range(5)]))
    assert "一次最多导入 3 行" in error.message


def test_id_numbers_stored_as_numbers_are_detected_and_explained(city, comp):
    good = id_for(date(1985, 6, 1))
    rows = [
        ["甲", float(good[:17] + "1"), "小学", "语文", "", "", ""],  # a float cell: 3.7e17
        ["乙", "3.70921198506011E+17", "小学", "语文", "", "", ""],  # the text Excel shows
        ["丙", int(good[:15] + "000"), "小学", "语文", "", "", ""],
    ]  # digits lost to zeros
    error = _rejected(city, comp, city.central, xlsx_file(rows, numeric_ids=True))
    reasons = {p.row: p.reason for p in error.problems}
    assert "存成了数字" in reasons[2] and "科学计数法" in reasons[3] and "Excel" in reasons[4]


def test_duplicate_in_the_file_and_across_the_competition_name_both_places(city, comp, f):
    elsewhere = f.gen_entry(comp, city.other_school, name="别校教师")
    db.session.commit()
    twin = teacher("甲")
    rows = [
        twin,
        teacher("乙"),
        [*twin[:1], twin[1], *twin[2:]],
        ["丁", elsewhere.id_number, "小学", "语文", "", "", ""],
    ]
    error = _rejected(city, comp, city.central, xlsx_file(rows), expected_count=1)
    reasons = {p.row: p.reason for p in error.problems}
    assert reasons[4] == "与本文件第2行重复（同一身份证号）"
    assert "松岭镇中心小学" in reasons[5] and f"参赛编号 {elsewhere.entrant_number}" in reasons[5]


def test_every_problem_is_listed_with_row_column_and_reason(city, comp):
    rows = [
        ["", id_for(date(1985, 1, 1)), "小学", "语文", "", "", ""],
        ["乙", id_for(date(1985, 1, 2)), "高中", "语文", "", "", ""],
        ["丙", id_for(date(1985, 1, 3)), "小学", "书法", "", "", ""],
        ["丁", id_for(date(1985, 1, 4)), "小学", "语文", "12345", "", ""],
        ["戊", id_for(date(1985, 1, 5)), "小学", "语文", "", "某奖", ""],
        ["己", id_for(date(1985, 1, 6)), "初中", "物理", "", "", ""],
    ]
    problems = [(p.row, p.column) for p in _rejected(city, comp, city.central, xlsx_file(rows)).problems]
    assert problems == [(2, "姓名"), (3, "学段"), (4, "学科"), (5, "手机号码"), (6, "获奖年份"), (7, "学段")]


def test_partial_file_does_not_silently_shorten_the_roster(city, comp):
    rows = [teacher(f"教师{i}") for i in range(4)]
    _import(city, comp, city.central, xlsx_file(rows))
    error = _rejected(city, comp, city.central, xlsx_file(rows[:3]), expected_count=4)
    assert "教师3" in error.message and "删除文件中没有的教师" in error.message
    result = _import(city, comp, city.central, xlsx_file(rows[:3]), remove_missing=True)
    assert result.removed == ["教师3"] and result.unchanged == 3 and _count() == 3


def test_lock_applies_to_imports(city, comp):
    with pytest.raises(Exception, match="截止"):
        importer.import_roster(
            city.school_admin, comp, city.central, xlsx_file([teacher("甲")]), today=date(2026, 12, 3)
        )


def _scenario_rows(count: int = 300):
    """300 teachers of 青石镇中心小学: men and women of every age, primary subjects."""
    subjects = ["语文", "数学", "英语", "科学", "音乐", "美术"]
    rows = []
    for i in range(count):
        birth = date(1966 + i % 35, 1 + i % 12, 1 + i % 28)
        number = make_id_number("370921", birth, (i * 2 + (i % 2)) % 1000)
        rows.append([f"教师{i:03d}", number, "小学", subjects[i % len(subjects)], f"139{i:08d}", "", ""])
    return rows


def test_done_means_300_rows_every_problem_at_once_then_fixed(city, comp, f, client, login):
    """Issue 3: wrong check digit, a duplicate, a retiree, a seat-school teacher and an award winner."""
    seat_teacher = f.gen_entry(
        comp, city.seat, name="县城实验小学教师"
    )  # already on the seat school's roster
    db.session.commit()
    rows = _scenario_rows()
    good_10 = rows[10][1]
    rows[10][1] = good_10[:-1] + ("0" if good_10[-1] != "0" else "1")  # wrong check digit (row 12)
    rows[50][1] = rows[49][1]  # duplicate of row 51 (row 52)
    retiree_birth = date(1965, 8, 31)
    rows[100][1] = make_id_number("370921", retiree_birth, 11)  # a man near retirement (row 102)
    rows[150][1] = seat_teacher.id_number  # a seat-school teacher (row 152)
    rows[200][5:7] = ["2024年东山县中小学教师教学技能大赛一等奖", 2024]  # an award winner (row 202)

    error = _rejected(city, comp, city.central, xlsx_file(rows), expected_count=1)
    by_row = {p.row: p for p in error.problems}
    assert sorted(by_row) == [12, 52, 152]
    assert "校验码错误" in by_row[12].reason
    assert by_row[52].reason == "与本文件第51行重复（同一身份证号）"
    assert "东山县实验小学" in by_row[152].reason
    assert "3 行共 3 处问题" in error.message

    rows[10][1] = good_10
    rows[50][1] = make_id_number("370921", date(1977, 3, 3), 998)
    rows[150][1] = make_id_number("370921", date(1988, 8, 8), 996)
    result = _import(city, comp, city.central, xlsx_file(rows))
    db.session.commit()
    assert len(result.added) == 300
    entries = {
        e.name: e for e in db.session.scalars(sa.select(Entry).where(Entry.school_id == city.central.id))
    }
    assert (
        entries["教师200"].status == EntryStatus.EXCLUDED and "（2024年）" in entries["教师200"].status_reason
    )
    assert entries["教师100"].status == EntryStatus.COMPETING and entries["教师100"].group == Group.SENIOR
    born_1980 = [e for e in entries.values() if e.birth_date.year == 1980]
    assert born_1980 and all(e.group == Group.PRIMARY_YOUTH for e in born_1980)
    assert all(e.group == Group.SENIOR for e in entries.values() if e.birth_date < date(1980, 1, 1))
    assert len({e.entrant_number for e in entries.values()}) == 300

    # the retiree applies; the school reviews; the district approves → the dashboards change
    login(city.school_admin)
    retiree = entries["教师100"]
    assert (
        client.post(f"/rosters/entries/{retiree.id}/exemption", data={"reason": "retirement"}).status_code
        == 303
    )
    application = db.session.scalar(sa.select(ExemptionApplication))
    board = client.get(f"/rosters/{comp.id}/dashboard").text
    assert ">299<" in board  # still competing until approved (300 − 1 award winner)
    assert (
        client.post(f"/rosters/exemptions/{application.id}/review", data={"approve": "1"}).status_code == 303
    )
    login(city.district_admin)
    assert (
        client.post(f"/rosters/exemptions/{application.id}/decide", data={"approve": "1"}).status_code == 303
    )
    assert db.session.get(ExemptionApplication, application.id).state == ExemptionState.APPROVED
    board = client.get(f"/rosters/{comp.id}/dashboard").text
    assert ">298<" in board and "99.67%" in board  # 298 / (300 − 1) = 0.99665… → 99.67 %
    login(city.city_admin)
    assert ">298<" in client.get(f"/rosters/{comp.id}/dashboard").text


def test_reimport_keeps_entrant_numbers_and_an_approved_exemption(city, comp, f):
    rows = [teacher("甲", date(1965, 1, 1), "男"), teacher("乙")]
    _import(city, comp, city.central, xlsx_file(rows))
    first = db.session.scalar(sa.select(Entry).where(Entry.name == "甲"))
    number = first.entrant_number
    first.status = EntryStatus.EXEMPT
    db.session.flush()
    version = first.version
    rows[0][3] = "数学"
    result = _import(city, comp, city.central, xlsx_file(rows))
    assert result.changed == ["甲"] and result.unchanged == 1
    again = db.session.scalar(sa.select(Entry).where(Entry.name == "甲"))
    assert (
        again.entrant_number == number and again.status == EntryStatus.EXEMPT and again.subject.name == "数学"
    )
    assert again.version == version + 1


def test_subject_column_may_carry_the_level_and_nine_year_schools_must_say(city, comp, f):
    nine = f.gen_school(
        city.d1, level=__import__("app.orgs.models", fromlist=["SchoolLevel"]).SchoolLevel.NINE_YEAR
    )
    db.session.commit()
    result = _import(
        city,
        comp,
        nine,
        xlsx_file([["甲", id_for(date(1990, 1, 1)), "", "初中物理", "", "", ""]]),
        actor=city.district_admin,
    )
    assert result.added == ["甲"]
    error = _rejected(
        city,
        comp,
        nine,
        xlsx_file([["乙", id_for(date(1990, 1, 2)), "", "语文", "", "", ""]]),
        actor=city.district_admin,
        expected_count=1,
    )
    assert "九年一贯制学校须填写学段" in error.problems[0].reason


def test_template_is_importable_after_removing_examples(city, comp):
    from openpyxl import load_workbook

    from app.web.xlsx import xlsx_bytes

    data = xlsx_bytes("教师名单", HEADERS, importer.template_rows(comp, city.central))
    ws = load_workbook(io.BytesIO(data)).active
    assert [c.value for c in ws[1]] == HEADERS
    result = _import(city, comp, city.central, io.BytesIO(data))
    assert len(result.added) == 2  # the examples are valid rows (the names tell the user to delete them)


def test_r_ros_3_a_seat_schools_import_is_listed_but_excluded(city, comp):
    _import(
        city, comp, city.seat, xlsx_file([teacher("城区甲"), teacher("城区乙")]), actor=city.district_admin
    )
    entries = db.session.scalars(sa.select(Entry).where(Entry.school_id == city.seat.id)).all()
    assert len(entries) == 2
    assert {(e.status, e.status_reason) for e in entries} == {(EntryStatus.EXCLUDED, "区政府所在地学校教师")}
