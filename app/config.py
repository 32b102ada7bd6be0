"""Configuration: defaults here, then ``instance/config.py``, then the environment."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path


class DefaultConfig:
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    # Judges keep one tab open for a whole session of scoring; a token that expired after an hour
    # would reject their autosaves. The token stays bound to the signed session cookie instead.
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    PERMANENT_SESSION_LIFETIME = timedelta(hours=14)
    MAX_CONTENT_LENGTH = 32 * 1024 * 1024
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = "10 per 5 minutes"
    OBJECTION_RATE_LIMIT = "5 per hour;20 per day"  # R-PUB-2, per client, successful filings only
    TIMEZONE_OFFSET_HOURS = 8  # Asia/Shanghai, no DST


def normalise_database_url(url: str) -> str:
    """Let operators write plain ``postgresql://`` URLs; the portal talks to PostgreSQL via psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_secret_key(instance_path: Path) -> str:
    """Read the instance's secret key, generating it on first start (never committed)."""
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key + "\n")
    path.chmod(0o600)
    return key


def apply_environment(config: dict, instance_path: Path) -> None:
    """Environment variables win over instance/config.py; fill what is still missing."""
    if os.environ.get("DATABASE_URL"):
        config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    if not config.get("SQLALCHEMY_DATABASE_URI"):
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance_path / 'saixuntong.sqlite3'}"
    config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(config["SQLALCHEMY_DATABASE_URI"])
    if os.environ.get("SECRET_KEY"):
        config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = load_secret_key(instance_path)
    if os.environ.get("RATELIMIT_STORAGE_URI"):
        config["RATELIMIT_STORAGE_URI"] = os.environ["RATELIMIT_STORAGE_URI"]
