"""`flask demo load`: the demo city a new user meets after `make run`, right on any day (R-TIME-1).

The city is loaded once per ``--today`` value (module-scoped: a load takes seconds) and the clock is
set to that day while the tests look at it.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.advancement.models import AdvancementUnit
from app.auth.models import User
from app.awards.models import Award, AwardKind, AwardRelease, Prize
from app.awards.services import award_by_code
from app.competitions.models import Competition, StageKind
from app.draws.models import Draw, DrawStatus
from app.extensions import db
from app.judging.models import Panel, PanelStatus, ScoreSheet, SheetStatus, SignInCode
from app.orgs.models import District, School
from app.public.models import Listing, Objection
from app.roles import Role
from app.rosters.idcard import parse_id_number
from app.rosters.models import Entry, EntryStatus
from app.timeutil import BEIJING, beijing_at, beijing_today, clock, to_beijing, utcnow
from tests.conftest import _Client, _wipe

README = Path(__file__).resolve().parents[1] / "README.md"
# a year from now, a month boundary, the last day of a year
DAYS = [beijing_today() + timedelta(days=365), date(2027, 3, 1), date(2026, 12, 31)]


@pytest.fixture(scope="module", params=DAYS, ids=lambda d: d.isoformat())
def loaded(request, _app):
    """The demo city loaded with ``--today`` = the parameter; the clock stands at 10:00 that day (Beijing)."""
    day = request.param
    with _app.app_context():
        result = _app.test_cli_runner().invoke(args=["demo", "load", "--today", day.isoformat()])
        assert result.exit_code == 0, result.output
        clock.set(beijing_at(day, 10))
        try:
            yield day
        finally:
            clock.reset()
            db.session.rollback()
            db.session.remove()
            _wipe()


def _competitions() -> tuple[Competition, Competition]:
    last, this = db.session.scalars(sa.select(Competition).order_by(Competition.year)).all()
    return last, this


def _client(app):
    app.test_client_class = _Client
    return app.test_client()


def _signed_in(app, username: str):
    client = _client(app)
    if username != "public":
        response = client.post("/login", data={"username": username, "password": "demo2026"})
        assert response.status_code == 303, username
    return client


def test_demo_city_has_valid_ids_one_login_per_role_and_loads_only_once(loaded, _app):
    """R-ROS-2 ids valid and agreeing with the rows; R-ROS-3 seat schools excluded; --if-empty skips."""
    assert db.session.scalar(sa.select(sa.func.count()).select_from(District)) == 4
    schools = db.session.scalars(sa.select(School)).all()
    assert 55 <= len(schools) <= 65
    assert any(s.is_central for s in schools) and any(s.is_seat for s in schools)
    assert any(s.central_school_id for s in schools) and any(s.is_township_junior for s in schools)
    last, this = _competitions()
    entries = db.session.scalars(sa.select(Entry).where(Entry.competition_id == this.id)).all()
    assert 1900 <= len(entries) <= 2100
    for entry in entries:
        info = parse_id_number(entry.id_number)
        assert (info.birth_date, info.sex) == (entry.birth_date, entry.sex)
    assert len({e.id_number for e in entries}) == len(entries)
    seat_ids = {s.id for s in schools if s.is_seat}
    assert all(e.status == EntryStatus.EXCLUDED for e in entries if e.school_id in seat_ids)
    last_ids = set(db.session.scalars(sa.select(Entry.id_number).where(Entry.competition_id == last.id)))
    assert last_ids <= {e.id_number for e in entries}  # the same teachers, a year earlier
    assert {u.role for u in db.session.scalars(sa.select(User))} >= set(Role)

    runner = _app.test_cli_runner()
    again = runner.invoke(args=["demo", "load", "--if-empty"])
    assert again.exit_code == 0 and "跳过" in again.output and "demo2026" in again.output
    refused = runner.invoke(args=["demo", "load"])
    assert refused.exit_code != 0 and "已有数据" in refused.output


def test_this_season_is_in_progress_on_the_day_it_was_loaded(loaded):
    """R-TIME-1 / R-COMP-1: no current deadline has passed, the timeline runs in order, today has work."""
    day = loaded
    last, this = _competitions()
    assert this.year == last.year + 1
    preliminary, semifinal, final = (this.stage(k) for k in StageKind)
    assert preliminary.deadline < day <= semifinal.deadline < final.deadline  # roster closed, recommending
    assert day + timedelta(days=2) <= semifinal.deadline <= day + timedelta(days=7)
    assert (
        to_beijing(semifinal.frozen_at).date() > preliminary.deadline
    )  # quotas only after the roster closed

    listing = db.session.scalar(sa.select(Listing).where(Listing.stage_id == preliminary.id))
    assert listing.opens_at <= utcnow() < listing.opens_at + timedelta(days=listing.days)  # R-PUB-2 open
    assert to_beijing(listing.opens_at).date() > preliminary.deadline
    assert db.session.scalar(
        sa.select(sa.func.count(Objection.id)).where(Objection.competition_id == this.id)
    )

    judge = db.session.scalar(sa.select(User).where(User.username == "judge"))
    live = db.session.scalars(
        sa.select(Panel).where(Panel.stage_id == preliminary.id, Panel.status == PanelStatus.OPEN)
    ).all()
    assert len(live) == 1 and any(pj.user_id == judge.id for pj in live[0].judges)
    code = db.session.scalar(
        sa.select(SignInCode).where(SignInCode.panel_id == live[0].id, SignInCode.judge_id == judge.id)
    )
    assert code is not None and code.used_at is None and code.expires_at > utcnow()  # R-X-2 valid today
    assert to_beijing(code.expires_at).date() == day + timedelta(days=1)  # ends with the day

    units = db.session.scalars(
        sa.select(AdvancementUnit).where(AdvancementUnit.stage_id == semifinal.id)
    ).all()
    waiting = [u for u in units if u.submitted_at is not None and u.confirmed_at is None]
    assert waiting and all(u.district.code == "D02" for u in waiting)  # the district login confirms
    own = next(u for u in units if u.unit_school and u.unit_school.code == "D02-C01")
    assert own.submitted_at is None  # the school login still recommends

    draws = db.session.scalars(sa.select(Draw).where(Draw.competition_id == this.id)).all()
    announced = [d for d in draws if d.status == DrawStatus.ANNOUNCED]
    assert len(announced) == 1 and announced[0].event_at is not None
    assert to_beijing(announced[0].event_at).date() == day + timedelta(days=1)  # tomorrow, with its hour
    assert str(day + timedelta(days=1)).replace("-", "")[:4] in "".join(
        s["name"] for s in announced[0].sources_announced
    )
    for draw in draws:  # R-DRAW-1: never performed before the event time announced with it
        if draw.status == DrawStatus.DRAWN and draw.event_at is not None:
            assert draw.announced_at <= draw.event_at <= draw.drawn_at
    assert all(d.drawn_at is None or to_beijing(d.drawn_at).date() <= day for d in draws)


def test_last_season_is_complete_with_published_awards_and_verifiable_certificates(loaded):
    """R-AW-1..3 over a whole season: every stage judged, every draw after its event, prizes published."""
    day = loaded
    last, _ = _competitions()
    assert all(s.deadline < day for s in last.stages)
    stage_ids = [s.id for s in last.stages]
    panels = db.session.scalars(sa.select(Panel).where(Panel.stage_id.in_(stage_ids))).all()
    assert {p.stage.kind for p in panels} == set(StageKind)
    assert all(p.status == PanelStatus.CLOSED and len(p.judges) >= 3 for p in panels)
    statuses = set(
        db.session.scalars(
            sa.select(ScoreSheet.status).where(ScoreSheet.panel_id.in_([p.id for p in panels])).distinct()
        )
    )
    assert statuses == {SheetStatus.SUBMITTED}
    draws = db.session.scalars(sa.select(Draw).where(Draw.competition_id == last.id)).all()
    assert draws and all(d.status == DrawStatus.DRAWN for d in draws)
    assert all(d.event_at is None or d.announced_at <= d.event_at <= d.drawn_at for d in draws)
    assert any(d.purpose.value == "advancement" and d.unit_district_id for d in draws)  # the final's draws

    releases = db.session.scalars(
        sa.select(AwardRelease).where(AwardRelease.competition_id == last.id, AwardRelease.live.is_(True))
    ).all()
    kinds = [r.kind for r in releases]
    assert kinds.count(AwardKind.SEMIFINAL) == 4 and {
        AwardKind.FINAL,
        AwardKind.TEAM,
        AwardKind.ORGANISATION,
    } <= set(kinds)
    assert all(to_beijing(r.published_at).date() < day for r in releases)
    final = next(r for r in releases if r.kind == AwardKind.FINAL)
    assert {a.prize for a in final.awards} == {Prize.FIRST, Prize.SECOND, Prize.THIRD}
    semis = [a.prize for r in releases if r.kind == AwardKind.SEMIFINAL for a in r.awards]
    assert set(semis) == {Prize.FIRST, Prize.SECOND}
    for award in (a for r in releases for a in r.awards):
        assert award_by_code(award.code).id == award.id  # R-AW-2 every certificate verifies
    award = final.awards[0]
    html = _client(loaded_app()).get(f"/verify/{award.code}").get_data(as_text=True)
    assert award.recipient in html


def test_last_seasons_first_prizes_are_this_years_exclusions(loaded):
    """R-ROS-3 from the portal's own award records: the row names the award and its year."""
    last, this = _competitions()
    winners = set(
        db.session.scalars(
            sa.select(Entry.id_number)
            .join(Award, Award.entry_id == Entry.id)
            .join(AwardRelease, AwardRelease.id == Award.release_id)
            .where(AwardRelease.competition_id == last.id, Award.prize == Prize.FIRST)
        )
    )
    assert winners
    rows = db.session.scalars(
        sa.select(Entry).where(Entry.competition_id == this.id, Entry.id_number.in_(winners))
    ).all()
    assert len(rows) == len(winners)
    for row in rows:
        assert row.status == EntryStatus.EXCLUDED
        assert last.name in row.award_name and "一等奖" in row.award_name and row.award_year == last.year
        assert row.award_name in row.status_reason


