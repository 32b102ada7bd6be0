"""Test harness: one app per session, a clean database per test, on SQLite or PostgreSQL.

Set TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test) for the
PostgreSQL pass; the default is a SQLite file in a temporary folder.
"""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa
from flask import has_app_context
from flask.testing import FlaskClient

from app import create_app
from app.extensions import db, limiter
from tests import factories


@pytest.fixture(scope="session")
def _app(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # fast hashing; production uses scrypt
            "SERVER_NAME": "localhost",
        }
    )
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
    limiter.enabled = False
    return app


def _wipe() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())


@pytest.fixture
def app(_app):
    """The app inside an app context; every row a test writes is gone afterwards."""
    with _app.app_context():
        yield _app
        db.session.rollback()
        db.session.remove()
        _wipe()
    limiter.enabled = False
    limiter.reset()
    _app.config["WTF_CSRF_ENABLED"] = False


class _Client(FlaskClient):
    """A test client whose every request runs in a fresh app context, as in production.

    The view therefore has its own database session and ``g``: what it forgets to commit is lost,
    and the test sees only committed state (its own session is rolled back, i.e. expired, after
    each response). Tests commit their own set-up data before making requests.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        if has_app_context():  # a test's own context; threads that open clients have none
            db.session.rollback()
        return response


@pytest.fixture
def client(app):
    app.test_client_class = _Client
    return app.test_client()


@pytest.fixture
def csrf_on(app):
    """Turn CSRF checking on for one test (it is off by default in tests)."""
    app.config["WTF_CSRF_ENABLED"] = True
    yield


@pytest.fixture
def rate_limits_on(app):
    limiter.enabled = True
    limiter.reset()
    yield


@pytest.fixture
def login(client):
    """login(user) signs the test client in as ``user`` without a password round-trip."""

    def _login(user):
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return client

    return _login


@pytest.fixture
def city(app):
    """A small city: two districts, a central school with an affiliate, a township junior school,
    a seat school, and one user per role (plus a district admin of the other district)."""
    return factories.gen_city()


@pytest.fixture
def f(app):
    """The factories module, for tests that build their own data."""
    return factories


@pytest.fixture
def clock(app):
    """R-TIME-1: the portal's one clock; ``clock.set_beijing(datetime(2026, 12, 2, 23, 59))`` sets Beijing
    time (``clock.set`` takes naive UTC, ``clock.advance`` moves it); real time again after the test."""
    from app.timeutil import clock as the_clock

    yield the_clock
    the_clock.reset()
