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
