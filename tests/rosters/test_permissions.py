"""R-ROS-4 and R-ROS-5 permission decisions: the school reviews, the district approves, on the server."""

from __future__ import annotations

from datetime import date

import pytest

from app.extensions import db
from app.rosters import permissions
from app.rosters.models import EntryStatus, ExemptionApplication, ExemptionReason, ExemptionState
from app.rosters.services import apply_exemption, review_exemption


@pytest.fixture
def application(city, comp, f):
    entry = f.gen_entry(comp, city.affiliate, name="王老师", birth=date(1960, 1, 1), sex="男")
    app_ = apply_exemption(
        city.school_admin, entry, reason=ExemptionReason.RETIREMENT, today=date(2026, 1, 1)
    )
    db.session.commit()
    return app_


def _state(application_id):
    db.session.expire_all()
    return db.session.get(ExemptionApplication, application_id).state


@pytest.mark.parametrize("who", ["district_admin", "city_admin", "other_district_admin"])
def test_r_ros_4_a_district_or_city_admin_cannot_post_the_schools_review_step(
    client, login, city, application, who
):
    """The gap: the district admin POSTed the school's review and skipped the school."""
    login(getattr(city, who))
    response = client.post(f"/rosters/exemptions/{application.id}/review", data={"approve": "1"})
    assert response.status_code == 403
    assert _state(application.id) == ExemptionState.SUBMITTED
    # ...and so cannot chain straight into the decision either.
    response = client.post(f"/rosters/exemptions/{application.id}/decide", data={"approve": "1"})
    assert response.status_code in (403, 303)
    assert _state(application.id) == ExemptionState.SUBMITTED
    assert application.entry.status == EntryStatus.COMPETING


def test_r_ros_4_the_service_refuses_the_district_reviewing_for_the_school(city, application):
    from app.errors import NotAllowed

    with pytest.raises(NotAllowed):
        review_exemption(city.district_admin, application, approve=True)


def test_r_ros_4_the_school_reviews_then_the_district_decides(client, login, city, application):
    login(city.school_admin)  # the central school's admin reviews its affiliate's teacher
    assert (
        client.post(f"/rosters/exemptions/{application.id}/review", data={"approve": "1"}).status_code == 303
    )
    assert _state(application.id) == ExemptionState.SCHOOL_APPROVED
    login(city.school_admin)
    assert (
        client.post(f"/rosters/exemptions/{application.id}/decide", data={"approve": "1"}).status_code == 403
    )
    login(city.district_admin)
    assert (
        client.post(f"/rosters/exemptions/{application.id}/decide", data={"approve": "1"}).status_code == 303
    )
    assert _state(application.id) == ExemptionState.APPROVED


def test_r_ros_4_can_review_and_can_decide_follow_role_scope_and_state(city, application):
    assert permissions.can_review(city.school_admin, application)
    assert permissions.can_review(city.affiliate_admin, application)
    assert not permissions.can_review(city.district_admin, application)
    assert not permissions.can_review(city.city_admin, application)
    assert not permissions.can_decide(city.district_admin, application)  # the school has not reviewed
    review_exemption(city.school_admin, application, approve=True)
    assert not permissions.can_review(city.school_admin, application)
    assert permissions.can_decide(city.district_admin, application)
    assert permissions.can_decide(city.city_admin, application)
    assert not permissions.can_decide(city.other_district_admin, application)
    assert not permissions.can_decide(city.school_admin, application)
