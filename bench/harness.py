"""A throw-away app on a temporary SQLite file (or DATABASE_URL) for benchmarks."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager

from app import create_app
from app.extensions import db, limiter


@contextmanager
def bench_app():
    """An app context on a fresh schema; dropped afterwards."""
    folder = tempfile.mkdtemp(prefix="bench-")
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder}/bench.sqlite3"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "TESTING": True,
            "SERVER_NAME": "localhost",
            "WTF_CSRF_ENABLED": False,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )
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


def timed(fn: Callable[[], object], repeat: int = 5) -> tuple[float, float]:
    """(median, best) wall-clock seconds over ``repeat`` runs."""
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), min(runs)
