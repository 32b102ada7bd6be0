"""The admin menu. An entry shows only when its endpoint exists and the role may open it."""

from app.roles import Role

CITY, DISTRICT, SCHOOL, JUDGE = Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.SCHOOL_ADMIN, Role.JUDGE

MENU = [
    ("工作台", "dashboard.dashboard", {CITY, DISTRICT, SCHOOL, JUDGE}),
    ("赛事", "competitions.index", {CITY, DISTRICT, SCHOOL}),
    ("教师名单", "rosters.index", {CITY, DISTRICT, SCHOOL}),
    ("评审", "judging.index", {CITY, DISTRICT, SCHOOL}),
    ("我的评分", "judging.my_panels", {JUDGE}),
    ("晋级", "advancement.index", {CITY, DISTRICT, SCHOOL}),
    ("公示与异议", "public_admin.index", {CITY, DISTRICT, SCHOOL}),
    ("奖项", "awards.index", {CITY, DISTRICT, SCHOOL}),
    ("学校", "orgs.schools", {CITY, DISTRICT, SCHOOL}),
    ("区县", "orgs.districts", {CITY}),
    ("账号", "auth.users", {CITY, DISTRICT}),
    ("审计日志", "audit.index", {CITY, DISTRICT}),
]
