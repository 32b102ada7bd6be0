"""Who may publish on the public pages (R-ROLE-1, R-PUB-2): booleans for templates."""

from __future__ import annotations

from app.roles import Role


def can_publish(user) -> bool:
    """City and district admins open listings and publish announcements (a district within its district)."""
    return user.role in (Role.CITY_ADMIN, Role.DISTRICT_ADMIN)


def can_edit_announcement(user, announcement) -> bool:
    """The city edits every announcement; a district admin those of their own district."""
    return can_publish(user) and user.can_manage_district(announcement.district_id)
