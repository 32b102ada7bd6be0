"""Award services on a database: pools, publish/withdraw (audited, R-AUD-1), snapshots, scope, team and
organisation awards (R-AW-1, R-AW-3)."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.awards import services
from app.awards.models import AbsenceKind, AwardKind, AwardRelease, Prize
from app.awards.services import Scope
from app.competitions.models import StageKind
from app.errors import DomainError, NotAllowed
from app.extensions import db
from app.rosters.models import EntryStatus
from tests.awards.helpers import competitors, judged_semifinal, stub_results


def _semi(city):
    return Scope(AwardKind.SEMIFINAL, city.d1.id)


@pytest.fixture
def season(city, f):
    """10 semifinal competitors in 东山县 (d1) and 3 in 西岭县 (d2), same group."""
    competition = f.gen_competition()
    d1 = competitors(competition, StageKind.SEMIFINAL, [city.central, city.affiliate], 10)
    d2 = competitors(competition, StageKind.SEMIFINAL, [city.other_school], 3)
    db.session.commit()
    return competition, d1, d2


def test_semifinal_pool_is_per_district_with_ties_sharing_r_aw_1(season, city, monkeypatch):
    competition, d1, d2 = season
    # d1: 95, 90, 90, 90, 85, 80, … (10 → 2 first, 3 second); d2 scores are higher but another district.
    scores = dict(zip([e.id for e in d1], ["95", "90", "90", "90", "85", "80", "75", "70", "65", None]))
    scores.update(dict(zip([e.id for e in d2], ["99", "98", "97"])))
    stub_results(monkeypatch, scores)
    pools = services.individual_pools(competition.stage(StageKind.SEMIFINAL), city.d1.id)
    assert len(pools) == 1 and pools[0].size == 10
    got = [(r.entry.id, r.rank, r.prize) for r in pools[0].rows]
    assert got[:6] == [
        (d1[0].id, 1, Prize.FIRST),
        (d1[1].id, 2, Prize.FIRST),
        (d1[2].id, 2, Prize.FIRST),
        (d1[3].id, 2, Prize.FIRST),
        (d1[4].id, 5, Prize.SECOND),
        (d1[5].id, 6, None),
    ]
    assert got[-1] == (d1[9].id, None, None)  # no result: no rank, no prize
    assert pools[0].nominal == [2, 3] and pools[0].given == [4, 1] and pools[0].unscored == 1


def test_disqualified_teacher_is_not_a_competitor_and_gets_no_prize(season, city, monkeypatch):
    competition, d1, _ = season
    from app.timeutil import utcnow

    d1[0].disqualified_at = utcnow()
    db.session.commit()
    stub_results(monkeypatch, {e.id: str(100 - i) for i, e in enumerate(d1)})
    pools = services.individual_pools(competition.stage(StageKind.SEMIFINAL), city.d1.id)
    rows = pools[0].rows
    assert d1[0].id not in [r.entry.id for r in rows]
    assert pools[0].size == 9  # 9 → 20% = 1.8 → 2 first, 30% = 2.7 → 3 second
    assert [r.prize for r in rows[:6]] == [
        Prize.FIRST,
        Prize.FIRST,
        Prize.SECOND,
        Prize.SECOND,
        Prize.SECOND,
        None,
    ]


def test_publish_snapshots_with_codes_and_is_audited(season, city, monkeypatch):
    competition, d1, _ = season
    stub_results(monkeypatch, {e.id: str(100 - i) for i, e in enumerate(d1)})
    release = services.publish(competition, _semi(city), by=city.district_admin)
    db.session.commit()
    assert release.live is True and release.issuer == "东山县教育局"
    assert [a.prize for a in release.awards] == [Prize.FIRST] * 2 + [Prize.SECOND] * 3
    codes = [a.code for a in release.awards]
    assert len(set(codes)) == 5 and all(len(c) == 8 and set(c) <= set(services.CODE_ALPHABET) for c in codes)
    assert release.awards[0].recipient == d1[0].name and release.awards[0].score == Decimal("100")
    log = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "awards.publish")).one()
    assert log.actor_id == city.district_admin.id and log.district_id == city.d1.id
    assert "一等奖 2 名" in log.summary and log.after["awards"] == 5

    # A later score change does not change the published list.
    stub_results(monkeypatch, {e.id: str(50 + i) for i, e in enumerate(d1)})
    db.session.expire_all()
    stored = db.session.get(AwardRelease, release.id)
    assert [a.entry_id for a in stored.awards] == [e.id for e in d1[:5]]
    with pytest.raises(DomainError, match="已经发布"):
        services.publish(competition, _semi(city), by=city.district_admin)


def test_withdraw_needs_reason_is_audited_and_allows_republishing(season, city, monkeypatch):
    competition, d1, _ = season
    stub_results(monkeypatch, {e.id: str(100 - i) for i, e in enumerate(d1)})
    release = services.publish(competition, _semi(city), by=city.district_admin)
    db.session.commit()
    with pytest.raises(DomainError, match="原因"):
        services.withdraw(release, "  ", by=city.district_admin)
    services.withdraw(release, "第3名成绩录入有误，更正后重新发布", by=city.district_admin)
    db.session.commit()
    assert release.live is None and release.withdraw_reason.startswith("第3名")
    log = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "awards.withdraw")).one()
    assert log.reason == "第3名成绩录入有误，更正后重新发布" and log.before == {"live": True}
    again = services.publish(competition, _semi(city), by=city.district_admin)
    db.session.commit()
    assert again.id != release.id and not {a.code for a in again.awards} & {a.code for a in release.awards}
    with pytest.raises(DomainError, match="已经撤销"):
        services.withdraw(release, "重复撤销测试", by=city.city_admin)


def test_two_live_lists_for_one_scope_are_impossible_in_the_database(season, city):
    competition, _, _ = season
    for _ in range(2):
        db.session.add(
            AwardRelease(
                competition=competition, kind=AwardKind.FINAL, scope_key="final", issuer="x", live=True
            )
        )
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_a_concurrent_publication_is_refused_with_a_message_not_a_crash(season, city, monkeypatch):
    competition, d1, _ = season
    stub_results(monkeypatch, {e.id: str(100 - i) for i, e in enumerate(d1)})
    services.publish(competition, _semi(city), by=city.district_admin)
    db.session.commit()
    monkeypatch.setattr(services, "live_release", lambda *args: None)  # both passed the check at once
    with pytest.raises(DomainError, match="刚刚已由其他管理员发布"):
        services.publish(competition, _semi(city), by=city.city_admin)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AwardRelease)) == 1


def test_scope_district_admin_cannot_publish_another_district_or_the_final(season, city, monkeypatch):
    competition, d1, _ = season
    stub_results(monkeypatch, {e.id: "90" for e in d1})
    with pytest.raises(NotAllowed, match="范围"):
        services.publish(competition, Scope(AwardKind.SEMIFINAL, city.d2.id), by=city.district_admin)
    with pytest.raises(NotAllowed, match="范围"):
        services.publish(competition, Scope(AwardKind.FINAL), by=city.district_admin)
    with pytest.raises(NotAllowed):
        services.publish(competition, _semi(city), by=city.school_admin)
    release = services.publish(competition, _semi(city), by=city.district_admin)
    with pytest.raises(NotAllowed, match="范围"):
        services.withdraw(release, "不是我的区县", by=city.other_district_admin)
    assert services.can_publish(city.city_admin, Scope(AwardKind.SEMIFINAL, city.d2.id))


def test_r_aw_1_unscored_competitor_refuses_publishing_until_recorded_absent(season, city, monkeypatch):
    competition, d1, _ = season
    stub_results(monkeypatch, {e.id: (None if i == 0 else str(90 - i)) for i, e in enumerate(d1)})
    with pytest.raises(DomainError, match="1 名选手没有最终成绩"):
        services.publish(competition, _semi(city), by=city.district_admin)
    stage = competition.stage(StageKind.SEMIFINAL)
    services.record_absence(stage, d1[0], AbsenceKind.ABSENT, "因病未到场", by=city.district_admin)
    release = services.publish(competition, _semi(city), by=city.district_admin)
    assert d1[0].id not in [a.entry_id for a in release.awards]


def test_no_competitors_refused_but_a_pool_too_small_for_prizes_can_be_published(
    season, city, f, monkeypatch
):
    competition, _, d2 = season
    empty = f.gen_competition(name="空赛事")
    with pytest.raises(DomainError, match="没有复赛选手"):
        services.publish(empty, _semi(city), by=city.city_admin)
    # 西岭县: 3 competitors → 1 first (0.6 → 1), 1 second (0.9 → 1); with only one scored, one prize.
    stub_results(monkeypatch, {d2[0].id: "80", d2[1].id: None, d2[2].id: None})
    stage = competition.stage(StageKind.SEMIFINAL)
    services.record_absence(stage, d2[1], AbsenceKind.ABSENT, "未到场", by=city.city_admin)
    services.record_absence(stage, d2[2], AbsenceKind.WITHDRAWN, "本人书面弃权", by=city.city_admin)
    release = services.publish(competition, Scope(AwardKind.SEMIFINAL, city.d2.id), by=city.city_admin)
    assert [a.prize for a in release.awards] == [Prize.FIRST]
    with pytest.raises(DomainError, match="空名单"):
        services.publish(competition, Scope(AwardKind.ORGANISATION), by=city.city_admin)


def test_with_real_judging_scores(city):
    """Stage results from real submitted sheets: the 2 highest of 10 get 一等奖, the next 3 二等奖."""
    rows = [[str(90 - i), "90", "90", "90"] for i in range(10)]
    competition, entries = judged_semifinal(city, rows)
    release = services.publish(competition, _semi(city), by=city.district_admin)
    assert [(a.entry_id, a.prize) for a in release.awards] == (
        [(e.id, Prize.FIRST) for e in entries[:2]] + [(e.id, Prize.SECOND) for e in entries[2:5]]
    )
    assert release.awards[0].score == Decimal("90.00")  # 9 + 9 + 27 + 45


# ---------------------------------------------------------------- R-AW-3


def test_team_award_ranks_central_and_non_central_separately(city, f, monkeypatch):
    competition = f.gen_competition(team_award_ratio=Decimal("0.50"))  # 2 central → 1 place, 3 others → 2
    township_2 = f.gen_school(city.d1, name="白沙镇中学", level=city.township.level)
    # central: 4 competitors, 1 prized; other_school (central, d2): 2 competitors, 1 prized (+1 exempt)
    central = competitors(competition, StageKind.PRELIMINARY, [city.central], 4)
    other = competitors(competition, StageKind.PRELIMINARY, [city.other_school], 2)
    f.gen_entry(competition, city.other_school, status=EntryStatus.EXEMPT)
    # non-central: affiliate 3 competitors, 2 prized; township 5, 1 prized; 白沙 2, 0 prized
    affiliate = competitors(competition, StageKind.PRELIMINARY, [city.affiliate], 3)
    township = competitors(competition, StageKind.PRELIMINARY, [city.township], 5)
    competitors(competition, StageKind.PRELIMINARY, [township_2], 2)
    f.gen_entry(competition, city.seat, status=EntryStatus.EXCLUDED)  # nobody competes: not ranked
    prized = [central[0], other[0], affiliate[0], affiliate[1], township[0]]
    from tests.awards.helpers import advance

    advance(competition.stage(StageKind.SEMIFINAL), prized)
    advance(competition.stage(StageKind.FINAL), [affiliate[0]])
    db.session.commit()

    # Before any individual list is published the team award cannot be published.
    with pytest.raises(DomainError, match="请先发布"):
        services.publish(competition, Scope(AwardKind.TEAM), by=city.city_admin)

    stub_results(monkeypatch, {e.id: str(90 - i) for i, e in enumerate(prized)})
    services.publish(competition, Scope(AwardKind.SEMIFINAL, city.d1.id), by=city.city_admin)
    services.publish(competition, Scope(AwardKind.SEMIFINAL, city.d2.id), by=city.city_admin)
    services.publish(competition, Scope(AwardKind.FINAL), by=city.city_admin)
    db.session.commit()
    teams = services.team_preview(competition)
    # 东山县 semifinal, 小学青年组: 3 competitors → 1 first, 1 second: central[0], affiliate[0]; the township's
    # teacher is alone in 初中青年组 → no prize. 西岭县: 1 competitor → no semifinal prize.
    # Final: 1 competitor → third prize (affiliate[0], already counted: teachers are counted once).
    central_rows = [
        (r.school.name, r.place.figures.prized, r.place.rank, r.place.awarded) for r in teams["中心校"]
    ]
    assert central_rows == [("青石镇中心小学", 1, 1, True), ("松岭镇中心小学", 0, 2, False)]
    non_central = [
        (r.school.name, r.place.figures.prized, r.place.rank, r.place.awarded) for r in teams["非中心校"]
    ]
    # affiliate 1/3; township 0/5 and 白沙 0/2 tie (0 share, participation 100%) at the boundary of the 2
    # places, but a school without any prize is never awarded.
    assert non_central == [
        ("青石镇前村小学", 1, 1, True),
        ("青石镇中学", 0, 2, False),
        ("白沙镇中学", 0, 2, False),
    ]
    release = services.publish(competition, Scope(AwardKind.TEAM), by=city.city_admin)
    assert [(a.recipient, a.category, a.score) for a in release.awards] == [
        ("青石镇中心小学", "中心校", Decimal("0.2500")),
        ("青石镇前村小学", "非中心校", Decimal("0.3333")),
    ]
    # An individual list the team award depends on cannot be withdrawn under it.
    final = services.live_release(competition.id, Scope(AwardKind.FINAL))
    with pytest.raises(DomainError, match="优秀团队奖"):
        services.withdraw(final, "更正决赛成绩", by=city.city_admin)


def _stamp(competition, school, at):
    from app.rosters.models import StampedList

    db.session.add(
        StampedList(
            competition_id=competition.id,
            school_id=school.id,
            filename="名单.pdf",
            mimetype="application/pdf",
            size=4,
            data=b"%PDF",
            first_uploaded_at=at,
            uploaded_at=at,
        )
    )


def _uphold(competition, entry):
    from app.public.models import Listing, Objection, ObjectionStatus
    from app.timeutil import utcnow

    listing = Listing(
        competition=competition,
        stage=competition.stage(StageKind.PRELIMINARY),
        opens_at=utcnow(),
        days=5,
        closes_at=utcnow(),
    )
    db.session.add(
        Objection(
            competition_id=competition.id,
            listing=listing,
            entry=entry,
            tracking_code=f"T{entry.id:09d}",
            reason="弄虚作假",
            status=ObjectionStatus.UPHELD,
        )
    )


def test_organisation_award_conditions(city, f):
    from datetime import date, datetime

    competition = f.gen_competition(deadlines={StageKind.PRELIMINARY: date(2026, 12, 2)})
    competitors(competition, StageKind.PRELIMINARY, [city.central], 3)
    competitors(competition, StageKind.PRELIMINARY, [city.affiliate], 2)
    f.gen_entry(competition, city.affiliate, status=EntryStatus.EXEMPT)  # affiliate: 2/3 participation
    other = competitors(competition, StageKind.PRELIMINARY, [city.other_school], 2)
    competitors(competition, StageKind.PRELIMINARY, [city.township], 2)
    f.gen_entry(competition, city.seat, status=EntryStatus.EXCLUDED)  # nobody eligible: not listed
    # 2026-12-02 15:59 UTC = 23:59 Beijing on the deadline day: on time; 16:00 UTC is the next day: late.
    _stamp(competition, city.central, datetime(2026, 12, 2, 15, 59))
    _stamp(competition, city.affiliate, datetime(2026, 11, 30, 8, 0))
    _stamp(competition, city.other_school, datetime(2026, 12, 1, 8, 0))
    _stamp(competition, city.township, datetime(2026, 12, 2, 16, 0))
    _uphold(competition, other[0])
    db.session.commit()
    rows = {(r.category, r.name): r for r in services.organisation_preview(competition)}
    assert rows[("学校", "青石镇中心小学")].awarded and rows[("学校", "青石镇中心小学")].on_time
    assert not rows[("学校", "青石镇前村小学")].awarded and rows[
        ("学校", "青石镇前村小学")
    ].participation == Decimal("0.6667")
    assert not rows[("学校", "松岭镇中心小学")].awarded and rows[("学校", "松岭镇中心小学")].upheld == 1
    assert (
        not rows[("学校", "青石镇中学")].awarded and not rows[("学校", "青石镇中学")].on_time
    )  # late by a minute
    assert ("学校", "东山县实验小学") not in rows
    assert not rows[("区县", "东山县")].awarded  # 7/8 participation and a late school
    assert not rows[("区县", "西岭县")].awarded  # an upheld objection
    release = services.publish(competition, Scope(AwardKind.ORGANISATION), by=city.city_admin)
    assert [a.recipient for a in release.awards] == ["青石镇中心小学"]


def test_organisation_award_for_a_district(city, f):
    from datetime import datetime

    competition = f.gen_competition()
    competitors(competition, StageKind.PRELIMINARY, [city.other_school], 2)
    db.session.commit()
    rows = {(r.category, r.name): r for r in services.organisation_preview(competition)}
    assert not rows[("区县", "西岭县")].awarded  # no stamped list: not submitted
    _stamp(competition, city.other_school, datetime(2026, 12, 1, 8, 0))  # no deadline set: any upload counts
    db.session.commit()
    rows = {(r.category, r.name): r for r in services.organisation_preview(competition)}
    assert rows[("区县", "西岭县")].awarded and rows[("学校", "松岭镇中心小学")].awarded


def test_codes_are_normalised_when_typed():
    assert services.normalise_code(" 7kq3-m9tx ") == "7KQ3M9TX"
