"""Hostile files through the three imports (issue 12.1, R-ROS-6): a 4xx with a Chinese message where the
user acted, nothing changed, and the server answers the next request."""

from __future__ import annotations

import io
from datetime import date

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.competitions.models import StageKind
from app.extensions import db
from app.orgs.models import School
from app.rosters.models import Entry
from tests.web import hostile

PLAIN = f"<sheetData>{hostile.HEADER_ROW}</sheetData>"
FILES = {
    "dimension-bomb": (lambda: hostile.dimension_bomb(), "用到了第 1048576 行"),
    "deflate-bomb": (lambda: hostile.deflate_bomb(2000), "解压后约 2000 MB"),
    "thousands-of-sheets": (lambda: hostile.workbook(PLAIN, sheets=3000), "文件包含 3000 个工作表"),
    "not-a-zip": (lambda: b"<html><body>not a workbook</body></html>", "文件不是 xlsx 格式"),
}


@pytest.fixture
def open_comp(f, city):
    competition = f.gen_competition(deadlines={StageKind.PRELIMINARY: date(2099, 12, 31)})
    db.session.commit()
    return competition


def _state() -> tuple[int, int, int]:
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Entry, School, AuditEntry)
    )


def _targets(city, comp):
    base = f"/rosters/{comp.id}/schools/{city.central.id}/import"
    return {
        "roster-import": (city.school_admin, base, {}),
        "roster-preview": (city.school_admin, base, {"preview": "1"}),
        "school-import": (city.city_admin, "/admin/schools/import", {}),
    }


@pytest.mark.parametrize("kind", FILES)
@pytest.mark.parametrize("target", ["roster-import", "roster-preview", "school-import"])
def test_r_ros_6_hostile_file_gets_a_chinese_422_and_changes_nothing(
    client, login, city, open_comp, f, target, kind
):
    f.gen_entry(open_comp, city.central, name="已有教师")
    db.session.commit()
    user, url, extra = _targets(city, open_comp)[target]
    build, message = FILES[kind]
    before = _state()
    login(user)
    response = client.post(
        url, data={"file": (io.BytesIO(build()), "名单.xlsx"), **extra}, content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _state() == before
    assert client.get(f"/rosters/{open_comp.id}/schools/{city.central.id}").status_code == 200


def test_a_60_mb_upload_gets_a_chinese_413_page_and_the_server_answers_the_next_request(
    client, login, city, open_comp
):
    login(city.school_admin)
    before = _state()
    response = client.post(
        f"/rosters/{open_comp.id}/schools/{city.central.id}/import",
        data={"file": (io.BytesIO(b"\0" * (60 * 1024 * 1024)), "名单.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "上传的文件过大" in response.get_data(as_text=True)
    assert _state() == before
    assert client.get(f"/rosters/{open_comp.id}/schools/{city.central.id}").status_code == 200
