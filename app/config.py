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
    PERMANENT_SESSION_LIFETIME = timedelta(hours=14)
    MAX_CONTENT_LENGTH = 32 * 1024 * 1024
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = "10 per 5 minutes"
    OBJECTION_RATE_LIMIT = "5 per hour;20 per day"  # R-PUB-2, per client, successful filings only
    TIMEZONE_OFFSET_HOURS = 8  # Asia/Shanghai, no DST

    # ---- who is the client, shared limits, sessions (issue 12 pts 3–4); README "Deployment"
    # Proxies in front of the app whose X-Forwarded-For/-Proto/-Host are trusted (nginx alone: 1).
    # 0 = none: the socket peer is the client (a proxy's headers could be forged by anyone).
    TRUSTED_PROXY_HOPS = 0
    # True when users reach the portal over HTTPS: session and remember-me cookies get ``Secure``.
    HTTPS = False
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Flask-Limiter's counters: None = "database://" (shared by every worker and server through the
    # app's database) outside tests and debug, "memory://" in them; or redis://host:6379/0.
    RATELIMIT_STORAGE_URI = None
    # Per account, across password and QR-PIN sign-ins: this many failures within the window lock the
    # account for LOCKOUT_MINUTES (the per-address limits above still apply).
    LOCKOUT_THRESHOLD = 10
    LOCKOUT_WINDOW_MINUTES = 15
    LOCKOUT_MINUTES = 15

    # --- uploaded xlsx (issue 12.1): bounds checked before parsing, parse in a limited child process
    XLSX_MAX_BYTES = 10 * 1024 * 1024  # the file as uploaded
    XLSX_MAX_UNCOMPRESSED = 200 * 1024 * 1024  # sum of the zip members' declared sizes
    XLSX_MAX_RATIO = 200  # declared size / compressed size of any member over 1 MB
    XLSX_MAX_MEMBERS = 500
    XLSX_MAX_SHEETS = 50
    XLSX_MAX_ROWS = 60_000  # a sheet's grid, header and blank rows included (imports take ≤ 50,000 rows)
    XLSX_MAX_COLUMNS = 64
    XLSX_PARSE_MEMORY = 1024 * 1024 * 1024  # address-space limit of the parsing child (RLIMIT_AS)
    XLSX_PARSE_TIMEOUT = 60  # seconds
    # --- the as-you-type ID check (issue 12.7): lookups of valid ID numbers per account
    CHECK_ID_RATE_LIMIT = "60 per minute;600 per hour;2000 per day"


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
    # ---- sessions block (issue 12 pts 3–4)
    if os.environ.get("TRUSTED_PROXY_HOPS"):
        config["TRUSTED_PROXY_HOPS"] = int(os.environ["TRUSTED_PROXY_HOPS"])
    if os.environ.get("HTTPS"):
        config["HTTPS"] = os.environ["HTTPS"].strip().lower() in ("1", "true", "yes", "on")


def apply_session_security(config: dict, *, testing_or_debug: bool) -> None:
    """Derive the cookie flags and the rate-limit store from the two deployment settings (HTTPS, store)."""
    if config.get("HTTPS"):
        config["SESSION_COOKIE_SECURE"] = True
        config["REMEMBER_COOKIE_SECURE"] = True
        config["PREFERRED_URL_SCHEME"] = "https"
    uri = config.get("RATELIMIT_STORAGE_URI")
    if not uri:
        config["RATELIMIT_STORAGE_URI"] = "memory://" if testing_or_debug else "database://"
    elif uri.startswith("memory://") and not testing_or_debug:
        raise RuntimeError(
            "RATELIMIT_STORAGE_URI=memory:// counts per process: with several workers or servers every limit "
            "multiplies and a restart forgets it. Leave it unset (counters in the database) or set "
            "redis://host:6379/0."
        )
