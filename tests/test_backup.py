"""`flask backup` / `flask restore` (issue 12.6): the demo city round-trips table for table, on SQLite and
PostgreSQL (TEST_DATABASE_URL), and a restore refuses a non-empty database, another revision, a bad checksum."""

from __future__ import annotations

import io
import json
import os
import tarfile
import uuid

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from app.backup import code_revision, table_summary
from app.extensions import db


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    """scratch() → the URL of a new, empty database (all dropped after the module)."""
    base = os.environ.get("TEST_DATABASE_URL")
    folder = tmp_path_factory.mktemp("backup")
    admin = (
        sa.create_engine(base, isolation_level="AUTOCOMMIT")
        if base and base.startswith("postgresql")
        else None
    )
    made = []

    def _new() -> str:
        if admin is None:
            return f"sqlite:///{folder / uuid.uuid4().hex[:8]}.sqlite3"
        name = f"bak_{uuid.uuid4().hex[:10]}"
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        made.append(name)
        return base.rsplit("/", 1)[0] + f"/{name}"

    yield _new
    for name in made:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    if admin is not None:
        admin.dispose()


def _app(url):
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "x",
            "TESTING": True,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )


def _summary(app):
    with app.app_context(), db.engine.connect() as connection:
        summary = table_summary(connection)
    with app.app_context():
        db.engine.dispose()
    return summary


def _cli(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    with app.app_context():
        db.engine.dispose()
    return result


def _rewrite(source, target, *, manifest=None, snapshot=None):
    """A copy of the backup with the manifest changed by ``manifest`` or the snapshot's bytes by ``snapshot``."""
    with tarfile.open(source) as old, tarfile.open(target, "w") as new:
        for member in old.getmembers():
            data = old.extractfile(member).read()
            if member.name == "manifest.json" and manifest:
                data = json.dumps(manifest(json.loads(data))).encode()
            elif member.name != "manifest.json" and snapshot:
                data = snapshot(data)
            member.size = len(data)
            new.addfile(member, io.BytesIO(data))


@pytest.fixture(scope="module")
def backed_up(scratch, tmp_path_factory):
    """The demo city in a migrated database, backed up with `flask backup`."""
    source = _app(scratch())
    with source.app_context():
        upgrade(revision="heads")
        from app.demo import load

        load(teachers=400)  # the smallest city whose last season reaches a final
        db.session.commit()
        db.session.remove()
    path = tmp_path_factory.mktemp("backup-file") / "saixuntong-backup.tar"
    result = _cli(source, "backup", str(path))
    assert result.exit_code == 0, result.output
    assert "已备份到" in result.output
    return path, _summary(source)


def test_backup_of_the_demo_city_restores_table_for_table(backed_up, scratch, tmp_path):
    path, before = backed_up
    assert before["entries"]["rows"] > 50 and before["stamped_lists"]["rows"] > 0  # scans come along
    assert all(name in before for name in db.metadata.tables)
    for target in (_app(scratch()), _app(scratch())):
        result = _cli(target, "restore", str(path))
        assert result.exit_code == 0, result.output
        assert _summary(target) == before  # every table: row count and content digest
        with target.app_context():
            assert db.session.scalar(sa.text("SELECT version_num FROM alembic_version")) == code_revision()
            db.session.remove()
            db.engine.dispose()


def test_restore_into_a_migrated_but_empty_database(backed_up, scratch, tmp_path):
    path, before = backed_up
    target = _app(scratch())
    with target.app_context():
        upgrade(revision="heads")
        db.engine.dispose()
    result = _cli(target, "restore", str(path))
    assert result.exit_code == 0, result.output
    assert _summary(target) == before


def test_restore_refuses_a_database_that_is_not_empty(backed_up, scratch, tmp_path):
    path, _ = backed_up
    target = _app(scratch())
    assert _cli(target, "restore", str(path)).exit_code == 0
    again = _cli(target, "restore", str(path))
    assert again.exit_code != 0 and "目标数据库不是空的" in again.output


def test_restore_refuses_another_schema_revision(backed_up, scratch, tmp_path):
    path, _ = backed_up
    older = tmp_path / "older.tar"
    _rewrite(path, older, manifest=lambda m: {**m, "revision": "0005_older"})
    target = _app(scratch())
    result = _cli(target, "restore", str(older))
    assert result.exit_code != 0 and "备份的数据库结构版本是 0005_older" in result.output
    with target.app_context():
        assert sa.inspect(db.engine).get_table_names() == []
        db.engine.dispose()


def test_restore_refuses_a_bad_checksum_and_restores_nothing(backed_up, scratch, tmp_path):
    path, _ = backed_up
    damaged = tmp_path / "damaged.tar"
    _rewrite(path, damaged, snapshot=lambda data: data[:-10] + b"\0" * 10)
    target = _app(scratch())
    result = _cli(target, "restore", str(damaged))
    assert result.exit_code != 0 and "校验失败" in result.output
    with target.app_context():
        assert sa.inspect(db.engine).get_table_names() == []
        db.engine.dispose()


def test_restore_refuses_a_file_that_is_not_a_backup(scratch, tmp_path):
    bogus = tmp_path / "x.tar"
    bogus.write_bytes(b"not a tar")
    result = _cli(_app(scratch()), "restore", str(bogus))
    assert result.exit_code != 0 and "无法打开备份文件" in result.output
