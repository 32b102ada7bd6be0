"""R-PUB-2 services: listing periods, objections, resolution, disqualification; R-PUB-1 masking."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from app.audit.models import AuditEntry
from app.errors import DomainError, NotAllowed
from app.extensions import db
from app.public import services
from app.public.models import Objection, ObjectionStatus
from app.rosters.idcard import mask_id_number
from app.rosters.models import Entry
from app.rosters.queries import competitors_stmt
from tests.public.helpers import listed


def _file(w, entry=None, **kwargs):
    values = {
        "reason": "该教师的获奖证书系伪造。",
        "filer_name": "MARK-FILER-张三",
        "filer_phone": "13812345678",
    }
    values.update(kwargs)
    return services.file_objection(w.preliminary, entry or w.entries["central"][0], **values)


def test_mask_id_number_keeps_first_and_last_four():
    """R-PUB-1 worked example: 3206**********123X."""
    assert mask_id_number("32062119850601123X") == "3206**********123X"
    assert mask_id_number("") == ""
    assert mask_id_number("1234") == "****"


@given(st.text(alphabet=services.TRACKING_ALPHABET, min_size=10, max_size=10))
def test_a_tracking_code_survives_the_ways_people_type_it(code):
    shown = f"{code[:5]}-{code[5:]}"
    for typed in (code, shown, shown.lower(), f"  {code[:3]} {code[3:]} "):
        assert services.normalise_tracking_code(typed) == code


def test_tracking_codes_are_short_unambiguous_and_distinct():
    codes = {services.new_tracking_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(c) == 10 and not set(c) & set("01ILOU") for c in codes)
    assert services.normalise_tracking_code(" abcde-fghjk ") == "ABCDEFGHJK"


def test_open_listing_defaults_to_the_competition_days_from_beijing_midnight(city):
    w = listed(city, open_listing=False, listing_days=7)
    listing = services.open_listing(w.preliminary, by=city.city_admin, start=date(2026, 12, 3))
    # 2026-12-03 00:00 Beijing = 2026-12-02 16:00 UTC; seven days later it closes.
    assert listing.opens_at == datetime(2026, 12, 2, 16, 0)
    assert listing.closes_at == datetime(2026, 12, 9, 16, 0)
    assert (listing.first_day, listing.last_day) == (date(2026, 12, 3), date(2026, 12, 9))
    assert listing.is_open(datetime(2026, 12, 9, 15, 59)) and not listing.is_open(
        datetime(2026, 12, 9, 16, 0)
    )


def test_a_listing_reads_not_yet_open_then_open_then_closed(city):
    """R-PUB-2: a five-day listing from 2026-12-03 (Beijing) is 公示中 from 00:00 on the 3rd to 23:59:59 on the 7th."""
    w = listed(city, open_listing=False)
    listing = services.open_listing(w.preliminary, by=city.city_admin, start=date(2026, 12, 3))
    assert listing.days == 5 and listing.last_day == date(2026, 12, 7)
    assert listing.state(datetime(2026, 12, 2, 15, 59, 59)) == "未开始"
    assert listing.state(datetime(2026, 12, 2, 16, 0)) == "公示中"
    assert listing.state(datetime(2026, 12, 7, 15, 59, 59)) == "公示中"
    assert listing.state(datetime(2026, 12, 7, 16, 0)) == "已结束"


def test_reopening_a_listing_changes_its_period_and_is_audited(city):
    w = listed(city)
    again = services.open_listing(w.preliminary, by=city.city_admin, start=date(2026, 12, 10), days=3)
    assert again.id == w.listing.id and again.days == 3
    actions = db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["listing.open", "listing.update"]


def test_listing_scope_district_admin_own_district_only(city):
    w = listed(city, open_listing=False)
    services.open_listing(w.preliminary, by=city.district_admin, start=date(2026, 12, 3), district=city.d1)
    with pytest.raises(NotAllowed, match="范围"):
        services.open_listing(
            w.preliminary, by=city.district_admin, start=date(2026, 12, 3), district=city.d2
        )
    with pytest.raises(NotAllowed):
        services.open_listing(w.preliminary, by=city.district_admin, start=date(2026, 12, 3))
    with pytest.raises(NotAllowed):
        services.open_listing(w.preliminary, by=city.school_admin, start=date(2026, 12, 3), district=city.d1)
    with pytest.raises(DomainError, match="1–30"):
        services.open_listing(w.preliminary, by=city.city_admin, start=date(2026, 12, 3), days=0)


def test_objection_only_during_the_listing_period(city):
    """R-PUB-2: before the period opens and after it closes nobody can object."""
    w = listed(city)
    entry = w.entries["central"][0]
    with pytest.raises(DomainError, match="公示期"):
        _file(w, entry, now=w.listing.opens_at - timedelta(seconds=1))
    with pytest.raises(DomainError, match="公示期"):
        _file(w, entry, now=w.listing.closes_at)
    objection = _file(w, entry, now=w.listing.closes_at - timedelta(seconds=1))
    assert objection.status == ObjectionStatus.PENDING and len(objection.tracking_code) == 10


def test_a_district_listing_covers_only_its_district(city):
    w = listed(city, open_listing=False)
    services.open_listing(
        w.preliminary, by=city.city_admin, start=date.today() - timedelta(days=1), district=city.d2
    )
    _file(w, w.entries["other"][0])
    with pytest.raises(DomainError, match="公示期"):
        _file(w, w.entries["central"][0])


def test_reason_and_identity_are_required_by_default(city):
    w = listed(city)
    with pytest.raises(DomainError, match="理由") as error:
        _file(w, reason="  ")
    assert error.value.field == "reason"
    with pytest.raises(DomainError, match="真实姓名"):
        _file(w, filer_name="")
    with pytest.raises(DomainError, match="电话"):
        _file(w, filer_phone="")
    with pytest.raises(DomainError, match="格式"):
        _file(w, filer_phone="12345")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Objection)) == 0


def test_identity_optional_when_the_competition_says_so(city):
    w = listed(city, objection_requires_identity=False)
    objection = _file(w, filer_name="", filer_phone="")
    assert objection.filer_name is None and objection.filer_phone is None


def test_only_listed_teachers_can_be_objected_to(city):
    w = listed(city)
    with pytest.raises(DomainError, match="不在本阶段公示名单"):
        _file(w, w.entries["exempt"][0])


def test_dismissal_needs_a_note_and_is_final(city):
    w = listed(city)
    objection = _file(w)
    with pytest.raises(DomainError, match="处理说明"):
        services.resolve_objection(
            objection, by=city.district_admin, outcome=ObjectionStatus.DISMISSED, note=""
        )
    with pytest.raises(DomainError, match="异议成立"):
        services.resolve_objection(
            objection,
            by=city.district_admin,
            outcome=ObjectionStatus.DISMISSED,
            note="经核实无此事。",
            fraud=True,
        )
    services.resolve_objection(
        objection, by=city.district_admin, outcome=ObjectionStatus.DISMISSED, note="经核实无此事。"
    )
    assert (
        objection.status == ObjectionStatus.DISMISSED and objection.resolved_by_id == city.district_admin.id
    )
    assert objection.entry.disqualified_at is None
    with pytest.raises(DomainError, match="已处理"):
        services.resolve_objection(objection, by=city.city_admin, outcome=ObjectionStatus.UPHELD, note="改判")


def test_resolution_scope(city):
    """R-PUB-2, R-ROLE-1: the district resolves; the other district may not; the teacher's own school recuses."""
    w = listed(city)
    objection = _file(w, w.entries["affiliate"][0])
    with pytest.raises(NotAllowed, match="范围"):
        services.resolve_objection(
            objection, by=city.other_district_admin, outcome=ObjectionStatus.DISMISSED, note="x"
        )
    with pytest.raises(NotAllowed):
        services.resolve_objection(objection, by=city.judge, outcome=ObjectionStatus.DISMISSED, note="x")
    assert services.can_resolve(city.school_admin, objection) is False
    with pytest.raises(NotAllowed, match="学校回避"):
        services.resolve_objection(
            objection, by=city.school_admin, outcome=ObjectionStatus.DISMISSED, note="x"
        )
    assert objection.status == ObjectionStatus.PENDING
    services.resolve_objection(
        objection, by=city.district_admin, outcome=ObjectionStatus.DISMISSED, note="材料属实。"
    )
    assert objection.status == ObjectionStatus.DISMISSED
    other = services.objection_scope_clause(city.other_district_admin)
    assert db.session.scalars(sa.select(Objection.id).where(other)).all() == []


