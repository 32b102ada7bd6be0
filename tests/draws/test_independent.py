"""Published records re-run through an independent RFC 3797 implementation (R-DRAW-1): votelib's
RFC3797Selector (PyPI), by other authors, with its own key formation and selection.

votelib follows RFC 3797 §4 for numbers. For a text value it removes what the RFC says to remove and
upper-cases, but ends the source with "/" where the RFC says "suffixed with a './'"; so for a text
source the key is formed by the RFC's words (checked against votelib's canonical characters) and the
selection is re-run by votelib from that key.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

pytest.importorskip("votelib")
from votelib.evaluate.auxiliary import RFC3797Selector

from app.advancement import services as advancement
from app.draws import services
from app.draws.models import Draw
from app.draws.rfc3797 import PoolEntry, canonical_source, run_draw
from app.extensions import db
from tests.advancement.helpers import SOURCES, freeze_and_confirm, world
from tests.draws.helpers import AFTER_EVENT, EVENT_AT


def _is_text(values) -> bool:
    return any(isinstance(v, str) and not v.strip().isdigit() for v in values)


def votelib_rerun(record: dict) -> list[int]:
    """Re-run a published record with votelib: candidates in pool order, n = count."""
    sources = []
    for source in record["sources"]:
        values = source["values"]
        sources.append(values[0] if _is_text(values) else [int(v) for v in values])
    selector = RFC3797Selector(sources)
    if any(_is_text(s["values"]) for s in record["sources"]):
        # RFC 3797 §4 ends a text source with "./": votelib's canonical characters, the RFC's suffix
        ours = "".join(canonical_source(s["values"]) for s in record["sources"])
        theirs = selector.seed_bytes.decode("ascii")
        assert ours.replace("./", "/") == theirs.replace("./", "/")  # same characters, same order
        selector.seed_bytes = ours.encode("ascii")
    assert selector.seed_bytes.decode("ascii") == record["key"]
    candidates = {p["number"]: 1 for p in record["pool"]}
    return selector.evaluate(candidates, record["count"])


def test_r_draw_1_rfc3797_section6_example_through_votelib():
    sources = [[9319], [2, 5, 8, 10, 12], [9, 18, 26, 34, 41, 45]]
    picks = RFC3797Selector(sources).evaluate(dict.fromkeys(range(1, 26), 1), 10)
    assert picks == [17, 7, 2, 16, 25, 23, 8, 24, 19, 13]
    ours = run_draw(
        [PoolEntry(n, "") for n in range(1, 26)], [(str(i), v) for i, v in enumerate(sources)], 10
    )
    assert ours.selected == picks and ours.key == "9319./2.5.8.10.12./9.18.26.34.41.45./"


@pytest.mark.parametrize(
    "values",
    [
        [["3", "7", "1"], ["6", "2", "5"]],
        [["07", "0", "7"], ["88 76"]],  # leading zeros, repeats, a score entered as two numbers
        [["3", "7", "1"], ["W 4-1"]],  # a text source, canonicalised per RFC 3797 §4
        [["0", "9"], ["Café-Zürich 2"]],
    ],
    ids=["numbers", "zeros", "text", "accents"],
)
def test_r_draw_1_published_records_rerun_by_votelib(client, city, values):
    w = world(city)
    unit = freeze_and_confirm(w, city, city.other_school)
    draw = advancement.announce_unit_draw(unit, SOURCES, by=city.city_admin, event_at=EVENT_AT)
    advancement.perform_draw(
        draw, [services.parse_values(" ".join(v)) for v in values], by=city.city_admin, now=AFTER_EVENT
    )
    db.session.commit()
    record = client.get(f"/draws/{draw.id}.json").get_json()
    assert votelib_rerun(record) == record["selected"]


def test_r_panel_2_order_of_appearance_record_rerun_by_votelib(client, city):
    from app.judging import services as judging
    from tests.judging.helpers import preliminary_panel

    s = preliminary_panel(city, entries=6, open_=False)
    s.panel.draw_id = None
    judging.announce_appearance_draw(s.panel, ["现场掷骰子五次"], by=city.city_admin, event_at=EVENT_AT)
    judging.perform_appearance_draw(s.panel, [["6", "1", "3", "3", "5"]], by=city.city_admin, now=AFTER_EVENT)
    db.session.commit()
    draw = db.session.scalar(sa.select(Draw).where(Draw.id == s.panel.draw_id))
    record = client.get(f"/draws/{draw.id}.json").get_json()
    assert votelib_rerun(record) == record["selected"] and len(record["selected"]) == 6
