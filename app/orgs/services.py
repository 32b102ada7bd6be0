"""Verbs on districts and schools. Flush, never commit."""

from __future__ import annotations

from typing import IO

import sqlalchemy as sa

from app.audit import services as audit
from app.errors import DomainError, NotAllowed, get_or_raise
from app.extensions import db
from app.orgs.models import City, District, School, SchoolLevel
from app.web.xlsx import ImportRejected, RowProblem, cell_text, read_sheet, yes_no

SCHOOL_HEADERS = [
    "学校代码",
    "学校名称",
    "所属区县",
    "学段",
    "中心校",
    "乡镇中学",
    "区政府所在地学校",
    "所属中心校代码",
]
SCHOOL_REQUIRED = SCHOOL_HEADERS[:4]


def school_in_scope(user, school_id: int) -> School:
    """R-ROLE-1: the school, if the user may manage it; NotAllowed names the refusal, 404 if absent."""
    school = get_or_raise(School, school_id, "学校不存在。")
    if not user.can_manage_school(school):
        raise NotAllowed("该学校不在您的管理范围内。")
    return school


def the_city() -> City:
    city = db.session.scalar(sa.select(City).limit(1))
    if city is None:
        city = City(name="本市")
        db.session.add(city)
        db.session.flush()
    return city


def save_district(actor, district: District | None, *, code: str, name: str) -> District:
    """Create or rename a district (city admins only — checked by the view)."""
    for column, value, label in ((District.code, code, "区县代码"), (District.name, name, "区县名称")):
        clash = db.session.scalar(
            sa.select(District).where(column == value, District.id != (district.id if district else -1))
        )
        if clash:
            raise DomainError(f"{label}“{value}”已被使用。", field="code" if label == "区县代码" else "name")
    creating = district is None
    if creating:
        district = District(city=the_city(), code=code, name=name)
        db.session.add(district)
    before = None if creating else {"code": district.code, "name": district.name}
    district.code, district.name = code, name
    db.session.flush()
    audit.record(
        actor,
        "district.save",
        "district",
        district.id,
        f"保存区县 {name}",
        before=before,
        after={"code": code, "name": name},
        district_id=district.id,
    )
    return district


def check_school_rules(school: School, central: School | None) -> None:
    """R-ORG-2: an affiliate belongs to a central school of the same district and is none itself."""
    if central is None:
        return
    if central.id == school.id:
        raise DomainError("学校不能隶属于自己。", field="central_school_id")
    if not central.is_central:
        raise DomainError(f"“{central.name}”不是中心校，不能作为所属中心校。", field="central_school_id")
    if central.district_id != school.district_id:
        raise DomainError("所属中心校必须在同一区县。", field="central_school_id")
    if school.is_central or school.is_township_junior:
        raise DomainError("中心校和乡镇中学自行组织初赛，不能再隶属于其他中心校。", field="central_school_id")


def save_school(actor, school: School | None, **fields) -> School:
    """Create or edit a school within the actor's district scope (R-ORG-1/2, R-ROLE-1)."""
    if not actor.can_manage_district(fields["district_id"]):
        raise NotAllowed("只能管理本区县的学校。")
    if school is not None and not actor.can_manage_district(school.district_id):
        raise NotAllowed("只能管理本区县的学校。")
    clash = db.session.scalar(
        sa.select(School).where(School.code == fields["code"], School.id != (school.id if school else -1))
    )
    if clash:
        raise DomainError(f"学校代码“{fields['code']}”已被“{clash.name}”使用。", field="code")
    creating = school is None
    before = None if creating else _school_fields(school)
    if creating:
        school = School()
        db.session.add(school)
    central_id = fields.pop("central_school_id", None)
    for key, value in fields.items():
        setattr(school, key, value)
    central = db.session.get(School, central_id) if central_id else None
    db.session.flush()
    check_school_rules(school, central)
    school.central_school_id = central.id if central else None
    db.session.flush()
    audit.record(
        actor,
        "school.save",
        "school",
        school.id,
        f"保存学校 {school.code} {school.name}",
        before=before,
        after=_school_fields(school),
        district_id=school.district_id,
        school_id=school.id,
    )
    return school


def _school_fields(school: School) -> dict:
    return {
        "code": school.code,
        "name": school.name,
        "district_id": school.district_id,
        "level": school.level,
        "is_central": school.is_central,
        "is_township_junior": school.is_township_junior,
        "is_seat": school.is_seat,
        "central_school_id": school.central_school_id,
    }


