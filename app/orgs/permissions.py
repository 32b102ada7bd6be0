"""Who may change districts and schools (R-ROLE-1): one function per decision, booleans for templates."""

from __future__ import annotations

from app.roles import Role


def can_edit_schools(user) -> bool:
    """City and district admins add, edit and import schools (a district admin within its district)."""
    return user.role in (Role.CITY_ADMIN, Role.DISTRICT_ADMIN)
