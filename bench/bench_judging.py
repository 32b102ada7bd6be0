"""Server-side time per judge autosave (R-SCORE-2): one item changed, version checked, status block rendered."""

from __future__ import annotations

import statistics
import time

from bench.harness import bench_app

SAVES = 600


def run():
    with bench_app() as app:
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
        import sqlalchemy as sa

        statements = []
        sa.event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(1))
        times, cpu, counts = [], [], []
        inner = app.wsgi_app

        def timed_wsgi(environ, start_response):
            """Server side only: from the WSGI call to the body, without the test client's own work."""
            start, start_cpu = time.perf_counter(), time.process_time()
            body = b"".join(inner(environ, start_response))
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
            return [body]

        app.wsgi_app = timed_wsgi
        versions: dict[tuple[int, int], int] = {}
        for n in range(SAVES):
            c, a = n % len(clients), appearance_ids[(n // len(clients)) % len(appearance_ids)]
            form = {
                f"item-{items[n % len(items)]}": str(60 + n % 40),
                "version": str(versions.get((c, a), 0)),
                "editor": f"bench{c}",
            }
            with app.app_context():  # a fresh context per request, as in production (no shared ``g``)
                statements.clear()
                response = clients[c].post(
                    f"/judging/score/{a}/autosave", data=form, headers={"HX-Request": "true"}
                )
                counts.append(len(statements))
            assert response.status_code == 200, (n, response.status_code)
            versions[(c, a)] = versions.get((c, a), 0) + 1
        times.sort()
        ms = [t * 1000 for t in times]
        yield f"autosave, {SAVES} saves (median)", f"{statistics.median(ms):.2f} ms"
        yield "autosave p95", f"{ms[int(len(ms) * 0.95)]:.2f} ms"
        yield "autosave max", f"{ms[-1]:.2f} ms"
        # CPU time of this process: what a busy machine (other jobs on the cores) does not inflate
        yield "autosave CPU time (median)", f"{statistics.median(cpu) * 1000:.2f} ms"
        yield "SQL statements per autosave (median)", f"{statistics.median(counts):.0f}"
