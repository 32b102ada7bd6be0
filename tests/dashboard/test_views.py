"""The landing page lists what waits on each admin: exemption steps (R-ROS-4) and objections (R-PUB-2)."""

from __future__ import annotations

from app.extensions import db
from app.public import services as public_services
from app.rosters import services as roster_services
from app.rosters.models import ExemptionApplication, ExemptionReason
from tests.public.helpers import listed


def _todo(client) -> str:
    html = client.get("/dashboard").get_data(as_text=True)
    return html[html.index('class="card todo"') : html.index("</section>", html.index('class="card todo"'))]


def test_exemptions_show_for_whoever_must_act_next(client, city, login):
    w = listed(city, open_listing=False)
    teacher = w.entries["central"][0]
    roster_services.apply_exemption(
        city.school_admin, teacher, reason=ExemptionReason.HEALTH, detail="术后休养"
    )
    db.session.commit()
    login(city.school_admin)
    assert "1 份免赛申请待学校审核" in _todo(client)
    login(city.district_admin)
    assert "免赛申请" not in _todo(client)  # not the district's turn yet

    application = db.session.scalar(db.select(ExemptionApplication))
    roster_services.review_exemption(city.school_admin, application, approve=True)
    db.session.commit()
    assert "1 份免赛申请待区县审批" in _todo(client)
    login(city.other_district_admin)
    assert "免赛申请" not in _todo(client)  # another district's teacher
    login(city.school_admin)
    assert "免赛申请" not in _todo(client)


def test_a_pending_objection_shows_for_admins_in_scope_only(client, city, login):
    w = listed(city)
    public_services.file_objection(
        w.preliminary,
        w.entries["central"][1],
        reason="此人并非本校在编教师",
        filer_name="王某",
        filer_phone="13800001111",
    )
    db.session.commit()
    for admin in (city.district_admin, city.city_admin, city.school_admin):
        login(admin)
        assert "1 件异议待处理" in _todo(client), admin
    login(city.other_district_admin)
    assert "异议" not in _todo(client)
    assert "暂无需要您处理的事项" in _todo(client)
