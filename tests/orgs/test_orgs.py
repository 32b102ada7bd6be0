"""R-ORG-1/2 and the scope half of R-ROLE-1 for schools; the all-or-nothing school import."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from app.audit.models import AuditEntry
from app.errors import DomainError, NotAllowed
from app.extensions import db
from app.orgs import services
from app.orgs.models import School


def test_unit_is_the_central_school_for_an_affiliate_and_the_school_itself_otherwise(city):
    """R-ORG-2."""
    assert city.affiliate.unit is city.central
    assert city.central.unit is city.central
    assert city.township.unit is city.township
    assert city.affiliate.unit_id == city.central.id


@pytest.mark.parametrize(
    "who, school, allowed",
    [
        ("city_admin", "other_school", True),
        ("district_admin", "seat", True),
        ("district_admin", "other_school", False),
        ("school_admin", "central", True),
        ("school_admin", "affiliate", True),  # a central school's admin covers its affiliates
        ("school_admin", "township", False),
        ("affiliate_admin", "central", False),  # but not the other way round
        ("judge", "township", False),
    ],
)
def test_school_scope(city, who, school, allowed):
    """R-ROLE-1 worked examples of scope."""
    assert getattr(city, who).can_manage_school(getattr(city, school)) is allowed
    visible = set(db.session.scalars(sa.select(School.id).where(getattr(city, who).school_scope_clause())))
    assert (getattr(city, school).id in visible) is allowed


def test_school_list_shows_only_schools_in_scope(client, city, login):
    login(city.school_admin)
    html = client.get("/admin/schools").get_data(as_text=True)
    assert "青石镇中心小学" in html and "青石镇前村小学" in html
    assert "青石镇中学" not in html and "松岭镇中心小学" not in html


def test_out_of_scope_school_id_is_refused_and_nothing_changes(client, city, login):
    login(city.district_admin)
    url = f"/admin/schools/{city.other_school.id}"
    assert client.get(url).status_code == 403
    response = client.post(
        url, data={"code": "D02-C01", "name": "改名", "district_id": city.d2.id, "level": "primary"}
    )
    assert response.status_code == 403
    assert "不在您的管理范围" in response.get_data(as_text=True)
    assert db.session.get(School, city.other_school.id).name == "松岭镇中心小学"


def test_unknown_school_id_is_404(client, city, login):
    login(city.city_admin)
    assert client.get("/admin/schools/999999").status_code == 404


def test_affiliation_rules_are_checked(city):
    with pytest.raises(DomainError, match="不是中心校"):
        services.save_school(
            city.city_admin,
            None,
            code="X1",
            name="甲村小学",
            district_id=city.d1.id,
            level=city.central.level,
            is_central=False,
            is_township_junior=False,
            is_seat=False,
            central_school_id=city.township.id,
        )
    db.session.rollback()
    with pytest.raises(DomainError, match="同一区县"):
        services.save_school(
            city.city_admin,
            None,
            code="X2",
            name="乙村小学",
            district_id=city.d2.id,
            level=city.central.level,
            is_central=False,
            is_township_junior=False,
            is_seat=False,
            central_school_id=city.central.id,
        )


def test_district_admin_cannot_create_a_school_in_another_district(city):
    with pytest.raises(NotAllowed):
        services.save_school(
            city.district_admin,
            None,
            code="X3",
            name="丙小学",
            district_id=city.d2.id,
            level=city.central.level,
            is_central=False,
            is_township_junior=False,
            is_seat=False,
        )


def test_saving_a_school_is_audited(client, city, login):
    login(city.district_admin)
    response = client.post(
        f"/admin/schools/{city.seat.id}",
        data={
            "code": "D01-S01",
            "name": "东山县实验小学（新址）",
            "district_id": city.d1.id,
            "level": "primary",
            "is_seat": "y",
        },
    )
    assert response.status_code == 303
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "school.save")).one()
    assert entry.before["name"] == "东山县实验小学" and entry.after["name"] == "东山县实验小学（新址）"
    assert entry.actor_name == city.district_admin.display_name


def _xlsx(rows, headers=services.SCHOOL_HEADERS) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


def test_school_import_reports_every_bad_row_and_saves_nothing(client, city, login):
    login(city.city_admin)
    data = _xlsx(
        [
            ["D01-C02", "桃源镇中心小学", "东山县", "小学", "是", "否", "否", ""],
            ["D01-C02V1", "桃源镇后村小学", "东山县", "小学", "否", "否", "否", "D01-C02"],
            ["", "无代码小学", "东山县", "小学", "否", "否", "否", ""],
            ["D01-X1", "错区县小学", "北海县", "大学", "也许", "否", "否", ""],
            ["D01-X2", "挂错中心校", "东山县", "小学", "否", "否", "否", "D01-T01"],
        ]
    )
    response = client.post(
        "/admin/schools/import", data={"file": (data, "学校.xlsx")}, content_type="multipart/form-data"
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert '<td class="num">4</td><td>学校代码</td>' in html
    for expected in ("未导入任何数据", "学校代码", "北海县", "学段", "中心校", "“D01-T01”不是中心校"):
        assert expected in html
    assert db.session.scalar(sa.select(School).where(School.code == "D01-C02")) is None


def test_school_import_creates_centrals_and_affiliates_from_one_file(client, city, login):
    login(city.city_admin)
    data = _xlsx(
        [
            ["D01-C02V1", "桃源镇后村小学", "东山县", "小学", "否", "否", "否", "D01-C02"],
            ["D01-C02", "桃源镇中心小学", "东山县", "小学", "是", "否", "否", ""],
        ]
    )
    response = client.post(
        "/admin/schools/import", data={"file": (data, "学校.xlsx")}, content_type="multipart/form-data"
    )
    assert response.status_code == 303
    village = db.session.scalar(sa.select(School).where(School.code == "D01-C02V1"))
    assert village.central_school.code == "D01-C02" and village.unit.name == "桃源镇中心小学"


@pytest.mark.parametrize(
    "payload, message",
    [
        (b"", "空的"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "旧版 Excel"),
        ("学校代码,学校名称\n1,2\n".encode(), "不是 xlsx"),
    ],
)
def test_school_import_refuses_files_that_are_not_xlsx(client, city, login, payload, message):
    login(city.city_admin)
    response = client.post(
        "/admin/schools/import",
        data={"file": (io.BytesIO(payload), "x.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and message in response.get_data(as_text=True)


def test_school_import_refuses_renamed_headers(client, city, login):
    login(city.city_admin)
    data = _xlsx([["D01-Z", "某小学", "东山县", "小学"]], headers=["代码", "学校名称", "所属区县", "学段"])
    response = client.post(
        "/admin/schools/import", data={"file": (data, "x.xlsx")}, content_type="multipart/form-data"
    )
    assert response.status_code == 422 and "缺少「学校代码」" in response.get_data(as_text=True)


def test_schools_export_is_xlsx_with_chinese_headers(client, city, login):
    from openpyxl import load_workbook

    login(city.district_admin)
    response = client.get("/admin/schools.xlsx")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.data)).active
    assert [c.value for c in ws[1]] == services.SCHOOL_HEADERS
    codes = {row[0] for row in ws.iter_rows(min_row=2, values_only=True)}
    assert codes == {"D01-C01", "D01-C01V1", "D01-T01", "D01-S01"}
