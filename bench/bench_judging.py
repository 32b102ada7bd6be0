"""Server-side time per judge autosave (R-SCORE-2): one item changed, version checked, status block rendered."""
from __future__ import annotations

import os
import statistics
import tempfile
import time
from contextlib import contextmanager

SAVES = 600


@contextmanager
def judging_app():
    """Like bench.harness.bench_app (which trips over Flask-Limiter's extension entry being a set)."""
    from app import create_app
    from app.extensions import db, limiter

    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp(prefix='bench-')}/bench.sqlite3"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True,
                      "WTF_CSRF_ENABLED": False, "SERVER_NAME": "localhost"})
    limiter.enabled = False
    with app.app_context():
        db.drop_all()
        db.create_all()
        try:
            yield app
        finally:
            db.session.rollback()
            db.session.remove()
            db.drop_all()


def run():
    with judging_app() as app:
        from app.extensions import db
        from tests import factories
        from tests.judging.helpers import preliminary_panel

        city = factories.gen_city()
        setup = preliminary_panel(city, judges=5, entries=10)
        items = [i.id for i in setup.panel.form.items]
        appearance_ids = [a.id for a in sorted(setup.panel.appearances, key=lambda a: a.position)]
        users = [j.get_id() for j in setup.judges]
        db.session.remove()
        clients = []
        for user_id in users:
            client = app.test_client()
            with client.session_transaction() as session:
                session["_user_id"] = user_id
                session["_fresh"] = True
            clients.append(client)
        times = []
        versions: dict[tuple[int, int], int] = {}
        for n in range(SAVES):
            c, a = n % len(clients), appearance_ids[(n // len(clients)) % len(appearance_ids)]
            form = {f"item-{items[n % len(items)]}": str(60 + n % 40), "version": str(versions.get((c, a), 0)),
                    "editor": f"bench{c}"}
            with app.app_context():  # a fresh context per request, as in production (no shared ``g``)
                start = time.perf_counter()
                response = clients[c].post(f"/judging/score/{a}/autosave", data=form, headers={"HX-Request": "true"})
                times.append(time.perf_counter() - start)
            assert response.status_code == 200, (n, response.status_code)
            versions[(c, a)] = versions.get((c, a), 0) + 1
        times.sort()
        ms = [t * 1000 for t in times]
        yield f"autosave, {SAVES} saves (median)", f"{statistics.median(ms):.2f} ms"
        yield "autosave p95", f"{ms[int(len(ms) * 0.95)]:.2f} ms"
        yield "autosave max", f"{ms[-1]:.2f} ms"
