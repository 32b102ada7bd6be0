"""R-ROLE-1 as a matrix: every endpoint declares its access, and the server enforces it for each role."""

from __future__ import annotations

import re

import pytest

from app.roles import Role
from app.web.access import PUBLIC, declared_access


def _endpoints(app):
    """(endpoint, url, methods) for every rule, int/str parameters filled with an id nobody has."""
    out = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        values = {}
        for arg in rule.arguments:
            converter = rule._converters[arg].__class__.__name__
            values[arg] = 987654 if "Integer" in converter else "zz-none"
        url = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m, values=values: str(values[m.group(1)]), rule.rule)
        out.append((rule.endpoint, url, sorted(rule.methods - {"HEAD", "OPTIONS"})))
    return out


def test_every_endpoint_declares_access(app):
    with app.test_request_context():
        undeclared = [e for e, _, _ in _endpoints(app) if declared_access(e) is None]
    assert undeclared == [], f"endpoints without @public or @roles_required: {undeclared}"


def test_an_undeclared_view_is_refused_not_served(app, client):
    app.view_functions["web.healthz"].__dict__.pop("access_rule")
    try:
        response = client.get("/healthz")
    finally:
        app.view_functions["web.healthz"].access_rule = PUBLIC
    assert response.status_code == 403


def test_anonymous_is_sent_to_login_on_every_private_endpoint(app, client):
    checked = 0
    for endpoint, url, methods in _endpoints(app):
        with app.test_request_context():
            if declared_access(endpoint) == PUBLIC:
                continue
        for method in methods:
            response = client.open(url, method=method)
            assert response.status_code == 302, (endpoint, method, response.status_code)
            assert "/login" in response.headers["Location"], (endpoint, method)
            checked += 1
    assert checked >= 10


