"""The application factory."""

from __future__ import annotations

import importlib
import logging
import os
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from app.config import DefaultConfig, apply_environment, apply_session_security
from app.extensions import csrf, db, htmx, limiter, login_manager, migrate

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Each domain's views module; importing it attaches the routes to its ``bp``.
BLUEPRINTS = [
    "app.web.views",
    "app.auth.views",
    "app.orgs.views",
    "app.audit.views",
    "app.competitions.views",
    "app.rosters.views",
    "app.judging.views",
    "app.draws.views",
    "app.advancement.views",
    "app.public.views",
    "app.public.admin_views",
    "app.awards.views",
    "app.dashboard.views",
]


def create_app(config: dict | None = None) -> Flask:
    """Build the app: defaults, then instance/config.py, then the environment, then ``config``."""
    instance_path = Path(os.environ.get("INSTANCE_PATH", PROJECT_ROOT / "instance"))
    app = Flask(
        "app",
        instance_path=str(instance_path),
        instance_relative_config=True,
        root_path=str(PROJECT_ROOT / "app"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.from_object(DefaultConfig)
    app.config.from_pyfile("config.py", silent=True)
    if config:
        app.config.update(config)
    if not (config and "SQLALCHEMY_DATABASE_URI" in config and "SECRET_KEY" in config):
        apply_environment(app.config, instance_path)

    apply_session_security(app.config, testing_or_debug=bool(app.config.get("TESTING") or app.debug))
    hops = int(app.config.get("TRUSTED_PROXY_HOPS") or 0)
    if hops:  # the client's address and scheme come from the proxies' X-Forwarded-* headers
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    app.json.ensure_ascii = False  # Chinese stays readable in JSON and |tojson

    from app import models  # noqa: F401  (registers every table)
    from app.web import ratelimit  # noqa: F401  (the "database://" rate-limit store and its table)

    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True, compare_type=True
    )
    login_manager.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)

    from app.web import access, errors, headers, ids, templating

    ids.register(app)  # before the routes: <int:…> and ?x= ids bounded to the id range (issue 12.7)
    for module_name in BLUEPRINTS:
        app.register_blueprint(importlib.import_module(module_name).bp)

    app.before_request(access.enforce_declared_access)
    errors.register(app)
    headers.register(app)
    templating.register(app)

    from app import cli

    cli.register(app)
    _quiet_logs(app)
    return app


def _quiet_logs(app: Flask) -> None:
    # Request logs name paths only; query strings (search terms, names) stay out of log lines.
    if not app.debug:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
