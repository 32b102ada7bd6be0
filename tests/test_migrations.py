"""The migrations build exactly the schema the models describe (no create_all in production paths)."""

from __future__ import annotations

import os
import uuid

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app import create_app
from app.extensions import db


def _scratch_database_url(tmp_path):
    base = os.environ.get("TEST_DATABASE_URL")
    if not base or not base.startswith("postgresql"):
        return f"sqlite:///{tmp_path / 'migrations.sqlite3'}", None
    name = f"mig_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    return base.rsplit("/", 1)[0] + f"/{name}", (admin, name)


def test_upgrade_to_head_matches_the_models_and_downgrades_cleanly(tmp_path):
    url, cleanup = _scratch_database_url(tmp_path)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x", "TESTING": True})
    try:
        with app.app_context():
            upgrade(revision="heads")
            with db.engine.connect() as connection:
                context = MigrationContext.configure(connection, opts={"compare_type": True})
                diff = compare_metadata(context, db.metadata)
            assert diff == [], f"models and migrations differ: {diff}"
            downgrade(revision="base")
            remaining = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
            assert remaining == set()
            db.engine.dispose()
    finally:
        if cleanup:
            admin, name = cleanup
            with admin.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
            admin.dispose()
