"""Published records re-run through an independent RFC 3797 implementation (R-DRAW-1): votelib's
RFC3797Selector (PyPI), by other authors, with its own key formation and selection.

Independent implementations agree on numeric sources only: for a text value votelib ends the source
with "/" where others write "./". The portal therefore takes numbers only (a score is entered as its
numbers), and every published key is compared whole with the key votelib forms itself.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from votelib.evaluate.auxiliary import RFC3797Selector

from app.advancement import services as advancement
from app.draws import services
from app.draws.models import Draw
from app.draws.rfc3797 import DrawError, PoolEntry, run_draw
from app.errors import DomainError
from app.extensions import db
from tests.advancement.helpers import SOURCES, freeze_and_confirm, world
from tests.draws.helpers import AFTER_EVENT, EVENT_AT


def votelib_rerun(record: dict) -> list[int]:
    """Re-run a published record with votelib: candidates in pool order, n = count."""
    selector = RFC3797Selector([[int(v) for v in source["values"]] for source in record["sources"]])
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
        [["３", "7", "1"], ["4、1"]],  # full-width digits and 、 as typed on a Chinese keyboard
    ],
    ids=["numbers", "zeros", "full-width"],
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


@pytest.mark.parametrize("typed", ["W 4-1", "88-76", "Café", "八十八"])
def test_r_draw_1_text_source_values_are_refused_with_how_to_enter_them(city, typed):
    """Where implementations disagree (text values), no key is formed: the values are entered as numbers."""
    w = world(city)
    unit = freeze_and_confirm(w, city, city.other_school)
    draw = advancement.announce_unit_draw(unit, SOURCES, by=city.city_admin, event_at=EVENT_AT)
    with pytest.raises((DrawError, DomainError), match="88 76"):
        advancement.perform_draw(
            draw, [["3", "7", "1"], services.parse_values(typed)], by=city.city_admin, now=AFTER_EVENT
        )
