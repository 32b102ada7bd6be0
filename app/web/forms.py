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


def attempt(action: Callable[[], Any], form: FlaskForm | None = None) -> tuple[bool, Any]:
    """One request, one transaction: run a service call and commit; on a DomainError roll back.

    The Chinese message goes onto ``form`` (re-rendered with 422 by the caller) or, without a form,
    into a flash. A scope refusal (NotAllowed, 403) is re-raised for the error page: not a form error.
    """
    try:
        value = action()
    except DomainError as error:
        db.session.rollback()
        if error.status_code == 403:
            raise
        if form is not None:
            show_domain_error(form, error)
        else:
            flash(error.message, "error")
        return False, None
    db.session.commit()
    return True, value
