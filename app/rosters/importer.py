"""xlsx import of a school's whole roster, all or nothing (R-ROS-1, R-ROS-2, R-ROS-6).

The file is the school's whole staff: rows are matched to the school's existing rows by ID number;
new ID numbers are added, changed rows updated, unchanged rows left alone. Teachers on the roster but
missing from the file are only removed when the admin says so (``remove_missing``); otherwise the import
is refused and names them, so that a partial file never silently shortens a roster.

Bulk statements throughout: one query pre-loads every ID number of the competition, one loads the
school's rows, then one INSERT … VALUES batch, one executemany UPDATE and one DELETE. No per-row queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any

import sqlalchemy as sa

from app.audit import services as audit
from app.competitions.models import Competition, Level, Subject
from app.extensions import db
from app.orgs.models import School, SchoolLevel
from app.rosters import rules
from app.rosters.idcard import make_id_number
from app.rosters.models import Entry, EntryStatus, ExemptionApplication
from app.rosters.services import (
    Problem,
    allocate_numbers,
    clean_row,
    duplicate_message,
    edit_check,
    need_reason,
    unknown_subject,
)
from app.timeutil import utcnow
from app.web.xlsx import ImportRejected, RowProblem, cell_text, read_sheet

HEADERS = ["姓名", "身份证号", "学段", "学科", "手机号码", "一等奖名称", "获奖年份"]
REQUIRED = ["姓名", "身份证号", "学科"]
MAX_ROWS = 50_000
COMPARED = (
    "name",
    "subject_id",
    "phone",
    "award_name",
    "award_year",
    "group",
    "status",
    "status_reason",
    "sex",
    "birth_date",
)
COLUMN_OF = {
    "name": "姓名",
    "id_number": "身份证号",
    "level": "学段",
    "subject_id": "学科",
    "phone": "手机号码",
    "award_name": "一等奖名称",
    "award_year": "获奖年份",
}


@dataclass
class ImportResult:
    """What an import did (or, refused, would have done): counts and the names, for the result page."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def total(self) -> int:
        return len(self.added) + len(self.changed) + self.unchanged


def template_rows(competition: Competition, school: School) -> list[list[Any]]:
    """Two example rows for the downloadable template (ID numbers as text)."""
    level = Level.JUNIOR if school.level == SchoolLevel.JUNIOR else Level.PRIMARY
    return [
        [
            "张三（示例，请删除）",
            make_id_number("370921", date(1985, 6, 1), 2),
            level.label,
            "语文",
            "13800000000",
            "",
            "",
        ],
        [
            "李四（示例，请删除）",
            make_id_number("370921", date(1965, 3, 15), 1),
            level.label,
            "数学",
            "",
            "2023年县级教学技能大赛一等奖",
            2023,
        ],
    ]


def _subject_index(competition: Competition) -> dict[tuple[Level, str], Subject]:
    return {(s.level, s.name): s for s in competition.subjects}


def _subject_for(
    row: dict, school: School, competition: Competition, index: dict
) -> tuple[Subject | None, Problem | None]:
    """The subject a row's 学段 and 学科 cells name, or the problem with them (the cleaner checks the rest)."""
    level_text, subject_text = cell_text(row.get("学段")), cell_text(row.get("学科"))
    if not subject_text:
        return None, None  # the cleaner's "请选择任教学科。"
    level = Level.from_label(level_text) if level_text else None
    if level_text and level is None:
        return None, Problem("level", f"学段应为“小学”或“初中”，实际为“{level_text}”。")
    for candidate in Level:  # "小学语文" in the subject column is fine too
        if subject_text.startswith(candidate.label) and len(subject_text) > 2:
            level, subject_text = level or candidate, subject_text[len(candidate.label) :]
    if level is None:
        if school.level == SchoolLevel.NINE_YEAR:
            return None, Problem("level", "九年一贯制学校须填写学段（小学或初中）。")
        level = Level.PRIMARY if school.level == SchoolLevel.PRIMARY else Level.JUNIOR
    subject = index.get((level, subject_text))
    if subject is None:
        return None, Problem("subject_id", unknown_subject(competition, level, subject_text))
    return subject, None