def test_upheld_for_fraud_disqualifies_with_a_public_note_and_the_audit_names_who(city):
    """R-PUB-2 / R-AUD-1: upheld for fraud → disqualified, out of the list; the log names the decider."""
    w = listed(city)
    entry = w.entries["central"][1]
    objection = _file(w, entry)
    services.resolve_objection(
        objection,
        by=city.district_admin,
        outcome=ObjectionStatus.UPHELD,
        note="经核实提供虚假获奖证书，取消参赛资格。",
        fraud=True,
    )
    db.session.commit()
    assert (
        entry.disqualified_at is not None
        and entry.disqualified_note == "经核实提供虚假获奖证书，取消参赛资格。"
    )
    assert (
        entry.id not in db.session.scalars(competitors_stmt(w.preliminary).with_only_columns(Entry.id)).all()
    )
    log = {a.action: a for a in db.session.scalars(sa.select(AuditEntry))}
    assert log["objection.resolve"].actor_name == city.district_admin.display_name
    assert log["entry.disqualify"].actor_id == city.district_admin.id
    assert "成立（弄虚作假）" in log["objection.resolve"].summary


def test_the_filer_never_reaches_the_audit_log(city):
    w = listed(city)
    objection = _file(w)
    services.resolve_objection(
        objection, by=city.city_admin, outcome=ObjectionStatus.UPHELD, note="属实。", fraud=True
    )
    db.session.commit()
    assert (
        db.session.scalar(sa.select(AuditEntry.actor_name).where(AuditEntry.action == "objection.file"))
        == "公众"
    )
    dumped = " ".join(
        f"{a.summary} {a.reason} {a.before} {a.after}" for a in db.session.scalars(sa.select(AuditEntry))
    )
    assert "MARK-FILER" not in dumped and "13812345678" not in dumped
