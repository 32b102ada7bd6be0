"""Form glue shared by every domain."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash
from flask_wtf import FlaskForm

from app.errors import DomainError
from app.extensions import db


def show_domain_error(form: FlaskForm, error: DomainError) -> None:
    """Put a service's Chinese message on the field it names, or on the form as a whole."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = list(field.errors) + [error.message]
    else:
        form.form_errors.append(error.message)


def optional_int(value) -> int | None:
    """WTForms ``coerce`` for a select whose empty choice means "none" (an id or None)."""
    return int(value) if value not in (None, "", "None") else None


def attempt(
    action: Callable[[], Any],
    form: FlaskForm | None = None,
    *,
    on_error: Callable[[DomainError], Any] | None = None,
    keep: bool = True,
) -> tuple[bool, Any]:
    """One request, one transaction — the one way a view commits or rolls back.

    Runs ``action`` (a service call). It succeeds: commit (or roll back when ``keep`` is False, for a
    preview that only shows what would change) and return ``(True, value)``. It raises a DomainError:
    roll back; a scope refusal (NotAllowed, 403) is re-raised for the error page, not shown as a
    form error. Otherwise the Chinese message goes to ``on_error(error)`` — its return value (typically
    the page re-rendered inline with 422) comes back as ``(False, response)`` — or onto ``form``
    (re-rendered with 422 by the caller), or into a flash; then ``(False, None)``.
    """
    try:
        value = action()
    except DomainError as error:
        db.session.rollback()
        if error.status_code == 403:
            raise
        if on_error is not None:
            return False, on_error(error)
        if form is not None:
            show_domain_error(form, error)
        else:
            flash(error.message, "error")
        return False, None
    if keep:
        db.session.commit()
    else:
        db.session.rollback()
    return True, value
