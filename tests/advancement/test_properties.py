"""Properties of the persisted advancement draw (R-DRAW-1, R-DRAW-2) over real rows, via hypothesis.

The pure RFC 3797 properties (verifier accepts every genuine record, rejects every edited one) live
in ``tests/draws/test_rfc3797.py``; here: whatever the unit, its recommendations and its disqualifications, the
draw never picks a recommended or disqualified teacher, never picks twice, fills exactly its drawn
places, and its stored record verifies — and so does a re-draw after a disqualification.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.advancement import services
from app.competitions.models import StageKind
from app.draws.rfc3797 import DrawRecord, verify_record, verify_redraw
from app.extensions import db
from app.rosters.models import AdvanceRoute
from app.timeutil import utcnow
from tests import factories
from tests.advancement.helpers import SOURCES
from tests.draws.helpers import AFTER_EVENT, EVENT_AT

_VALUES = st.lists(st.lists(st.integers(0, 99), min_size=1, max_size=4), min_size=2, max_size=2)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(size=st.integers(4, 40), data=st.data(), values=_VALUES)
def test_draw_never_picks_recommended_or_disqualified_nor_twice(city, size, data, values):
    try:
        competition = factories.gen_competition(name=f"性质测试{size}")
        semifinal = competition.stage(StageKind.SEMIFINAL)
        entries = [factories.gen_entry(competition, city.other_school) for _ in range(size)]
        disqualified = data.draw(st.sets(st.sampled_from(range(size)), max_size=size // 3))
        for i in disqualified:
            entries[i].disqualified_at = utcnow()
        db.session.flush()
        services.freeze_quotas(semifinal, by=city.city_admin)
        unit = next(u for u in services.quota_rows(semifinal) if u.school_id == city.other_school.id).unit
        eligible = [e for i, e in enumerate(entries) if i not in disqualified]
        picked = data.draw(st.permutations(eligible))[: services.required_count(unit)]
        services.set_nominations(unit, [e.id for e in picked], by=city.city_admin)
        services.confirm_unit(unit, by=city.city_admin)
        if unit.drawn == 0:
            return
        draw = services.announce_unit_draw(unit, SOURCES, by=city.city_admin, event_at=EVENT_AT)
        added = services.perform_draw(draw, values, by=city.city_admin, now=AFTER_EVENT)
        chosen = [a.entry_id for a in added]
        barred = {e.id for e in picked} | {entries[i].id for i in disqualified}
        assert len(chosen) == len(set(chosen)) == unit.drawn
        assert not set(chosen) & barred
        record = DrawRecord.from_json(draw.record_json)
        assert verify_record(record) == []
        edited = json.loads(draw.record_json)
        edited["selected"] = (
            edited["selected"][::-1] if len(edited["selected"]) > 1 else [edited["selected"][0] + 1]
        )
        assert verify_record(DrawRecord.from_json(json.dumps(edited))) != []

        # a drawn teacher is disqualified: the re-draw fills only that place, from the rest
        victim = next(a for a in added).entry
        victim.disqualified_at = utcnow()
        redraws = services.handle_disqualification(victim, by=city.city_admin)
        if not redraws:  # nobody left to draw from
            assert len(draw.pool_json) == unit.drawn
            return
        [redraw] = redraws
        more = services.perform_draw(redraw, [v + [100] for v in values], by=city.city_admin, now=AFTER_EVENT)
        assert len(more) == 1 and more[0].entry_id not in barred | set(chosen)
        assert verify_redraw(record, DrawRecord.from_json(redraw.record_json)) == []
        drawn_now = [r for r in services.shortlist(semifinal) if r.route == AdvanceRoute.DRAWN]
        assert len(drawn_now) == unit.drawn
    finally:
        db.session.rollback()
