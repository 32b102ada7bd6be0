"""xlsx in and out (R-XLS-1 exports; the reading half of every all-or-nothing import, R-ROS-6)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any
from urllib.parse import quote

from flask import Response
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

from app.errors import DomainError

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_bytes(sheet_title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A one-sheet workbook with a bold, frozen header row; text columns stay text."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=sheet_title[:31] or "Sheet1")
    ws.freeze_panes = "A2"
    for index, header in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(index)].width = max(10, len(str(header)) * 2 + 4)
    from openpyxl.cell import WriteOnlyCell

    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(ws, value=header)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        header_cells.append(cell)
    ws.append(header_cells)
    for row in rows:
        ws.append([_cell_value(v) for v in row])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _cell_value(value: Any) -> Any:
    # Decimals are written as text with their exact digits: a score of 87.50 must not become 87.5.
    from decimal import Decimal

    if isinstance(value, Decimal):
        return f"{value}"
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


def download_response(
    data: bytes, filename: str, mimetype: str = XLSX_MIME, *, inline: bool = False
) -> Response:
    """A download with a UTF-8 file name (Chinese names survive every browser).

    ``inline`` shows it in the browser (an uploaded scan), with ``nosniff`` so the browser keeps to
    the type the server checked and never guesses another.
    """
    response = Response(data, mimetype=mimetype)
    ascii_name = filename.encode("ascii", "ignore").decode() or "export.xlsx"
    response.headers["Content-Disposition"] = (
        f"{'inline' if inline else 'attachment'}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    )
    response.headers["Cache-Control"] = "no-store"
    if inline:
        response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def xlsx_response(
    filename: str, sheet_title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]
) -> Response:
    """R-XLS-1: any admin table as an xlsx download."""
    return download_response(xlsx_bytes(sheet_title, headers, rows), filename)


@dataclass(frozen=True)
class RowProblem:
    """One bad cell of an import: row as Excel numbers it, column header, reason in Chinese."""

    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"第{self.row}行「{self.column}」：{self.reason}"


class ImportRejected(DomainError):
    """The whole file is refused (R-ROS-6); ``problems`` lists every bad row at once."""

    def __init__(self, message: str, problems: Sequence[RowProblem] = ()):
        super().__init__(message)
        self.problems = list(problems)


@dataclass
class SheetRows:
    headers: list[str]
    rows: list[tuple[int, dict[str, Any]]]  # (Excel row number, {header: value})


def _cell(value: Any) -> Any:
    """A calamine cell as the importers expect it: '' → None, whole numbers below 10^15 → int.

    Larger numbers stay float on purpose: an ID number Excel stored as a number arrives that way
    (3.70921198506011e17), and the ID check explains the damage (R-ROS-6).
    """
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


def _a1(row: int, column: int) -> str:
    letters = ""
    column += 1
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row + 1}"


def read_sheet(
    stream: IO[bytes],
    required: Sequence[str],
    optional: Sequence[str] = (),
    *,
    max_rows: int = 50_000,
) -> SheetRows:
    """Read the first sheet of an uploaded xlsx into header-keyed rows, or refuse it whole (R-ROS-6).

    Refuses with a Chinese reason: a file that is not xlsx (including old .xls and CSV), a damaged
    file, an empty sheet, missing or renamed headers, merged cells, more than ``max_rows`` rows.
    Rows with nothing in a known column are skipped. Reading uses python-calamine (about 0.4 s for
    30,000 rows, a tenth of openpyxl's read-only mode); openpyxl still writes every export.
    """
    data = stream.read()
    if not data:
        raise ImportRejected("上传的文件是空的，请选择填写好的 xlsx 文件。")
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportRejected("这是旧版 Excel（.xls）文件，请在 Excel 中“另存为”xlsx 格式后再上传。")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ImportRejected("文件不是 xlsx 格式（可能是 CSV、WPS 或图片），请使用下载的模板填写后上传。")
    try:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
        merged = sheet.merged_cell_ranges or []
        raw_rows: list[list[Any]] = []
        for values in sheet.iter_rows():
            raw_rows.append(values)
            if len(raw_rows) > max_rows + 1:
                raise ImportRejected(
                    f"文件行数过多（超过 {max_rows} 行），一次最多导入 {max_rows} 行，请分批导入。"
                )
    except ImportRejected:
        raise
    except Exception:  # calamine raises several types for damaged packages
        raise ImportRejected("无法读取该 xlsx 文件，文件可能已损坏，请重新保存后上传。") from None
    if merged:
        where = "、".join(f"{_a1(*start)}:{_a1(*end)}" for start, end in merged[:5])
        raise ImportRejected(f"表格中有合并单元格（{where}），请取消合并后每行填写一名教师再上传。")
    # iter_rows starts at the first used row; Excel row numbers count from the sheet's top.
    first_row = sheet.start[0] if sheet.start else 0
    header_row = [_cell(v) for v in raw_rows[0]] if raw_rows and first_row == 0 else None
    if header_row is None or all(v is None for v in header_row):
        raise ImportRejected("表格是空的：第1行应为表头，从第2行开始每行一条记录。")
    first_column = sheet.start[1] if sheet.start else 0
    headers = [""] * first_column + [str(v).strip() if v is not None else "" for v in header_row]
    missing = [h for h in required if h not in headers]
    if missing:
        raise ImportRejected(
            "表头不符合模板：缺少「" + "」「".join(missing) + "」。请使用下载的模板，不要修改或删除表头。"
        )
    known = set(required) | set(optional)
    positions = {h: i - first_column for i, h in enumerate(headers) if h in known}
    rows: list[tuple[int, dict[str, Any]]] = []
    for number, raw in enumerate(raw_rows[1:], start=2):
        record = {h: (_cell(raw[i]) if 0 <= i < len(raw) else None) for h, i in positions.items()}
        # Blank rows, and notes typed beside the table, are not records.
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in record.values()):
            continue
        rows.append((number, record))
    if not rows:
        raise ImportRejected("表格只有表头，没有数据行。")
    return SheetRows(headers=headers, rows=rows)


def cell_text(value: Any) -> str:
    """A cell as trimmed text ('' for empty); dates become YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def yes_no(value: Any) -> bool | None:
    """是/否 (also Y/N, 1/0, true/false) → bool; None when unreadable."""
    text = cell_text(value).lower()
    if text in {"是", "y", "yes", "1", "true", "√"}:
        return True
    if text in {"否", "n", "no", "0", "false", ""}:
        return False
    return None
