"""100 judges submitting at once lose and duplicate nothing (R-SCORE-2), each also double-tapping from two devices."""
import threading
from decimal import Decimal as D

import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.auth.models import Role
from app.extensions import db
from app.judging.models import ItemScore, ScoreSheet, SheetStatus
from tests.judging.helpers import preliminary_panel, values

JUDGES = 100


def test_hundred_judges_submit_at_once(city, app, f):
    s = preliminary_panel(city, judges=3, entries=1)
    extra = [f.gen_user(Role.JUDGE, school=city.township) for _ in range(JUDGES - 3)]
    from app.judging.models import PanelJudge

    for judge in extra:
        db.session.add(PanelJudge(panel_id=s.panel.id, user_id=judge.id))
    db.session.commit()
    judges = s.judges + extra
    appearance_id = s.appearance(0).id
    items = s.panel.form.items
    expected = {}
    jobs = []
    for n, judge in enumerate(judges):
        scores = [str(60 + n % 40), str(50 + n % 50), f"{70 + n % 30}.5", str(n % 101)]
        expected[judge.id] = [D(v) for v in scores]
        form = {**values(s.panel, *scores), "version": "0"}
        for device in ("a", "b"):  # the same judge taps 提交 on two devices at the same moment
            jobs.append((judge.get_id(), {**form, "editor": f"{judge.id}{device}"}))
    barrier = threading.Barrier(len(jobs))
    statuses, errors = [], []

    def run(user_id, form):
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = user_id
            session["_fresh"] = True
        try:
            barrier.wait()
            statuses.append(client.post(f"/judging/score/{appearance_id}/submit", data=form).status_code)
        except Exception as exc:  # noqa: BLE001 — reported below
            errors.append(repr(exc))

    threads = [threading.Thread(target=run, args=job) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    # one device of each judge wins (303), the other is told the sheet is already locked (409)
    assert sorted(statuses) == [303] * JUDGES + [409] * JUDGES
    db.session.rollback()
    sheets = db.session.scalars(sa.select(ScoreSheet)).all()
    assert len(sheets) == JUDGES and {s.judge_id for s in sheets} == set(expected)
    assert all(s.status == SheetStatus.SUBMITTED for s in sheets)
    for sheet in sheets:
        stored = dict(db.session.execute(sa.select(ItemScore.item_id, ItemScore.value)
                                         .where(ItemScore.sheet_id == sheet.id)).all())
        assert [stored[i.id] for i in items] == expected[sheet.judge_id]
    assert db.session.scalar(sa.select(sa.func.count(ItemScore.id))) == JUDGES * len(items)
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))
                             .where(AuditEntry.action == "judging.sheet_submitted")) == JUDGES
