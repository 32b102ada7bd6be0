"""The migrations build exactly the schema the models describe (no create_all in production paths)."""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from pathlib import Path

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


# A landed revision is never edited: a schema change is a new revision (STYLE "Habits"). When a
# submission lands new revisions, their hashes join this list in the same change.
LANDED = {
    "0001_foundation.py": "0daa7ae36752d5f76cbe64e4c70685cb9b00670fc2444f1ecbf5f8a332eecb84",
    "0002_rosters.py": "a0d385711c0f69ce9dc403735ab19cc1a9ad73690a66f4674dc0034b5d03f725",
    "0003_judging.py": "db8a27dad7fb8278d20cd0a121c4aff9486340106c3342dd5dedea71340b96f2",
    "0004_advancement.py": "8d6ef081a926e5361244ba0a0f62d7ad961e4630d2366d2e90a7fea90804a7c8",
    "0005_public.py": "68d45257025eae2c140d79e3929c6bf6a103955c069c8400f7d13445981a6695",
    "0006_awards.py": "ce1ba9b3e84edf7c7e8c7456876edc0ad095e83db26c046b9f728417faefd7fd",
    "0007_guards_absences_quota_policy.py": "3fb379616421a721e6c623a8c6f658ea0f0cb51e2dfb3a2b3f94d485a6ce4ced",
    "0008_sessions_tokens_lockout_limits.py": "d91f5f31397ade05c857bae40cf7ace7e4e3d101d68cec1138bd6248a2ab994c",
}
VERSIONS = Path(__file__).resolve().parents[1] / "migrations" / "versions"


def test_landed_revisions_are_never_edited():
    for name, digest in LANDED.items():
        assert hashlib.sha256((VERSIONS / name).read_bytes()).hexdigest() == digest, f"{name} was edited"


def test_revisions_form_one_line_with_one_head():
    parents = {}
    for path in VERSIONS.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        revision = re.search(r"^revision = [\"']([^\"']+)", text, re.M).group(1)
        down = re.search(r"^down_revision = (?:None|[\"']([^\"']+))", text, re.M).group(1)
        parents[revision] = down
    children = [down for down in parents.values() if down is not None]
    assert len(children) == len(set(children)), "two revisions share a parent (a branch)"
    heads = set(parents) - set(children)
    assert len(heads) == 1, f"more than one head: {sorted(heads)}"