def test_anonymous_htmx_request_gets_hx_redirect_not_a_login_page(client):
    response = client.get("/admin/schools", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login")


@pytest.mark.parametrize("role", list(Role))
def test_each_role_is_refused_where_it_is_not_allowed(app, client, city, login, role):
    user = {
        Role.CITY_ADMIN: city.city_admin,
        Role.DISTRICT_ADMIN: city.district_admin,
        Role.SCHOOL_ADMIN: city.school_admin,
        Role.JUDGE: city.judge,
    }[role]
    login(user)
    refused = allowed = 0
    for endpoint, url, methods in _endpoints(app):
        with app.test_request_context():
            rule = declared_access(endpoint)
        if rule == PUBLIC or endpoint == "auth.logout":
            continue
        for method in methods:
            response = client.open(url, method=method)
            if role in rule:
                allowed += 1
                assert response.status_code != 403 or "范围" in response.get_data(as_text=True), (
                    endpoint,
                    method,
                )
            else:
                refused += 1
                assert response.status_code == 403, (endpoint, method, response.status_code)
    assert allowed > 0
    if role != Role.CITY_ADMIN:
        assert refused > 0


# ---------------------------------------------------------------- every workflow POST by every role
#
# Each workflow step is posted by each of seven callers. A caller the rules refuse gets 403 (anonymous:
# 302 to the login page) and the database is left exactly as it was. The first caller the rules allow
# succeeds (2xx/3xx, not a login page) where the case marks ``ok``; the other allowed callers are not
# refused (the step may by then be done, which is a 4xx other than 403, never a refusal).
# Judging POSTs: test_r_role_1_every_judging_post_by_every_role below.

SCHOOL_SCOPE = ("school_admin", "district_admin", "city_admin")
ORGANISERS = ("district_admin", "city_admin")
ALL_DISTRICTS = ("other_district_admin", "district_admin", "city_admin")


def _snapshot():
    """Every row of every table: what a refused POST must leave untouched."""
    import sqlalchemy as sa

    from app.extensions import db

    db.session.expire_all()
    return {
        table.name: sorted(map(repr, db.session.execute(sa.select(table)).all()))
        for table in db.metadata.sorted_tables
    }


def _season(city, f):
    """One competition with a roster, open exemption applications, frozen semifinal quotas, a unit
    awaiting confirmation, an announced draw and an announcement — one object per workflow step."""
    from datetime import date, timedelta

    from app.advancement import services as advancement
    from app.competitions.models import Level, StageKind
    from app.extensions import db
    from app.public import services as public
    from app.rosters.models import ExemptionReason
    from app.rosters.services import apply_exemption, review_exemption
    from app.timeutil import utcnow
    from tests.advancement.helpers import SOURCES, freeze_and_confirm, world

    w = world(city, central=6, affiliate=2, township=4, other=5)
    comp = w.competition
    comp.stage(StageKind.PRELIMINARY).deadline = date(2099, 12, 2)
    entries = w.entries["central"]
    old_male = f.gen_entry(comp, city.central, name="老教师", birth=date(1960, 3, 1), sex="男")
    submitted = apply_exemption(
        city.school_admin,
        f.gen_entry(comp, city.central, birth=date(1961, 1, 1), sex="男"),
        reason=ExemptionReason.RETIREMENT,
    )
    approved = apply_exemption(
        city.school_admin,
        f.gen_entry(comp, city.central, birth=date(1962, 1, 1), sex="男"),
        reason=ExemptionReason.RETIREMENT,
    )
    review_exemption(city.school_admin, approved, approve=True)
    unused = next(s for s in comp.subjects if s.level == Level.JUNIOR and s.name != "语文")
    central_unit = freeze_and_confirm(w, city, city.central)
    township_unit = w.unit(city.township)
    advancement.set_nominations(township_unit, advancement.suggest_by_rank(township_unit), by=city.city_admin)
    draw = (
        advancement.announce_unit_draw(
            central_unit, SOURCES, by=city.city_admin, event_at=utcnow() + timedelta(days=1)
        )
        if advancement.vacancies(central_unit)
        else None
    )
    notice = public.save_announcement(
        comp, None, by=city.district_admin, title="通知", body="正文", pinned=False, district=city.d1
    )
    db.session.commit()
    return {
        "w": w,
        "comp": comp,
        "entries": entries,
        "old_male": old_male,
        "submitted": submitted,
        "approved": approved,
        "unused": unused,
        "central_unit": central_unit,
        "township_unit": township_unit,
        "draw": draw,
        "notice": notice,
    }


def _cases(city, s):
    """(name, url, data, allowed callers, whether the first allowed caller must succeed)."""
    import io

    from app.competitions.models import StageKind
    from tests.rosters import scanfiles
    from tests.rosters.helpers import id_for, xlsx_file

    c, central = s["comp"], city.central
    roster_rows = [[e.name, e.id_number, "小学", e.subject.name, "", "", ""] for e in s["entries"]]
    png = scanfiles.png()  # a whole PNG: the stamped-list check parses every chunk
    cases = [
        (
            "roster add",
            f"/rosters/{c.id}/schools/{central.id}/entries",
            lambda: {
                "name": "新老师",
                "id_number": id_for(__import__("datetime").date(1988, 1, 1)),
                "subject_id": s["entries"][0].subject_id,
            },
            SCHOOL_SCOPE,
            True,
        ),
        (
            "roster edit",
            f"/rosters/entries/{s['entries'][1].id}/edit",
            lambda: {
                "name": "改名",
                "id_number": s["entries"][1].id_number,
                "subject_id": s["entries"][1].subject_id,
            },
            SCHOOL_SCOPE,
            True,
        ),
        ("roster delete", f"/rosters/entries/{s['entries'][2].id}/delete", dict, SCHOOL_SCOPE, True),
        (
            "exemption apply",
            f"/rosters/entries/{s['old_male'].id}/exemption",
            lambda: {"reason": "retirement"},
            SCHOOL_SCOPE,
            True,
        ),
        (
            "exemption review",
            f"/rosters/exemptions/{s['submitted'].id}/review",
            lambda: {"approve": "1"},
            ("school_admin",),
            True,
        ),
        (
            "exemption decide",
            f"/rosters/exemptions/{s['approved'].id}/decide",
            lambda: {"approve": "1"},
            ORGANISERS,
            True,
        ),
        (
            "stamped list",
            f"/rosters/{c.id}/schools/{central.id}/stamped",
            lambda: {"file": (io.BytesIO(png), "盖章.png")},
            SCHOOL_SCOPE,
            True,
        ),
        (
            "subject add",
            f"/competitions/{c.id}/subjects",
            lambda: {"level": "primary", "name": "书法", "kind": "art"},
            ("city_admin",),
            True,
        ),
        ("subject remove", f"/competitions/subjects/{s['unused'].id}/delete", dict, ("city_admin",), True),
        ("competition edit", f"/competitions/{c.id}/edit", dict, ("city_admin",), False),
        (
            "district edit",
            f"/admin/districts/{city.d1.id}",
            lambda: {"code": "D01", "name": "东山区"},
            ("city_admin",),
            True,
        ),
        ("school edit", f"/admin/schools/{central.id}", dict, ORGANISERS, False),
        ("schools import", "/admin/schools/import", dict, ALL_DISTRICTS, False),
        ("user edit", f"/admin/users/{city.school_admin.id}", dict, ORGANISERS, False),
        (
            "quota freeze",
            f"/advancement/stages/{c.stage(StageKind.FINAL).id}/freeze",
            dict,
            ("city_admin",),
            False,
        ),
        ("recommend", f"/advancement/units/{s['central_unit'].id}/recommend", dict, SCHOOL_SCOPE, False),
        ("confirm", f"/advancement/units/{s['township_unit'].id}/confirm", dict, ORGANISERS, True),
        (
            "send back",
            f"/advancement/units/{s['township_unit'].id}/return",
            lambda: {"reason": "请补充"},
            ORGANISERS,
            False,
        ),
        (
            "draw announce",
            f"/advancement/units/{s['central_unit'].id}/draws",
            lambda: {"sources": "彩票号码"},
            ORGANISERS,
            False,
        ),
        (
            "listing open",
            f"/admin/public/stages/{c.stage(StageKind.PRELIMINARY).id}/listing",
            dict,
            ALL_DISTRICTS,
            False,
        ),
        (
            "city-wide announcement",
            f"/admin/public/competitions/{c.id}/announcements/new",
            lambda: {"title": "新通知", "body": "正文"},
            ("city_admin",),
            True,
        ),
        (
            "announcement edit",
            f"/admin/public/announcements/{s['notice'].id}",
            lambda: {"title": "改", "body": "改", "district_id": str(city.d1.id)},
            ORGANISERS,
            False,
        ),
        (
            "announcement delete",
            f"/admin/public/announcements/{s['notice'].id}/delete",
            dict,
            ORGANISERS,
            True,
        ),
        (
            "awards publish",
            f"/awards/{c.id}/publish/semifinal",
            lambda: {"district_id": str(city.d1.id)},
            ORGANISERS,
            False,
        ),
    ]
    cases.append(  # last: it rewrites the central school's roster
        (
            "roster import",
            f"/rosters/{c.id}/schools/{central.id}/import",
            lambda: {"file": (xlsx_file(roster_rows), "名单.xlsx"), "remove_missing": "y"},
            SCHOOL_SCOPE,
            False,
        )
    )
    if s["draw"] is not None:
        cases += [
            ("draw perform", f"/advancement/draws/{s['draw'].id}/perform", dict, ORGANISERS, False),
            (
                "draw void",
                f"/advancement/draws/{s['draw'].id}/void",
                lambda: {"reason": "池有误"},
                ORGANISERS,
                False,
            ),
        ]
    return cases


def _assert_matrix(client, login, callers, cases, *, refused=(403,), **post):
    """Each case POSTed by every caller (in ``callers`` order): outside ``allowed`` refused on the server
    (anonymous: to the login page) with every table unchanged; inside it never refused, and the first
    allowed caller succeeds where the case says so."""
    for name, url, data, allowed, must_succeed in cases:
        before = _snapshot()
        for caller in (c for c in callers if c not in allowed):
            with client.session_transaction() as session:
                session.clear()
            if callers[caller] is not None:
                login(callers[caller])
            response = client.post(url, data=data(), **post)
            if caller == "anonymous":
                assert response.status_code == 302 and "/login" in response.headers["Location"], (
                    name,
                    caller,
                )
            else:
                assert response.status_code in refused, (name, caller, response.status_code)
        assert _snapshot() == before, f"{name}: a refused POST changed the database"
        for i, caller in enumerate(c for c in callers if c in allowed):
            with client.session_transaction() as session:
                session.clear()
            login(callers[caller])
            response = client.post(url, data=data(), **post)
            assert response.status_code not in (401, 403), (name, caller, response.status_code)
            assert "/login" not in response.headers.get("Location", ""), (name, caller)
            if i == 0 and must_succeed:
                assert response.status_code < 400, (name, caller, response.status_code)


def test_r_role_1_every_workflow_post_by_every_role(app, client, city, login, f):
    """R-ROLE-1, R-ROS-4: role *and* scope checked on the server for the POST of every workflow step."""
    callers = _callers(city, f)
    season = _season(city, f)
    cases = _cases(city, season)
    assert len(cases) >= 27 and season["draw"] is not None
    _assert_matrix(client, login, callers, cases, content_type="multipart/form-data")


def _judging_cases(city, f):
    """The judging workflow on one open preliminary panel of the central school's unit (R-ORG-2):
    its school admin, its district and the city organise it; the demo judge heads it."""
    from app.judging import services as judging
    from app.roles import Role
    from tests.judging.helpers import preliminary_panel, values

    s = preliminary_panel(city, entries=4)
    p = s.panel
    second = s.judges[1]
    sheet = judging.submit_sheet(
        s.appearance(1), second, values(p, "80", "80", "80", "80"), version=None, editor="t"
    )
    newcomer = f.gen_user(Role.JUDGE, school=city.township)
    outsider = f.gen_user(Role.JUDGE, school=city.other_school)  # judges no panel here
    callers = _callers(city, f) | {"other_judge": outsider}
    from app.extensions import db

    db.session.commit()
    organisers = ("school_admin", "district_admin", "city_admin")
    return callers, [
        (
            "sheet autosave",
            f"/judging/score/{s.appearance(0).id}/autosave",
            lambda: {**values(p, "90"), "version": "0", "editor": "t"},
            ("judge",),
            True,
        ),
        ("sheet submit", f"/judging/score/{s.appearance(2).id}/submit", dict, ("judge",), False),
        (
            "sheet amend",
            f"/judging/sheets/{sheet.id}",
            lambda: {**values(p, "81", "80", "80", "80"), "reason": "录入有误"},
            (*organisers, "judge"),  # the judge heads the panel
            False,
        ),
        ("room display number", f"/judging/panels/{p.id}/current", dict, (*organisers, "judge"), False),
        ("sign-in codes", f"/judging/panels/{p.id}/codes", dict, organisers, False),
        (
            "judge assign",
            f"/judging/panels/{p.id}/judges",
            lambda: {"user_id": newcomer.id},
            organisers,
            False,
        ),
        ("judge head", f"/judging/panels/{p.id}/judges/{second.id}/head", dict, organisers, False),
        ("panel fill", f"/judging/panels/{p.id}/fill", dict, organisers, False),
        ("order draw", f"/judging/panels/{p.id}/draw", lambda: {"step": "announce"}, organisers, False),
        ("panel close", f"/judging/panels/{p.id}/status", lambda: {"status": "closed"}, organisers, False),
    ]


def _callers(city, f):
    """Who POSTs each step, in the order the allowed ones are tried."""
    from app.roles import Role

    return {
        "anonymous": None,
        "other_school_admin": f.gen_user(Role.SCHOOL_ADMIN, school=city.other_school),
        "school_admin": city.school_admin,
        "other_district_admin": city.other_district_admin,
        "district_admin": city.district_admin,
        "city_admin": city.city_admin,
        "judge": city.judge,
    }


def test_r_role_1_every_judging_post_by_every_role(app, client, city, login, f):
    """R-ROLE-1, R-PANEL-1, R-SCORE-2: every judging step refused on the server outside role and scope
    (a school admin of another unit, another district, a judge who does not head the panel)."""
    callers, cases = _judging_cases(city, f)
    _assert_matrix(client, login, callers, cases, refused=(403, 404))
