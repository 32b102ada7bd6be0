"""Who may configure a competition (R-ROLE-1, R-COMP-1): one function per decision, booleans for templates."""

from __future__ import annotations

from app.roles import Role


def can_configure(user) -> bool:
    """Only the city creates competitions and changes their settings and subjects."""
    return user.role == Role.CITY_ADMIN
