"""One request, one transaction: the view glue that the competitions and rosters screens share."""
from __future__ import annotations

from typing import Any, Callable

from flask import flash
from flask_wtf import FlaskForm

from app.errors import DomainError
from app.extensions import db
from app.web.forms import show_domain_error


def attempt(action: Callable[[], Any], form: FlaskForm | None = None) -> tuple[bool, Any]:
    """Run a service call and commit; on a DomainError roll back and show its Chinese message.

    The message goes onto ``form`` (re-rendered with 422 by the caller) or, without a form, into a flash.
    A scope refusal (NotAllowed, 403) is re-raised for the error page: it is not a form error.
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
