"""R-PUB-1: nothing private ever leaves the server on a public page.

Every public endpoint in the url_map (ours and every other domain's) is rendered with real ids for a
roster whose private fields — ID number, phone, birth date, exemption reason — and the objection
filers' names and phones hold unique markers; none of them may appear.
"""

from __future__ import annotations

import itertools
import re

import sqlalchemy as sa

from app.draws.models import Draw
from app.extensions import db
from app.public import services
from app.public.models import Announcement, Objection, ObjectionStatus
from app.rosters.models import Entry
from app.web.access import PUBLIC, declared_access
from tests.public.helpers import advance_central_unit, listed

OWN = {
    "public.index",
    "public.competition",
    "public.announcement",
    "public.listing",
    "public.objection_form",
    "public.track",
    "public.objection_status",
}


def _world(city):
    w = listed(city)
    advance_central_unit(w, city)
    services.save_announcement(w.competition, None, by=city.city_admin, title="公示通知", body="请监督。")
    services.file_objection(
        w.preliminary,
        w.entries["central"][0],
        reason="理由一二三四五",
        filer_name="MARK-FILER-NAME-A",
        filer_phone="13700000001",
    )
    upheld = services.file_objection(
        w.preliminary,
        w.entries["other"][1],
        reason="理由一二三四五",
        filer_name="MARK-FILER-NAME-B",
        filer_phone="13700000002",
    )
    services.resolve_objection(
        upheld, by=city.city_admin, outcome=ObjectionStatus.UPHELD, note="材料造假。", fraud=True
    )
    db.session.commit()
    return w


def _markers(w) -> set[str]:
    entries = db.session.scalars(sa.select(Entry).where(Entry.competition_id == w.competition.id)).all()
    out = {"MARK-EXEMPT-REASON", "MARK-FILER-NAME", "13700000001", "13700000002"}
    for e in entries:
        out |= {e.id_number, e.id_number[6:14], e.phone, e.birth_date.isoformat()}
    return {m for m in out if m}


def _candidates(w) -> dict[str, list]:
    codes = db.session.scalars(sa.select(Objection.tracking_code)).all()
    return {
        "competition_id": [w.competition.id],
        "stage_id": [s.id for s in w.competition.stages],
        "announcement_id": db.session.scalars(sa.select(Announcement.id)).all(),
        "number": [e.entrant_number for e in w.entries["central"] + w.entries["other"][:2]],
        "code": codes + [c.lower() for c in codes],
        "draw_id": db.session.scalars(sa.select(Draw.id)).all(),
        "entry_id": [e.id for e in w.all_entries()][:5],
        "school_id": [w.entries["central"][0].school_id],
    }


def _public_urls(app, candidates):
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if (
                rule.endpoint == "static"
                or "GET" not in rule.methods
                or declared_access(rule.endpoint) != PUBLIC
            ):
                continue
            names = sorted(rule.arguments)
            pools = [
                candidates.get(n) or candidates.get(n.removesuffix("_id") + "_id") or [1, 2] for n in names
            ]
            for combo in itertools.product(*pools):
                values = dict(zip(names, combo))
                url = re.sub(
                    r"<(?:[^:<>]+:)?([^<>]+)>", lambda m, values=values: str(values[m.group(1)]), rule.rule
                )
                yield rule.endpoint, url


def test_no_private_data_on_any_public_page(app, client, city):
    """R-PUB-1."""
    w = _world(city)
    markers = _markers(w)
    candidates = _candidates(w)
    extra = [
        f"/p/stages/{w.preliminary.id}?q=老师",
        f"/p/stages/{w.semifinal.id}?q=中心",
        f"/p/stages/{w.preliminary.id}?school={city.affiliate.id}",
        "/p/objections?code=nothing",
    ]
    ok: set[str] = set()
    seen = 0
    for endpoint, url in itertools.chain(_public_urls(app, candidates), (("extra", u) for u in extra)):
        for headers in ({}, {"HX-Request": "true"}) if endpoint in OWN | {"extra"} else ({},):
            response = client.get(url, headers=headers)
            assert response.status_code < 500, (url, response.status_code)
            body = response.get_data(as_text=True)
            leaked = [m for m in markers if m in body]
            assert not leaked, (url, leaked)
            if response.status_code == 200:
                ok.add(endpoint)
            seen += 1
    assert OWN - {"public.index", "public.track"} <= ok, OWN - ok
    assert seen > 50
    # The lists really were rendered: the names are there, the private fields are not.
    page = client.get(f"/p/stages/{w.semifinal.id}").get_data(as_text=True)
    assert "推荐" in page and "抽取" in page and "随机抽取记录" in page