def _screens() -> list[tuple[str, str]]:
    """(login, path) of every screen the README's demo section lists."""
    section = README.read_text(encoding="utf-8").split("### The demo city", 1)[1].split("\n## ", 1)[0]
    screens = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and re.match(r"`?\w+`?$", cells[0]) and "`/" in cells[3]:
            login = cells[0].strip("`")
            screens += [(login, path) for path in re.findall(r"`(/[^`]*)`", cells[3])]
    return screens


def loaded_app():
    from flask import current_app

    return current_app._get_current_object()


def _placeholders() -> dict[str, tuple[int | str, str]]:
    """Placeholder → (value, a text the screen must show: real content, not an empty shell)."""
    last, this = _competitions()
    preliminary, semifinal = this.stage(StageKind.PRELIMINARY), this.stage(StageKind.SEMIFINAL)
    school = db.session.scalar(sa.select(School).where(School.code == "D02-C01"))
    units = db.session.scalars(
        sa.select(AdvancementUnit).where(AdvancementUnit.stage_id == semifinal.id)
    ).all()
    waiting = next(u for u in units if u.submitted_at is not None and u.confirmed_at is None)
    own = next(u for u in units if u.unit_school_id == school.id)
    announced = db.session.scalar(
        sa.select(Draw).where(Draw.competition_id == this.id, Draw.status == DrawStatus.ANNOUNCED)
    )
    live = db.session.scalar(
        sa.select(Panel).where(Panel.stage_id == preliminary.id, Panel.status == PanelStatus.OPEN)
    )
    release = db.session.scalar(
        sa.select(AwardRelease).where(
            AwardRelease.competition_id == last.id, AwardRelease.kind == AwardKind.FINAL
        )
    )
    award = release.awards[0]
    listed = db.session.scalar(
        sa.select(Entry)
        .where(Entry.competition_id == this.id, Entry.status == EntryStatus.COMPETING)
        .limit(1)
    )
    roster_row = db.session.scalar(
        sa.select(Entry).where(Entry.competition_id == this.id, Entry.school_id == school.id).limit(1)
    )
    return {
        "this": (this.id, this.name),
        "last": (last.id, award.recipient),
        "semifinal": (semifinal.id, waiting.district.name),
        "waiting": (waiting.id, waiting.unit_school.name),
        "own_unit": (own.id, school.name),
        "announced": (announced.id, announced.pool_sha256),
        "live": (live.id, live.room),
        "number_3": (next(a.id for a in live.appearances if a.position == 3), "普通话"),
        "school": (school.id, roster_row.name),
        "release": (release.id, award.recipient),
        "code": (award.code, award.recipient),
        "preliminary": (preliminary.id, listed.name),
    }


def test_every_screen_the_readme_lists_has_data_for_its_login(loaded):
    """README's demo section: each screen answers 200 for its login and shows the demo's data."""
    screens = _screens()
    assert len(screens) >= 15 and {login for login, _ in screens} == {
        "city",
        "district",
        "school",
        "judge",
        "public",
    }
    values = _placeholders()
    app = loaded_app()
    clients: dict[str, object] = {}
    for login, path in screens:
        client = clients.get(login) or clients.setdefault(login, _signed_in(app, login))
        names = re.findall(r"\{(\w+)\}", path)
        url = path.format(**{n: values[n][0] for n in names})
        response = client.get(url)
        assert response.status_code == 200, (login, url, response.status_code)
        html = response.get_data(as_text=True)
        for name in names:
            marker = str(values[name][1])
            assert marker in html or marker[:12] in html, (login, url, marker)
        assert len(html) > 500, (login, url)


def test_clock_moves_with_the_demo_day(loaded):
    """R-TIME-1: while the tests look, now is 10:00 Beijing time on the demo's day."""
    assert (utcnow() + BEIJING).date() == loaded == beijing_today()
