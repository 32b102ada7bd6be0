"""The one error type services raise: its message is Chinese and shown to the user as is."""

from __future__ import annotations


class DomainError(Exception):
    """A rule was broken; ``str(error)`` is a complete Chinese sentence for the user."""

    status_code = 422

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(DomainError):
    """The user may not do this (role or scope, R-ROLE-1)."""

    status_code = 403


class NotFound(DomainError):
    """The record does not exist (or is not visible at all)."""

    status_code = 404


def get_or_raise(model, ident, message: str, **options):
    """The row of ``model`` whose primary key is ``ident``, or :class:`NotFound` with ``message`` (a 404)."""
    from app.extensions import db

    row = db.session.get(model, ident, **options)
    if row is None:
        raise NotFound(message)
    return row