def import_schools(actor, stream: IO[bytes]) -> int:
    """Import the school list from xlsx, all or nothing: every bad row is reported at once.

    Rows whose code exists are updated; new codes are created. Central schools named by an
    affiliate may be in the same file.
    """
    sheet = read_sheet(stream, SCHOOL_REQUIRED, SCHOOL_HEADERS[4:], max_rows=5000)
    districts = {d.name: d for d in db.session.scalars(sa.select(District))}
    existing = {s.code: s for s in db.session.scalars(sa.select(School))}
    problems: list[RowProblem] = []
    parsed: list[tuple[int, dict]] = []
    seen: dict[str, int] = {}
    for number, row in sheet.rows:
        code, name = cell_text(row.get("学校代码")), cell_text(row.get("学校名称"))
        item = {"code": code, "name": name}
        if not code:
            problems.append(RowProblem(number, "学校代码", "不能为空"))
        elif code in seen:
            problems.append(RowProblem(number, "学校代码", f"与第{seen[code]}行重复"))
        else:
            seen[code] = number
        if not name:
            problems.append(RowProblem(number, "学校名称", "不能为空"))
        district = districts.get(cell_text(row.get("所属区县")))
        if district is None:
            problems.append(
                RowProblem(number, "所属区县", f"没有名为“{cell_text(row.get('所属区县'))}”的区县")
            )
        elif not actor.can_manage_district(district.id):
            problems.append(RowProblem(number, "所属区县", "不在您的管理范围内"))
        item["district"] = district
        level = SchoolLevel.from_label(cell_text(row.get("学段")))
        if level is None:
            problems.append(RowProblem(number, "学段", "应为 小学、初中 或 九年一贯"))
        item["level"] = level
        for header, key in (
            ("中心校", "is_central"),
            ("乡镇中学", "is_township_junior"),
            ("区政府所在地学校", "is_seat"),
        ):
            flag = yes_no(row.get(header))
            if flag is None:
                problems.append(RowProblem(number, header, "应填“是”或“否”"))
            item[key] = bool(flag)
        item["central_code"] = cell_text(row.get("所属中心校代码"))
        parsed.append((number, item))
    file_central = {item["code"]: item for _, item in parsed if item.get("is_central")}
    for number, item in parsed:
        ccode = item["central_code"]
        if not ccode:
            continue
        target = file_central.get(ccode) or existing.get(ccode)
        is_central = (
            target["is_central"] if isinstance(target, dict) else (target.is_central if target else False)
        )
        target_district = (
            target["district"] if isinstance(target, dict) else (target.district if target else None)
        )
        if target is None:
            problems.append(RowProblem(number, "所属中心校代码", f"找不到代码为“{ccode}”的学校"))
        elif not is_central:
            problems.append(RowProblem(number, "所属中心校代码", f"“{ccode}”不是中心校"))
        elif (
            item["district"] is not None
            and target_district is not None
            and target_district.id != item["district"].id
        ):
            problems.append(RowProblem(number, "所属中心校代码", "中心校必须在同一区县"))
        elif item["is_central"] or item["is_township_junior"]:
            problems.append(RowProblem(number, "所属中心校代码", "中心校和乡镇中学不能隶属于其他中心校"))
    if problems:
        raise ImportRejected(f"文件中有 {len(problems)} 处问题，未导入任何数据。请修改后重新上传。", problems)
    by_code: dict[str, School] = {}
    for _, item in parsed:
        school = existing.get(item["code"]) or School(code=item["code"])
        school.name, school.district, school.level = item["name"], item["district"], item["level"]
        school.is_central, school.is_township_junior, school.is_seat = (
            item["is_central"],
            item["is_township_junior"],
            item["is_seat"],
        )
        db.session.add(school)
        by_code[item["code"]] = school
    db.session.flush()
    for _, item in parsed:
        central = by_code.get(item["central_code"]) or existing.get(item["central_code"])
        by_code[item["code"]].central_school_id = central.id if item["central_code"] else None
    db.session.flush()
    audit.record(
        actor,
        "school.import",
        "school",
        None,
        f"导入学校名单 {len(parsed)} 所",
        after={"codes": sorted(by_code)[:200]},
    )
    return len(parsed)
