"""Ids from URLs, query strings and forms stay within the id columns' range: beyond it, 404 (issue 12.7).

A database cannot compare a column with 99999999999999999999 (SQLite raises OverflowError beyond 64
bits; PostgreSQL, to which SQLAlchemy binds ids cast to INTEGER, refuses anything beyond 2**31-1):
without these bounds such a URL answered 500. Every id column is an ``Integer`` (32-bit on PostgreSQL).
"""

from __future__ import annotations

from flask import Flask, Request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # PostgreSQL INTEGER, the type of every id column


class BoundedIntegerConverter(IntegerConverter):
    """The default ``<int:…>`` converter, with ``max`` MAX_ID: a larger number matches no route (404)."""

    def __init__(
        self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_ID, signed=False
    ):
        super().__init__(
            map, fixed_digits=fixed_digits, min=min, max=MAX_ID if max is None else max, signed=signed
        )


class BoundedArgs(ImmutableMultiDict):
    """``request.args`` / ``request.form``: ``get(name, type=int)`` answers 404 beyond MAX_ID."""

    def get(self, key, default=None, type=None):
        value = super().get(key, default, type)
        if type is int and isinstance(value, int) and not -MAX_ID - 1 <= value <= MAX_ID:
            raise NotFound()
        return value


def register(app: Flask) -> None:
    """Install both before any route is added, keeping the request class extensions set (htmx's)."""
    app.url_map.converters["int"] = BoundedIntegerConverter
    base: type[Request] = app.request_class
    app.request_class = type("BoundedRequest", (base,), {"parameter_storage_class": BoundedArgs})