def import_roster(
    actor,
    competition: Competition,
    school: School,
    stream: IO[bytes],
    *,
    remove_missing: bool = False,
    reason: str | None = None,
    today: date | None = None,
) -> ImportResult:
    """R-ROS-6: validate every row, report every problem at once, and apply the file only when all are good."""
    reason = need_reason(edit_check(actor, competition, today=today), reason)
    sheet = read_sheet(stream, REQUIRED, [h for h in HEADERS if h not in REQUIRED], max_rows=MAX_ROWS)
    subjects = _subject_index(competition)
    taken = {
        id_number: (entry_school_id, school_name, entrant_number, name)
        for id_number, entry_school_id, school_name, entrant_number, name in db.session.execute(
            sa.select(Entry.id_number, Entry.school_id, School.name, Entry.entrant_number, Entry.name)
            .join(School, School.id == Entry.school_id)
            .where(Entry.competition_id == competition.id)
        )
    }
    mine = {
        r.id_number: r
        for r in db.session.execute(
            sa.select(Entry.id, Entry.id_number, Entry.version, *(getattr(Entry, c) for c in COMPARED)).where(
                Entry.competition_id == competition.id, Entry.school_id == school.id
            )
        )
    }

    problems: list[RowProblem] = []
    seen: dict[str, int] = {}
    parsed: list[dict] = []

    def clash_of(number: int):
        def check(id_number: str) -> str | None:
            if id_number in seen:
                return f"与本文件第{seen[id_number]}行重复（同一身份证号）"
            seen[id_number] = number
            other = taken.get(id_number)
            if other and other[0] != school.id:
                return duplicate_message(other[1], other[2], other[3]) + "。"
            return None

        return check

    for number, row in sheet.rows:
        subject, subject_problem = _subject_for(row, school, competition, subjects)
        clean, row_problems = clean_row(
            competition,
            school,
            name=cell_text(row.get("姓名")),
            id_number=row.get("身份证号"),
            subject=subject,
            subject_problem=subject_problem,
            phone=cell_text(row.get("手机号码")),
            award_name=cell_text(row.get("一等奖名称")),
            award_year=cell_text(row.get("获奖年份")),
            clash_of=clash_of(number),
        )
        problems += [RowProblem(number, COLUMN_OF[p.field], p.message) for p in row_problems]
        if clean is not None:
            parsed.append(
                {
                    "name": clean.name,
                    "id_number": clean.info.number,
                    "sex": clean.info.sex,
                    "birth_date": clean.info.birth_date,
                    "subject_id": clean.subject.id,
                    "group": clean.group,
                    "phone": clean.phone,
                    "award_name": clean.award_name,
                    "award_year": clean.award_year,
                }
            )
    if problems:
        rows_bad = len({p.row for p in problems})
        raise ImportRejected(
            f"文件中有 {rows_bad} 行共 {len(problems)} 处问题，未导入任何数据。请按下表逐一修改后重新上传。",
            problems,
        )

    result = ImportResult()
    inserts, updates = [], []
    for values in parsed:
        existing = mine.get(values["id_number"])
        exclusion = rules.exclusion_reason(
            school_is_seat=school.is_seat,
            award_name=values["award_name"],
            award_year=values["award_year"],
            competition=competition,
        )
        approved = existing is not None and existing.status == EntryStatus.EXEMPT
        values["status"], values["status_reason"] = rules.status_in_force(
            exclusion=exclusion, exemption_approved=approved
        )
        if existing is None:
            inserts.append(values)
            result.added.append(values["name"])
        elif any(getattr(existing, c) != values[c] for c in COMPARED):
            updates.append({**values, "_id": existing.id, "version": existing.version + 1})
            result.changed.append(values["name"])
        else:
            result.unchanged += 1
    missing = [r for id_number, r in mine.items() if id_number not in seen]
    result.removed = [r.name for r in missing]
    if missing and not remove_missing:
        names = "、".join(result.removed[:30]) + (f" 等 {len(missing)} 人" if len(missing) > 30 else "")
        raise ImportRejected(
            f"文件中没有本校名单上现有的 {len(missing)} 名教师（{names}），未导入任何数据。导入文件应为本校全体教师；"
            "如果这些教师确已调离，请勾选“删除文件中没有的教师”后重新上传，否则请把他们补进文件。"
        )

    now = utcnow()
    if inserts:
        first = allocate_numbers(competition, len(inserts))
        for offset, values in enumerate(inserts):
            values.update(
                competition_id=competition.id,
                school_id=school.id,
                entrant_number=first + offset,
                version=1,
                created_at=now,
                updated_at=now,
            )
        db.session.execute(Entry.__table__.insert(), inserts)  # Core: no ORM bookkeeping per row
    if updates:
        table = Entry.__table__
        columns = [*COMPARED, "version"]
        db.session.execute(
            table.update()
            .where(table.c.id == sa.bindparam("_id"))
            .values({**{c: sa.bindparam(f"b_{c}") for c in columns}, "updated_at": now}),
            [{f"b_{c}": u[c] for c in columns} | {"_id": u["_id"]} for u in updates],
        )
    if missing:
        ids = [r.id for r in missing]
        db.session.execute(sa.delete(ExemptionApplication).where(ExemptionApplication.entry_id.in_(ids)))
        db.session.execute(sa.delete(Entry).where(Entry.id.in_(ids)))
    db.session.flush()
    db.session.expire_all()
    audit.record(
        actor,
        "roster.import",
        "school",
        school.id,
        f"导入教师名单（{school.name}）：新增 {len(result.added)}，修改 {len(result.changed)}，"
        f"删除 {len(result.removed)}，未变 {result.unchanged}",
        after={
            "added": len(result.added),
            "changed": len(result.changed),
            "removed": result.removed[:200],
            "unchanged": result.unchanged,
        },
        reason=reason,
        competition_id=competition.id,
        district_id=school.district_id,
        school_id=school.id,
    )
    return result
