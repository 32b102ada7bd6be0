"""Backup and restore of the whole portal (issue 12.6): one consistent snapshot in one .tar file.

The archive holds the database snapshot (SQLite: the online backup API, so the app may keep
running; PostgreSQL: ``pg_dump --format=custom``) and ``manifest.json`` with the schema revision,
the snapshot's SHA-256, and every table's row count and content digest. Stamped scans live in the
database, so they come along. A restore goes into an empty database only, at the same revision,
and checks the checksum before and the counts and digests after.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from app.extensions import db
from app.timeutil import utcnow

FORMAT = 1
MANIFEST = "manifest.json"
SNAPSHOT = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


class BackupError(Exception):
    """A backup or restore refused or failed; the message is a complete Chinese sentence."""


@dataclass(frozen=True)
class Manifest:
    dialect: str
    revision: str | None
    sha256: str
    size: int
    created_at: str
    tables: dict[str, dict[str, object]]

    def to_json(self) -> bytes:
        body = {"format": FORMAT, "app": "saixuntong", **self.__dict__}
        return json.dumps(body, ensure_ascii=False, indent=2, sort_keys=True).encode()


# ---------------------------------------------------------------- what is in the database


def current_revision(connection: sa.Connection) -> str | None:
    """The Alembic revision the database is at, or None when it has no alembic_version table."""
    if not sa.inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def code_revision() -> str | None:
    """The migration head this code expects (the revision a restored snapshot must carry)."""
    from alembic.script import ScriptDirectory
    from flask import current_app

    directory = current_app.extensions["migrate"].directory
    config = current_app.extensions["migrate"].migrate.get_config(directory)
    return ScriptDirectory.from_config(config).get_current_head()


def table_summary(connection: sa.Connection) -> dict[str, dict[str, object]]:
    """Every table of the models: its row count and a SHA-256 of its rows in primary-key order."""
    summary = {}
    for table in db.metadata.sorted_tables:
        order = list(table.primary_key.columns) or list(table.columns)
        digest = hashlib.sha256()
        count = 0
        for row in connection.execute(sa.select(table).order_by(*order)).yield_per(1000):
            count += 1
            for value in row:
                digest.update(value if isinstance(value, bytes) else repr(value).encode())
                digest.update(b"\x1f")
            digest.update(b"\x1e")
        summary[table.name] = {"rows": count, "sha256": digest.hexdigest()}
    return summary


def _is_empty(connection: sa.Connection) -> bool:
    inspector = sa.inspect(connection)
    for name in inspector.get_table_names():
        if name == "alembic_version":
            continue
        quoted = connection.dialect.identifier_preparer.quote(name)
        if connection.execute(sa.text(f"SELECT 1 FROM {quoted} LIMIT 1")).first():
            return False
    return True


def _pg_url(engine: sa.Engine) -> str:
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"未找到 {name}：PostgreSQL 数据库的备份与恢复需要它。请安装与服务器版本一致的 PostgreSQL "
            "客户端（Debian/Ubuntu：apt install postgresql-client）后重试。"
        )
    return found


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# ---------------------------------------------------------------- backup


def backup(target: Path) -> Manifest:
    """Write a consistent snapshot of the bound database to ``target`` (a .tar file)."""
    engine = db.engine
    dialect = engine.dialect.name
    if dialect not in SNAPSHOT:
        raise BackupError(f"不支持备份 {dialect} 数据库（只支持 SQLite 与 PostgreSQL）。")
    with tempfile.TemporaryDirectory() as folder:
        snapshot = Path(folder) / SNAPSHOT[dialect]
        if dialect == "sqlite":
            with engine.connect() as connection:
                source = connection.connection.driver_connection
                destination = sqlite3.connect(snapshot)
                try:
                    source.backup(destination)  # page by page, consistent even while others write
                finally:
                    destination.close()
            summary_engine = sa.create_engine(f"sqlite:///{snapshot}")
            with summary_engine.connect() as connection:
                revision, tables = current_revision(connection), table_summary(connection)
            summary_engine.dispose()
        else:
            # pg_dump runs in one repeatable-read transaction; the summary is taken in the same snapshot.
            with engine.connect().execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            ) as connection:
                exported = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar()
                revision, tables = current_revision(connection), table_summary(connection)
                _run(
                    [
                        _tool("pg_dump"),
                        "--format=custom",
                        "--no-owner",
                        "--no-privileges",
                        f"--snapshot={exported}",
                        f"--file={snapshot}",
                        f"--dbname={_pg_url(engine)}",
                    ],
                    "pg_dump",
                )
                connection.rollback()
        manifest = Manifest(
            dialect=dialect,
            revision=revision,
            sha256=_sha256(snapshot),
            size=snapshot.stat().st_size,
            created_at=utcnow().isoformat(timespec="seconds") + "Z",
            tables=tables,
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        with tarfile.open(partial, "w") as archive:
            data = manifest.to_json()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode, info.mtime = len(data), 0o600, int(time.time())
            archive.addfile(info, io.BytesIO(data))
            archive.add(snapshot, arcname=snapshot.name)
        partial.chmod(0o600)  # ID numbers and phone numbers are inside
        partial.replace(target)  # a backup is either complete or absent
    return manifest


def _run(command: list[str], name: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{name} 失败（退出码 {done.returncode}）：{done.stderr.strip()[-500:]}")


# ---------------------------------------------------------------- restore


def read_manifest(archive: tarfile.TarFile) -> dict:
    try:
        member = archive.getmember(MANIFEST)
        manifest = json.loads(archive.extractfile(member).read())
    except (KeyError, AttributeError, ValueError):
        raise BackupError("这不是赛训通的备份文件（缺少或无法读取 manifest.json）。") from None
    if manifest.get("app") != "saixuntong" or manifest.get("format") != FORMAT:
        raise BackupError("这不是本版本赛训通的备份文件（格式不符）。")
    return manifest


def restore(source: Path) -> dict:
    """Restore ``source`` into the bound database, which must be empty; returns the manifest."""
    engine = db.engine
    dialect = engine.dialect.name
    try:
        archive = tarfile.open(source, "r")  # noqa: SIM115  (closed by the with below)
    except (OSError, tarfile.TarError):
        raise BackupError(f"无法打开备份文件 {source}（不存在或不是 .tar 文件）。") from None
    with archive, tempfile.TemporaryDirectory() as folder:
        manifest = read_manifest(archive)
        if manifest["dialect"] != dialect:
            raise BackupError(
                f"备份来自 {manifest['dialect']} 数据库，不能恢复到 {dialect} 数据库；"
                "请恢复到同类数据库，或在同类数据库中先恢复再迁移数据。"
            )
        expected = code_revision()
        if manifest["revision"] != expected:
            raise BackupError(
                f"备份的数据库结构版本是 {manifest['revision']}，本程序的版本是 {expected}；"
                "请用与备份时相同版本的程序恢复（之后再运行 flask db upgrade）。"
            )
        with engine.connect() as connection:
            present = current_revision(connection)
            if present not in (None, expected):
                raise BackupError(
                    f"目标数据库的结构版本是 {present}，与备份（{expected}）不同；请恢复到空数据库。"
                )
            if not _is_empty(connection):
                raise BackupError(
                    "目标数据库不是空的：恢复只能写入空数据库，以免覆盖现有数据。请新建一个空数据库后重试。"
                )
        name = SNAPSHOT[dialect]
        try:
            member = archive.getmember(name)
        except KeyError:
            raise BackupError(f"备份文件不完整（缺少 {name}）。") from None
        if not member.isfile():
            raise BackupError(f"备份文件已损坏（{name} 不是普通文件）。")
        snapshot = Path(folder) / name
        with archive.extractfile(member) as stream, snapshot.open("wb") as out:
            shutil.copyfileobj(stream, out)
        if _sha256(snapshot) != manifest["sha256"]:
            raise BackupError("备份文件校验失败（SHA-256 不符）：文件已损坏或被修改，未恢复任何数据。")
        if dialect == "sqlite":
            _restore_sqlite(engine, snapshot)
        else:
            _restore_postgresql(engine, snapshot)
    engine.dispose()
    with engine.connect() as connection:
        restored = table_summary(connection)
    wrong = [t for t, s in manifest["tables"].items() if restored.get(t) != s]
    if wrong:
        raise BackupError("恢复后的数据与备份清单不符（" + "、".join(wrong[:5]) + "），请检查数据库后重试。")
    return manifest


def _restore_sqlite(engine: sa.Engine, snapshot: Path) -> None:
    engine.dispose()
    source = sqlite3.connect(snapshot)
    try:
        with engine.connect() as connection:
            target = connection.connection.driver_connection
            source.backup(target)  # replaces the (empty) target page by page
    finally:
        source.close()


def _restore_postgresql(engine: sa.Engine, snapshot: Path) -> None:
    engine.dispose()
    _run(
        [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",  # empty tables made by `flask db upgrade` are replaced
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={_pg_url(engine)}",
            str(snapshot),
        ],
        "pg_restore",
    )
