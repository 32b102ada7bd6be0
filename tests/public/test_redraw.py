"""R-PUB-2 × R-DRAW-2: an objection upheld for fraud against a drawn semifinalist re-draws the vacant place."""

from __future__ import annotations

import sqlalchemy as sa

from app.advancement import services as advancement
from app.draws.models import Draw, DrawStatus
from app.extensions import db
from app.public import services
from app.public.models import ObjectionStatus
from app.rosters.models import AdvanceRoute
from tests.draws.helpers import AFTER_EVENT
from tests.public.helpers import advance_central_unit, listed


def test_fraud_on_a_drawn_place_announces_a_linked_redraw(city):
    w = listed(city)
    unit, draw = advance_central_unit(w, city)
    before = {r.entry.id: r.route for r in advancement.shortlist(w.semifinal)}
    assert sorted(before.values()) == [AdvanceRoute.DRAWN, AdvanceRoute.RECOMMENDED, AdvanceRoute.RECOMMENDED]
    drawn = next(r.entry for r in advancement.shortlist(w.semifinal) if r.route == AdvanceRoute.DRAWN)

    objection = services.file_objection(
        w.semifinal, drawn, reason="抽中的教师年龄造假。", filer_name="王五", filer_phone="13800001111"
    )
    redraws = services.resolve_objection(
        objection,
        by=city.district_admin,
        outcome=ObjectionStatus.UPHELD,
        note="经核实身份信息造假，取消资格。",
        fraud=True,
    )
    db.session.commit()

    assert [d.parent_id for d in redraws] == [draw.id] and redraws[0].count == 1
    assert drawn.id not in {r.entry.id for r in advancement.shortlist(w.semifinal)}
    advancement.perform_draw(redraws[0], [[1, 2, 3], [4, 5, 6]], by=city.district_admin, now=AFTER_EVENT)
    db.session.commit()
    after = advancement.shortlist(w.semifinal)
    assert len(after) == 3 and drawn.id not in {r.entry.id for r in after}
    draws = db.session.scalars(sa.select(Draw).where(Draw.stage_id == w.semifinal.id).order_by(Draw.id)).all()
    assert [(d.id, d.parent_id, d.status) for d in draws] == [
        (draw.id, None, DrawStatus.DRAWN),
        (redraws[0].id, draw.id, DrawStatus.DRAWN),
    ]
