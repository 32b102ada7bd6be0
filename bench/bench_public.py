"""Public pages on the demo city (~2,000 teachers): server time and SQL statements per page (R-PUB-1)."""

from __future__ import annotations

import statistics
import time

REPEAT = 30


def run():
    import sqlalchemy as sa

    from app import demo
    from app.competitions.models import StageKind
    from app.extensions import db
    from bench.harness import bench_app

    with bench_app() as app:
        competition = demo.load()
        db.session.commit()
        cid, stage_id = competition.id, competition.stage(StageKind.PRELIMINARY).id
        db.session.remove()
        statements: list[str] = []
        sa.event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
        client = app.test_client()
        pages = [
            ("competition page", f"/p/competitions/{cid}", {}),
            ("preliminary listing, first 100 rows", f"/p/stages/{stage_id}", {}),
            ("listing search (htmx fragment)", f"/p/stages/{stage_id}?q=王", {"HX-Request": "true"}),
        ]
        for label, url, headers in pages:
            times = []
            for _ in range(REPEAT):
                statements.clear()
                with app.app_context():
                    start = time.perf_counter()
                    response = client.get(url, headers=headers)
                    times.append(time.perf_counter() - start)
                assert response.status_code == 200, (url, response.status_code)
            yield f"{label} (median of {REPEAT})", f"{statistics.median(times) * 1000:.1f} ms"
            yield f"{label}: SQL statements", str(len(statements))
