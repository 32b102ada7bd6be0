"""Flask extensions, created unbound and initialised in the factory."""

from __future__ import annotations

import enum
import sqlite3
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base: constraint names Alembic can batch-alter on SQLite; enums stored by value."""

    registry = sa.orm.registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={
            enum.Enum: sa.Enum(
                enum.Enum,
                native_enum=False,
                length=32,
                values_callable=lambda e: [m.value for m in e],
                validate_strings=True,
            ),
            Decimal: sa.Numeric(12, 4),
            datetime: sa.DateTime(),  # naive UTC everywhere; shown in Beijing time by a template filter
            str: sa.String(255),
        },
    )


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
htmx = Htmx()
limiter = Limiter(key_func=get_remote_address)


@sa.event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    """SQLite: enforce foreign keys, WAL for concurrent readers, wait instead of failing when busy."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        # WAL + NORMAL never corrupts the file; only commits in the last moments before a power cut can be
        # lost (not a crash of the app). A full sync per commit added up to 7 ms to every autosave.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()
