"""Template filters and globals shared by every screen."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask import Flask, current_app, url_for
from flask_login import current_user

from app.timeutil import to_beijing


def endpoint_exists(endpoint: str) -> bool:
    return endpoint in current_app.view_functions


def nav_items() -> list[tuple[str, str]]:
    """The signed-in user's menu: (label, url) for each screen their role may open."""
    from app.web.nav import MENU

    if not current_user.is_authenticated:
        return []
    items = []
    for label, endpoint, roles in MENU:
        if current_user.role in roles and endpoint_exists(endpoint):
            items.append((label, url_for(endpoint)))
    return items


def fmt_dt(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    shown = to_beijing(value)
    return shown.strftime(fmt) if shown else ""


def fmt_date(value: date | None) -> str:
    return value.isoformat() if value else ""


def fmt_percent(value: Decimal | None, places: int = 0) -> str:
    if value is None:
        return "—"
    return f"{(Decimal(value) * 100).quantize(Decimal(1).scaleb(-places))}%"


def register(app: Flask) -> None:
    app.jinja_env.filters["dt"] = fmt_dt
    app.jinja_env.filters["d"] = fmt_date
    app.jinja_env.filters["pct"] = fmt_percent
    app.jinja_env.globals["nav_items"] = nav_items
    app.jinja_env.globals["endpoint_exists"] = endpoint_exists
    app.jinja_env.globals["htmx_js"] = "vendor/htmx-2.0.11.min.js"
    # The form macros as globals: an htmx fragment is rendered as one block (jinja2-fragments), which
    # never runs the template's top-level ``{% from … import %}``, so a block must not depend on it.
    macros = app.jinja_env.get_template("_macros/forms.html").module
    app.jinja_env.globals.update(field=macros.field, form_errors=macros.form_errors)
