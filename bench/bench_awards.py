"""Awards at city scale: publish a district's semifinal list (600 competitors: pools, ranks, prizes,
snapshot rows, codes), then render the public results page, a verification and the certificate pages (one QR
code each)."""

from __future__ import annotations

import statistics
import time
from datetime import date
from decimal import Decimal

from bench.harness import bench_app

COMPETITORS = 600


def _ms(fn, repeat: int = 5) -> str:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - start) * 1000)
    return f"{statistics.median(runs):.1f} ms"


def _get(client, url: str):
    with client.application.app_context():  # a fresh context per request, as in production (no shared ``g``)
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response


def run():
    with bench_app() as app:
        from app.awards import services
        from app.awards.models import AwardKind
        from app.competitions.models import StageKind
        from app.extensions import db
        from app.judging.results import EntryResult
        from tests import factories
        from tests.awards.helpers import competitors

        city = factories.gen_city()
        competition = factories.gen_competition()
        schools = [city.central, city.affiliate] + [factories.gen_school(city.d1) for _ in range(10)]
        entries = []  # batches with different birth dates: gen_entry's ID sequence wraps at 500 per birth date
        for batch in range(COMPETITORS // 100):
            entries += competitors(
                competition, StageKind.SEMIFINAL, schools, 100, birth=date(1985, 6, 1 + batch)
            )
        db.session.commit()
        # Results as the judging domain reports them (its own cost is in bench_judging).
        results = [
            EntryResult(e.id, Decimal(60) + Decimal(i % 400) / 10, None, e.group, e.subject_id, 5, ())
            for i, e in enumerate(entries)
        ]
        original = services.stage_results
        services.stage_results = lambda stage, entry_ids=None, ranked=True: results
        scope = services.Scope(AwardKind.SEMIFINAL, city.d1.id)
        try:

            def publish_and_undo():
                services.publish(competition, scope, by=city.city_admin)
                db.session.rollback()

            yield f"publish a semifinal list of {COMPETITORS} competitors", _ms(publish_and_undo)
            release = services.publish(competition, scope, by=city.city_admin)
            db.session.commit()
        finally:
            services.stage_results = original
        yield "awards published", str(len(release.awards))
        release_id, code, release_awards = release.id, release.awards[0].code, list(release.awards)
        big_school = max(schools, key=lambda s: sum(1 for a in release_awards if a.school_id == s.id))
        admin_id, competition_id = city.city_admin.get_id(), competition.id
        db.session.remove()
        client = app.test_client()
        yield "public results page (all awards)", _ms(lambda: _get(client, f"/results/{competition_id}"))
        yield "public results search", _ms(lambda: _get(client, f"/results/{competition_id}?q=教师1"))
        yield "certificate verification", _ms(lambda: _get(client, f"/verify/{code}"))
        with client.session_transaction() as session:
            session["_user_id"] = admin_id
            session["_fresh"] = True
        batch = f"/awards/releases/{release_id}/certificates"
        yield (
            f"certificates page, all {len(release_awards)} (QR each)",
            _ms(lambda: _get(client, batch), repeat=3),
        )
        yield (
            "certificates page, one school's batch",
            _ms(lambda: _get(client, f"{batch}?school={big_school.id}")),
        )
