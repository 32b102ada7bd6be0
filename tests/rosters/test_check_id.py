"""The as-you-type ID check (R-ROS-2, issue 12.7): duplicates named only within the caller's scope, rate-limited."""

from __future__ import annotations

from datetime import date

from app.extensions import db
from tests.rosters.helpers import id_for


def _check(client, comp, number):
    return client.post(
        f"/rosters/{comp.id}/check-id", data={"id_number": number}, headers={"HX-Request": "true"}
    )


def test_r_ros_2_a_school_admin_learns_nothing_about_other_schools_rows(client, login, city, comp, f):
    elsewhere = f.gen_entry(comp, city.other_school, name="松岭教师")
    db.session.commit()
    login(city.school_admin)
    text = _check(client, comp, elsewhere.id_number).text
    assert "松岭" not in text and "参赛编号" not in text
    assert "可以添加" in text
    # the same answer as for a number nobody has
    fresh = _check(client, comp, id_for(date(1981, 2, 3))).text
    assert "可以添加" in fresh and "名单中" not in fresh


def test_r_ros_2_a_row_of_the_callers_own_school_is_named(client, login, city, comp, f):
    mine = f.gen_entry(comp, city.central, name="青石教师")
    db.session.commit()
    login(city.school_admin)
    text = _check(client, comp, mine.id_number).text
    assert f"该身份证号已在本校名单中（参赛编号 {mine.entrant_number}，姓名“青石教师”）" in text
    assert "可以添加" not in text


def test_r_ros_2_a_district_admin_sees_duplicates_in_the_district_only(client, login, city, comp, f):
    seat = f.gen_entry(comp, city.seat, name="县城教师")
    other = f.gen_entry(comp, city.other_school, name="松岭教师")
    db.session.commit()
    login(city.district_admin)
    assert "东山县实验小学" in _check(client, comp, seat.id_number).text
    text = _check(client, comp, other.id_number).text
    assert "松岭" not in text and "可以添加" in text


def test_check_id_lookups_are_rate_limited_per_account(
    app, client, login, city, comp, rate_limits_on, monkeypatch
):
    monkeypatch.setitem(app.config, "CHECK_ID_RATE_LIMIT", "3 per minute")
    login(city.school_admin)
    for _ in range(5):  # a number that is not valid needs no lookup and is not counted
        assert _check(client, comp, "12345").status_code == 200
    number = id_for(date(1982, 2, 3))
    assert [_check(client, comp, number).status_code for _ in range(4)] == [200, 200, 200, 429]
    login(city.district_admin)  # another account has its own allowance
    assert _check(client, comp, number).status_code == 200
