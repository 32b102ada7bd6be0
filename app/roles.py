"""The four signed-in roles (R-ROLE-1); a ground module every layer may read."""

from __future__ import annotations

from app.enums import LabelledEnum


class Role(LabelledEnum):
    CITY_ADMIN = "city_admin", "市教育局管理员"
    DISTRICT_ADMIN = "district_admin", "区县教育局管理员"
    SCHOOL_ADMIN = "school_admin", "学校管理员"
    JUDGE = "judge", "评委"
