"""R-SCORE-2 under load: 100 judges submitting at once lose and duplicate nothing, each also double-tapping
from two devices; two devices of one judge racing on a draft never both win.

The guarantee comes from the database, not from timing: the unique (panel, judge, teacher) sheet with
INSERT … ON CONFLICT DO NOTHING, and the version compare-and-set UPDATE (``services._claim``). The
threads below start together at a barrier, each with its own app context and database session, as
requests in a multi-threaded or multi-process server would.
"""

import threading
from decimal import Decimal as D

import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.extensions import db
from app.judging import services
from app.judging.models import ItemScore, PanelJudge, ScoreSheet, SheetStatus
from app.roles import Role
from tests.judging.helpers import preliminary_panel, values

JUDGES = 100
HX = {"HX-Request": "true"}  # as the tablet page sends them


def _panel_with(city, f, judges: int):
    s = preliminary_panel(city, judges=3, entries=1)
    extra = [f.gen_user(Role.JUDGE, school=city.township) for _ in range(judges - 3)]
    for judge in extra:
        db.session.add(PanelJudge(panel_id=s.panel.id, user_id=judge.id))
    db.session.commit()
    return s, s.judges + extra


def _all_at_once(app, jobs):
    """POST every (user id, url, form) at the same moment; returns (user id, status) pairs and errors."""
    barrier = threading.Barrier(len(jobs))
    results, errors = [], []

    def run(user_id, url, form):
        with app.app_context():  # a thread has no app context of its own
            client = app.test_client()
            with client.session_transaction() as session:
                session["_user_id"] = user_id
                session["_fresh"] = True
            try:
                barrier.wait()
                results.append(
                    (user_id, form.get("editor"), client.post(url, data=form, headers=HX).status_code)
                )
            except Exception as exc:
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=job) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    db.session.rollback()
    return results, errors


def _stored(sheet_id: int, items) -> list:
    rows = dict(
        db.session.execute(
            sa.select(ItemScore.item_id, ItemScore.value).where(ItemScore.sheet_id == sheet_id)
        ).all()
    )
    return [rows[i.id] for i in items]


def test_hundred_judges_submit_at_once(city, app, f):
    s, judges = _panel_with(city, f, JUDGES)
    url = f"/judging/score/{s.appearance(0).id}/submit"
    items = s.panel.form.items
    expected, jobs = {}, []
    for n, judge in enumerate(judges):
        scores = [str(60 + n % 40), str(50 + n % 50), f"{70 + n % 30}.5", str(n % 101)]
        expected[judge.id] = [D(v) for v in scores]
        form = {**values(s.panel, *scores), "version": "0"}
        for device in ("a", "b"):  # the same judge taps 提交 on two devices at the same moment
            jobs.append((judge.get_id(), url, {**form, "editor": f"{judge.id}{device}"}))
    results, errors = _all_at_once(app, jobs)
    assert errors == []
    # one device of each judge wins (200, the locked status area), the other is told the sheet is already locked (409)
    assert sorted(status for _, _, status in results) == [200] * JUDGES + [409] * JUDGES
    sheets = db.session.scalars(sa.select(ScoreSheet)).all()
    assert len(sheets) == JUDGES and {s.judge_id for s in sheets} == set(expected)
    assert all(s.status == SheetStatus.SUBMITTED for s in sheets)
    for sheet in sheets:
        assert _stored(sheet.id, items) == expected[sheet.judge_id]
    assert db.session.scalar(sa.select(sa.func.count(ItemScore.id))) == JUDGES * len(items)
    assert (
        db.session.scalar(
            sa.select(sa.func.count(AuditEntry.id)).where(AuditEntry.action == "judging.sheet_submitted")
        )
        == JUDGES
    )


def test_two_devices_racing_on_a_draft_never_both_win(city, app, f):
    """Both devices loaded version 1 and save different figures at once: one is stored, the other gets 409."""
    s, judges = _panel_with(city, f, 20)
    appearance = s.appearance(0)
    items = s.panel.form.items
    for judge in judges:
        services.save_sheet(
            appearance, judge, values(s.panel, "70"), version=None, editor=f"{judge.id}-first"
        )
    db.session.commit()
    url = f"/judging/score/{appearance.id}/autosave"
    jobs = [
        (
            judge.get_id(),
            url,
            {**values(s.panel, figure, figure), "version": "1", "editor": f"{judge.id}{device}"},
        )
        for judge in judges
        for device, figure in (("a", "81"), ("b", "92"))
    ]
    results, errors = _all_at_once(app, jobs)
    assert errors == []
    judge_of = {judge.get_id(): judge.id for judge in judges}
    winners = {}
    for user_id, editor, status in results:
        assert status in (200, 409)
        if status == 200:
            assert judge_of[user_id] not in winners, "both devices of one judge were accepted"
            winners[judge_of[user_id]] = D("81") if editor.endswith("a") else D("92")
    assert set(winners) == {j.id for j in judges}  # exactly one per judge
    sheets = db.session.scalars(sa.select(ScoreSheet)).all()
    assert len(sheets) == len(judges)
    for sheet in sheets:  # the stored figures are the winner's, whole (never half of each)
        assert _stored(sheet.id, items)[:2] == [winners[sheet.judge_id]] * 2 and sheet.version == 2
