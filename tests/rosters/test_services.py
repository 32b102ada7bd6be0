"""Roster services with worked examples: R-ROS-1..5, R-GRP-1, R-AUD-1."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.competitions.models import Group, Level, StageKind
from app.errors import DomainError, NotAllowed
from app.extensions import db
from app.rosters import services
from app.rosters.models import Entry, EntryStatus, ExemptionReason, ExemptionState
from app.rosters.queries import competitors_stmt
from tests.rosters import scanfiles
from tests.rosters.helpers import id_for

BEFORE = date(2026, 11, 1)
AFTER = date(2026, 12, 3)


def _save(actor, comp, school, f, *, entry=None, today=BEFORE, **fields):
    values = {
        "name": "测试",
        "id_number": id_for(date(1985, 6, 1)),
        "subject_id": f.subject(comp).id,
    } | fields
    return services.save_entry(actor, comp, school, entry, today=today, **values)


def test_r_ros_2_lower_case_x_is_normalised_and_birth_sex_derived(city, comp, f):
    from app.rosters.idcard import make_id_number

    number = next(
        n for seq in range(1, 999, 2) if (n := make_id_number("370921", date(1980, 1, 1), seq)).endswith("X")
    )
    entry = _save(city.school_admin, comp, city.central, f, id_number=number.lower())
    assert entry.id_number == number and entry.sex == "男" and entry.birth_date == date(1980, 1, 1)
    assert entry.group == Group.PRIMARY_YOUTH  # R-GRP-1: born on the cutoff day


def test_r_grp_1_level_comes_from_the_subject(city, comp, f):
    junior = f.subject(comp, Level.JUNIOR, "物理")
    entry = _save(
        city.district_admin, comp, city.township, f, subject_id=junior.id, id_number=id_for(date(1990, 1, 1))
    )
    assert entry.group == Group.JUNIOR_YOUTH
    older = _save(
        city.district_admin,
        comp,
        city.township,
        f,
        subject_id=junior.id,
        id_number=id_for(date(1979, 12, 31)),
    )
    assert older.group == Group.SENIOR


def test_subject_must_match_the_school_level(city, comp, f):
    with pytest.raises(DomainError, match="小学的教师不能报初中物理"):
        _save(city.school_admin, comp, city.central, f, subject_id=f.subject(comp, Level.JUNIOR, "物理").id)


def test_r_ros_2_duplicate_refused_across_the_competition_naming_both(city, comp, f):
    first = _save(
        city.district_admin, comp, city.township, f, subject_id=f.subject(comp, Level.JUNIOR, "数学").id
    )
    with pytest.raises(DomainError) as error:
        _save(city.school_admin, comp, city.central, f, id_number=first.id_number)
    assert "青石镇中学" in error.value.message and f"参赛编号 {first.entrant_number}" in error.value.message


def test_r_ros_2_bad_check_digit_is_refused(city, comp, f):
    number = id_for(date(1985, 6, 1))
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    with pytest.raises(DomainError, match="校验码错误"):
        _save(city.school_admin, comp, city.central, f, id_number=wrong)


def test_entrant_numbers_are_unique_and_assigned_on_creation(city, comp, f):
    f.gen_entry(comp, city.other_school, number=41)
    a = _save(city.school_admin, comp, city.central, f)
    b = _save(city.school_admin, comp, city.affiliate, f, id_number=id_for(date(1986, 1, 1)))
    assert (a.entrant_number, b.entrant_number) == (42, 43)


def test_r_ros_3_seat_school_and_award_winner_are_excluded_with_reason(city, comp, f):
    seat = _save(city.district_admin, comp, city.seat, f)
    assert seat.status == EntryStatus.EXCLUDED and seat.status_reason == "区政府所在地学校教师"
    winner = _save(
        city.school_admin,
        comp,
        city.central,
        f,
        id_number=id_for(date(1984, 1, 1)),
        award_name="2023年东山县中小学教师教学技能大赛一等奖",
        award_year="2023",
    )
    assert (
        winner.status == EntryStatus.EXCLUDED
        and "2023年东山县中小学教师教学技能大赛一等奖" in winner.status_reason
    )
    old = _save(
        city.school_admin,
        comp,
        city.central,
        f,
        id_number=id_for(date(1983, 1, 1)),
        award_name="2019年县赛一等奖",
        award_year=2019,
    )
    assert old.status == EntryStatus.COMPETING and old.award_year == 2019
    with pytest.raises(DomainError, match="获奖年份"):
        _save(city.school_admin, comp, city.central, f, id_number=id_for(date(1982, 1, 1)), award_name="某奖")


def test_r_ros_4_exemption_workflow_counts_as_competing_until_approved(city, comp, f):
    entry = _save(city.school_admin, comp, city.central, f, id_number=id_for(date(1965, 8, 31), "男"))
    prelim = comp.stage(StageKind.PRELIMINARY)
    application = services.apply_exemption(
        city.school_admin, entry, reason=ExemptionReason.RETIREMENT, today=BEFORE
    )
    assert entry.status == EntryStatus.COMPETING
    assert entry.id in db.session.scalars(competitors_stmt(prelim).with_only_columns(Entry.id)).all()
    services.review_exemption(city.school_admin, application, approve=True)
    assert application.state == ExemptionState.SCHOOL_APPROVED and entry.status == EntryStatus.COMPETING
    with pytest.raises(NotAllowed):
        services.decide_exemption(city.school_admin, application, approve=True)
    with pytest.raises(NotAllowed):
        services.decide_exemption(city.other_district_admin, application, approve=True)
    services.decide_exemption(city.district_admin, application, approve=True)
    assert application.state == ExemptionState.APPROVED and entry.status == EntryStatus.EXEMPT
    assert entry.id not in db.session.scalars(competitors_stmt(prelim).with_only_columns(Entry.id)).all()
    logs = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.target_type == "exemption")).all()
    assert [log.action for log in logs] == ["exemption.apply", "exemption.review", "exemption.decide"]
    assert all("retirement" not in str(log.after) for log in logs)  # the ground stays private


def test_r_ros_4_retirement_checked_against_the_configured_dates(city, comp, f):
    young = _save(city.school_admin, comp, city.central, f, id_number=id_for(date(1965, 9, 1), "男"))
    with pytest.raises(DomainError, match="1965-09-01 之前出生"):
        services.apply_exemption(city.school_admin, young, reason=ExemptionReason.RETIREMENT, today=BEFORE)
    with pytest.raises(DomainError, match="情况说明"):
        services.apply_exemption(city.school_admin, young, reason=ExemptionReason.HEALTH, today=BEFORE)
    application = services.apply_exemption(
        city.school_admin, young, reason=ExemptionReason.HEALTH, detail="术后休养", today=BEFORE
    )
    services.review_exemption(city.school_admin, application, approve=True)
    with pytest.raises(DomainError, match="理由"):
        services.decide_exemption(city.district_admin, application, approve=False)
    services.decide_exemption(city.district_admin, application, approve=False, note="材料不全")
    assert application.state == ExemptionState.REFUSED and young.status == EntryStatus.COMPETING


def test_r_ros_5_locked_for_school_district_edits_with_reason(city, comp, f):
    entry = _save(city.school_admin, comp, city.central, f)
    with pytest.raises(DomainError, match="截止"):
        _save(
            city.school_admin,
            comp,
            city.central,
            f,
            entry=entry,
            today=AFTER,
            name="改名",
            id_number=entry.id_number,
        )
    with pytest.raises(DomainError, match="原因"):
        _save(
            city.district_admin,
            comp,
            city.central,
            f,
            entry=entry,
            today=AFTER,
            name="改名",
            id_number=entry.id_number,
        )
    _save(
        city.district_admin,
        comp,
        city.central,
        f,
        entry=entry,
        today=AFTER,
        name="改名",
        id_number=entry.id_number,
        reason="来函更正",
    )
    log = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "roster.update")).one()
    assert (log.before["name"], log.after["name"], log.reason) == ("测试", "改名", "来函更正")
    with pytest.raises(DomainError, match="截止"):
        services.delete_entry(city.school_admin, entry, today=AFTER)
    services.delete_entry(city.district_admin, entry, reason="调离", today=AFTER)
    assert db.session.get(Entry, entry.id) is None


def test_r_ros_5_stamped_list_sniffed_and_size_limited(city, comp):
    with pytest.raises(DomainError, match="只接受"):
        services.upload_stamped_list(city.school_admin, comp, city.central, "a.pdf", b"GIF89a....")
    with pytest.raises(DomainError, match="过大"):
        services.upload_stamped_list(
            city.school_admin, comp, city.central, "a.pdf", b"%PDF-" + b"0" * services.STAMPED_MAX_BYTES
        )
    first = services.upload_stamped_list(city.school_admin, comp, city.central, "盖章.PDF", scanfiles.pdf())
    again = services.upload_stamped_list(city.school_admin, comp, city.central, "x.jpg", scanfiles.jpeg())
    assert (
        first.id == again.id
        and again.mimetype == "image/jpeg"
        and again.first_uploaded_at <= again.uploaded_at
    )


def test_r_ros_1_dashboard_counts_per_school(city, comp, f):
    for _ in range(3):
        f.gen_entry(comp, city.central)
    f.gen_entry(comp, city.central, status=EntryStatus.EXEMPT)
    f.gen_entry(comp, city.central, status=EntryStatus.EXCLUDED)
    f.gen_entry(comp, city.other_school)
    rows = {r.school.id: r for r in services.school_stats(city.district_admin, comp)}
    central = rows[city.central.id]
    assert (central.listed, central.competing, central.exempt, central.excluded) == (5, 3, 1, 1)
    assert str(central.rate) == "0.7500"  # 3 / (5 − 1)
    assert city.other_school.id not in rows  # district scope
    total = services.totals(list(rows.values()))
    assert total.listed == 5 and total.schools == 4
    city_rows = services.school_stats(city.city_admin, comp)
    assert {d.name for d, _ in services.by_district(city_rows)} == {"东山县", "西岭县"}


def test_r_ros_1_dashboard_counts_open_exemptions_and_stamped_lists_per_school(city, comp, f):
    """Pending = applications awaiting the school or the district (still 参赛, R-ROS-4); stamped on time (R-ROS-5)."""
    from datetime import datetime

    from app.rosters.models import ExemptionApplication, StampedList

    waiting = [f.gen_entry(comp, city.central, birth=date(1960, 1, 1)) for _ in range(3)]
    for entry, state in zip(
        waiting, (ExemptionState.SUBMITTED, ExemptionState.SCHOOL_APPROVED, ExemptionState.REFUSED)
    ):
        db.session.add(
            ExemptionApplication(entry_id=entry.id, reason=ExemptionReason.RETIREMENT, state=state)
        )
    for school, uploaded in (
        (city.central, datetime(2026, 12, 2, 15, 59)),
        (city.affiliate, datetime(2026, 12, 2, 16, 0)),
    ):
        db.session.add(
            StampedList(
                competition_id=comp.id,
                school_id=school.id,
                filename="a.pdf",
                mimetype="application/pdf",
                size=5,
                data=b"%PDF-",
                first_uploaded_at=uploaded,
                uploaded_at=uploaded,
            )
        )
    db.session.flush()
    rows = {r.school.id: r for r in services.school_stats(city.district_admin, comp)}
    central, affiliate = rows[city.central.id], rows[city.affiliate.id]
    assert (central.listed, central.competing, central.pending) == (3, 3, 2)  # the refused one is closed
    assert central.on_time and central.stamped_at == datetime(
        2026, 12, 2, 15, 59
    )  # 23:59 Beijing on the deadline
    assert affiliate.stamped_at and not affiliate.on_time  # 00:00 Beijing the next day
    others = [r for r in rows.values() if r.school.id not in (city.central.id, city.affiliate.id)]
    assert all(r.stamped_at is None and not r.on_time and r.pending == 0 for r in others)
    total = services.totals(list(rows.values()))
    assert (total.pending, total.submitted) == (2, 2)
