"""Who may do what on the advancement screens (R-ROLE-1, R-Q-3): booleans for templates.

Recommending and confirming a unit are decided by ``services.can_recommend`` / ``can_confirm``.
"""

from __future__ import annotations

from app.competitions.models import Stage
from app.roles import Role


def can_freeze(user, stage: Stage) -> bool:
    """R-Q-3: the city freezes a stage's quotas, once."""
    return user.role == Role.CITY_ADMIN and stage.frozen_at is None


def can_export_summary(user) -> bool:
    """The city-wide summary export is for the city and district admins."""
    return user.role in (Role.CITY_ADMIN, Role.DISTRICT_ADMIN)
