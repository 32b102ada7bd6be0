"""Test helpers of the rosters domain: xlsx files built in memory, teachers with valid ID numbers."""

from __future__ import annotations

import io
from datetime import date
from itertools import count

from openpyxl import Workbook

from app.rosters.idcard import make_id_number
from app.rosters.importer import HEADERS

_seq = count(1)


def id_for(birth: date, sex: str = "女", region: str = "370921") -> str:
    """A fresh valid ID number (odd sequence → 男, even → 女)."""
    n = next(_seq) % 499
    return make_id_number(region, birth, n * 2 + (1 if sex == "男" else 0))


def xlsx_file(rows, headers=HEADERS, *, merge: str | None = None, numeric_ids: bool = False) -> io.BytesIO:
    """An in-memory xlsx with ``headers`` in row 1 and ``rows`` below; ID cells as text unless ``numeric_ids``."""
    wb = Workbook()
    ws = wb.active
    ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
    if not numeric_ids:
        for cell in ws["B"][1:]:
            cell.number_format = "@"
    if merge:
        ws.merge_cells(merge)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


def teacher(
    name: str,
    birth: date = date(1985, 6, 1),
    sex: str = "女",
    subject: str = "语文",
    level: str = "小学",
    phone: str = "",
    award: str = "",
    year="",
) -> list:
    return [name, id_for(birth, sex), level, subject, phone, award, year]
