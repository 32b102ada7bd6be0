"""`flask demo load`: the demo city a new user meets after `make run`, and every domain's demo data with it."""

from __future__ import annotations

import sqlalchemy as sa

from app.auth.models import User
from app.extensions import db
from app.orgs.models import District, School
from app.roles import Role
from app.rosters.idcard import parse_id_number
from app.rosters.models import Entry, EntryStatus


def test_demo_city_loads_once_with_valid_ids_and_one_login_per_role(app, client):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    for username in ("city", "district", "school", "judge"):
        assert username in result.output
    assert "demo2026" in result.output

    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(District)) == 4
        schools = db.session.scalars(sa.select(School)).all()
        assert 55 <= len(schools) <= 65
        assert any(s.is_central for s in schools) and any(s.is_seat for s in schools)
        assert any(s.central_school_id for s in schools) and any(s.is_township_junior for s in schools)
        entries = db.session.scalars(sa.select(Entry)).all()
        assert 1900 <= len(entries) <= 2100
        for entry in entries:  # R-ROS-2: every demo ID number is valid and agrees with the row
            info = parse_id_number(entry.id_number)
            assert (info.birth_date, info.sex) == (entry.birth_date, entry.sex)
        assert len({e.id_number for e in entries}) == len(entries)
        seat_ids = {s.id for s in schools if s.is_seat}
        assert all(e.status == EntryStatus.EXCLUDED for e in entries if e.school_id in seat_ids)  # R-ROS-3
        roles = {u.role for u in db.session.scalars(sa.select(User))}
        assert roles >= set(Role)

    again = runner.invoke(args=["demo", "load", "--if-empty"])
    assert again.exit_code == 0 and "跳过" in again.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(District)) == 4

    refused = runner.invoke(args=["demo", "load"])
    assert refused.exit_code != 0 and "已有数据" in refused.output

    response = client.post("/login", data={"username": "city", "password": "demo2026"})
    assert response.status_code == 303
    assert client.get("/dashboard").status_code == 200
