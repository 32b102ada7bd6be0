"""Counting SQL statements, for the tests that show a page never runs one query per row."""

from __future__ import annotations

from contextlib import contextmanager

import sqlalchemy as sa

from app.extensions import db


@contextmanager
def count_queries():
    """The SQL statements run inside the block, as a list of their texts."""
    hits: list[str] = []

    def hit(conn, cursor, statement, *args):
        hits.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", hit)
    try:
        yield hits
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", hit)
