"""Rate limits shared by every worker and server without Redis: Flask-Limiter's counters in the database.

``RATELIMIT_STORAGE_URI = "database://"`` (the default outside tests and debug) stores fixed-window
counters in ``rate_limit_counters`` of the app's own database; each hit is one atomic upsert on its own
connection, so two gunicorn workers (or two machines) count against one limit and a restart forgets
nothing. With Redis configured (``redis://…``) Flask-Limiter uses Redis instead.
"""

from __future__ import annotations

import secrets
import time

import sqlalchemy as sa
from limits.storage import Storage
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db

rate_limit_counters = sa.Table(
    "rate_limit_counters",
    db.metadata,
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("count", sa.Integer, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False),  # seconds since the epoch, as limits counts
)


class DatabaseStorage(Storage):
    """A ``limits`` storage on the app's SQLAlchemy engine (SQLite or PostgreSQL)."""

    STORAGE_SCHEME = ["database"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self):
        return sa.exc.SQLAlchemyError

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        table = rate_limit_counters
        with db.engine.begin() as connection:
            insert = (postgresql if connection.dialect.name == "postgresql" else sqlite).insert(table)
            expired = table.c.expires_at <= now
            statement = (
                insert.values(key=key, count=amount, expires_at=now + expiry)
                .on_conflict_do_update(
                    index_elements=[table.c.key],
                    set_={
                        "count": sa.case((expired, amount), else_=table.c.count + amount),
                        "expires_at": sa.case((expired, now + expiry), else_=table.c.expires_at),
                    },
                )
                .returning(table.c.count)
            )
            count = connection.execute(statement).scalar_one()
        if secrets.randbelow(200) == 0:
            self.purge_expired()
        return count

    def _row(self, key: str):
        with db.engine.connect() as connection:
            return connection.execute(
                sa.select(rate_limit_counters.c.count, rate_limit_counters.c.expires_at).where(
                    rate_limit_counters.c.key == key
                )
            ).first()

    def get(self, key: str) -> int:
        row = self._row(key)
        return row.count if row is not None and row.expires_at > time.time() else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return row.expires_at if row is not None and row.expires_at > time.time() else time.time()

    def check(self) -> bool:
        with db.engine.connect() as connection:
            connection.execute(sa.select(1))
        return True

    def reset(self) -> int | None:
        with db.engine.begin() as connection:
            return connection.execute(rate_limit_counters.delete()).rowcount

    def clear(self, key: str) -> None:
        with db.engine.begin() as connection:
            connection.execute(rate_limit_counters.delete().where(rate_limit_counters.c.key == key))

    def purge_expired(self) -> int:
        """Drop counters whose window has passed (called now and then on a hit; keeps the table small)."""
        with db.engine.begin() as connection:
            return connection.execute(
                rate_limit_counters.delete().where(rate_limit_counters.c.expires_at <= time.time())
            ).rowcount
