"""R-ROS-2, R-ROS-6: one roster-row cleaner — the web form and the xlsx import say the same thing
about the same bad value."""

from __future__ import annotations

from datetime import date

import pytest

from app.competitions.models import Level
from app.errors import DomainError
from app.extensions import db
from app.rosters import importer, services
from app.web.xlsx import ImportRejected
from tests.rosters.helpers import id_for, xlsx_file

TODAY = date(2026, 11, 1)  # before the preliminary deadline of the rosters' competition


def _bad_id_check_digit() -> str:
    good = id_for(date(1985, 6, 1))
    return good[:-1] + ("0" if good[-1] != "0" else "1")


def _form_message(city, comp, school, **values) -> str:
    fields = {
        "name": "张老师",
        "id_number": id_for(date(1985, 6, 1)),
        "subject": "语文",
        "level": Level.PRIMARY,
    }
    fields.update(values)
    subject = next(
        (s for s in comp.subjects if s.name == fields["subject"] and s.level == fields["level"]), None
    )
    with pytest.raises(DomainError) as caught:
        services.save_entry(
            city.school_admin,
            comp,
            school,
            None,
            name=fields["name"],
            id_number=fields["id_number"],
            subject_id=subject.id if subject else None,
            phone=fields.get("phone"),
            award_name=fields.get("award_name"),
            award_year=fields.get("award_year"),
            today=TODAY,
        )
    db.session.rollback()
    return caught.value.message


def _import_message(city, comp, school, **values) -> tuple[str, str]:
    fields = {
        "name": "张老师",
        "id_number": id_for(date(1985, 6, 1)),
        "subject": "语文",
        "level": Level.PRIMARY,
    }
    fields.update(values)
    row = [
        fields["name"],
        fields["id_number"],
        fields["level"].label,
        fields["subject"] if fields["subject"] else "",
        fields.get("phone") or "",
        fields.get("award_name") or "",
        fields.get("award_year") or "",
    ]
    with pytest.raises(ImportRejected) as caught:
        importer.import_roster(city.school_admin, comp, school, xlsx_file([row]), today=TODAY)
    db.session.rollback()
    (problem,) = caught.value.problems
    return problem.column, problem.reason


@pytest.mark.parametrize(
    ("case", "values", "column"),
    [
        ("bad check digit", {"id_number": "BAD_CHECK"}, "身份证号"),
        ("empty ID", {"id_number": ""}, "身份证号"),
        ("empty name", {"name": ""}, "姓名"),
        ("no subject", {"subject": ""}, "学科"),
        ("junior subject at a primary school", {"subject": "物理", "level": Level.JUNIOR}, "学段"),
        ("bad phone", {"phone": "12345"}, "手机号码"),
        ("award without year", {"award_name": "2024年县级一等奖"}, "获奖年份"),
        ("award year in the future", {"award_name": "县级一等奖", "award_year": "2030"}, "获奖年份"),
    ],
)
def test_r_ros_2_form_and_import_report_the_same_message(city, comp, case, values, column):
    if values.get("id_number") == "BAD_CHECK":
        values = {**values, "id_number": _bad_id_check_digit()}
    form = _form_message(city, comp, city.central, **values)
    imported_column, imported = _import_message(city, comp, city.central, **values)
    assert form == imported, case
    assert imported_column == column


def test_r_ros_2_a_duplicate_id_names_the_other_place_in_form_and_import_alike(city, comp, f):
    elsewhere = f.gen_entry(comp, city.other_school, name="李老师")
    db.session.commit()
    form = _form_message(city, comp, city.central, id_number=elsewhere.id_number)
    column, imported = _import_message(city, comp, city.central, id_number=elsewhere.id_number)
    assert form == imported and column == "身份证号"
    assert "松岭镇中心小学" in form and f"参赛编号 {elsewhere.entrant_number}" in form and "李老师" in form


def test_r_ros_2_the_web_form_shows_the_cleaners_message(client, login, city, f):
    from app.competitions.models import StageKind

    comp = f.gen_competition(name="开放中的赛事", deadlines={StageKind.PRELIMINARY: date(2099, 12, 2)})
    db.session.commit()
    login(city.school_admin)
    bad = _bad_id_check_digit()
    response = client.post(
        f"/rosters/{comp.id}/schools/{city.central.id}/entries",
        data={
            "name": "张老师",
            "id_number": bad,
            "subject_id": next(s.id for s in comp.subjects if s.name == "语文"),
        },
    )
    expected = _form_message(city, comp, city.central, id_number=bad)
    assert response.status_code == 422 and expected in response.text
