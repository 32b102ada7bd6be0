"""xlsx in and out (R-XLS-1 exports; the reading half of every all-or-nothing import, R-ROS-6)."""

from __future__ import annotations

import io
import pickle
import posixpath
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from operator import itemgetter
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from app.errors import DomainError
from app.timeutil import to_beijing

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ---------------------------------------------------------------- writing: tables declared once (R-XLS-1)
#
# An export is a ``Table`` of ``Column``s: header, value (attribute path or callable), kind, width.
# Every cell of every export is made by ``export_cell``, the one place that decides how a value is written:
#
# - text that begins with = + - @ tab or CR (OWASP's formula-injection triggers) is written as a
#   string cell carrying ``quotePrefix`` — what Excel and WPS store when a user types a leading
#   apostrophe — so it shows as text and stays text when the cell is edited; the text itself is kept
#   unchanged, so a re-imported roster reads back the same name. No cell is ever a formula: openpyxl
#   turns any string beginning with "=" into a formula (``Cell._bind_value``), so ``export_cell`` resets
#   the data type to string after binding;
# - scores and ratios are numbers (Decimal) with a number format (0.00, 0.00 %), counts integers,
#   dates and Beijing-time datetimes real Excel dates;
# - characters XML cannot carry (NUL and the other C0 controls but tab, LF, CR) are dropped instead
#   of failing the whole download.

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

KINDS: dict[str, str | None] = {
    "text": None,
    "int": None,  # General shows a whole number as one
    "score": "0.00",
    "ratio": "0.00%",
    "percent": "0.0%",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
    "bool": None,
    "auto": None,  # positional sheets only: the kind read from each value's Python type
}


@dataclass(frozen=True)
class Column:
    """One exported column: its header, where its value comes from, its kind and width.

    ``value`` is an attribute path (``"entry.school.name"``, item keys for dicts) or a callable of
    the row; ``empty`` is the text written when the value is None (``"未定"``), else the cell is blank.
    """

    header: str
    value: str | Callable[[Any], Any]
    kind: str = "text"
    width: int | None = None
    empty: str | None = None
    number_format: str | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")

    def of(self, row: Any) -> Any:
        if callable(self.value):
            return self.value(row)
        value = row
        for name in self.value.split("."):
            if value is None:
                return None
            value = value[name] if isinstance(value, dict) else getattr(value, name)
        return value

    @property
    def numeric(self) -> bool:
        """Right-aligned in an HTML table that shares these columns (``<th class="num">``)."""
        return self.kind in {"int", "score", "ratio", "percent"}

    def typed(self, row: Any) -> tuple[Any, str | None]:
        """This column's value for ``row`` as written, and its number format."""
        raw = self.of(row)
        kind = _auto_kind(raw) if self.kind == "auto" else self.kind
        value = typed(raw, kind)
        if value is None and self.empty is not None:
            return self.empty, None
        return value, self.number_format or KINDS[kind]


@dataclass(frozen=True)
class Table:
    """An exported table: its columns in order; the headers an HTML table can share."""

    columns: Sequence[Column]

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def values(self, row: Any) -> list[Any]:
        """One row's typed values, in column order (what ``export_cell`` will write)."""
        return [c.typed(row)[0] for c in self.columns]

    def xlsx(self, sheet_title: str, rows: Iterable[Any]) -> bytes:
        return _workbook(sheet_title, self.columns, rows)

    def response(self, filename: str, sheet_title: str, rows: Iterable[Any]) -> Response:
        """R-XLS-1: the table as an xlsx download."""
        return download_response(self.xlsx(sheet_title, rows), filename)


def typed(value: Any, kind: str) -> Any:
    """A value as its column's kind writes it; a value of the wrong type is a programming error."""
    if value is None or isinstance(value, str) and value == "":
        return None
    if kind == "text":
        if isinstance(value, bool):
            return "是" if value else "否"
        return str(value)
    if kind == "bool":
        return "是" if value else "否"
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"count column given {value!r}")
        return value
    if kind in {"score", "ratio", "percent"}:
        if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
            raise TypeError(f"{kind} column given {value!r} (Decimal expected)")
        return Decimal(value)
    if kind == "date":
        if isinstance(value, datetime) or not isinstance(value, date):
            raise TypeError(f"date column given {value!r}")
        return value
    if not isinstance(value, datetime):  # kind == "datetime": naive UTC from the database
        raise TypeError(f"datetime column given {value!r}")
    return to_beijing(value)


def export_cell(ws: Any, value: Any, number_format: str | None = None) -> Any:
    """The one writer of an export cell: text never a formula, numbers and dates typed (R-XLS-1).

    Returns the value itself where openpyxl's own binding is already right (plain text, a count),
    which keeps a 50,000-row audit export fast; a styled ``WriteOnlyCell`` otherwise.
    """
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if not value.startswith(FORMULA_TRIGGERS) and value not in ERROR_CODES:
            return value
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"  # openpyxl made "=…" a formula and "#N/A" an error: both are text here
        if value.startswith(FORMULA_TRIGGERS):
            cell.quotePrefix = True
        return cell
    if number_format is None or not isinstance(value, (int, Decimal, date)):
        return value
    cell = WriteOnlyCell(ws, value=value)
    cell.number_format = number_format
    return cell


def _workbook(sheet_title: str, columns: Sequence[Column], rows: Iterable[Any]) -> bytes:
    """A one-sheet workbook with a bold, frozen header row."""
    wb = Workbook(write_only=True)
    title = ILLEGAL_CHARACTERS_RE.sub("", _SHEET_TITLE_BAD.sub("", sheet_title))[:31]
    ws = wb.create_sheet(title=title or "Sheet1")
    ws.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        width = column.width or max(10, len(column.header) * 2 + 4)
        ws.column_dimensions[get_column_letter(index)].width = width
    # every value is typed before anything is written: a wrong type fails before the sheet is open
    body = [[column.typed(row) for column in columns] for row in rows]
    header_cells = []
    for column in columns:
        cell = export_cell(ws, column.header)  # a header can be user text too: a score item's name
        if not isinstance(cell, Cell):
            cell = WriteOnlyCell(ws, value=cell)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        header_cells.append(cell)
    ws.append(header_cells)
    for typed_row in body:
        ws.append([None if value is None else export_cell(ws, value, fmt) for value, fmt in typed_row])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


_SHEET_TITLE_BAD = re.compile(r"[\\/*?:\[\]]")


def _auto_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, Decimal):
        return "score"
    if isinstance(value, datetime):
        return "datetime"
    if isinstance(value, date):
        return "date"
    return "text"


def xlsx_bytes(sheet_title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A sheet from a header list and positional rows, each cell typed by its value.

    Kept for ad-hoc sheets; an export declares a ``Table`` so a header and its values cannot drift.
    """
    columns = [Column(h, itemgetter(i), "auto") for i, h in enumerate(headers)]
    return _workbook(sheet_title, columns, rows)


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
    """R-XLS-1: positional rows as an xlsx download (prefer ``Table.response``)."""
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

    def __init__(self, message: str, problems: Sequence[RowProblem] = (), *, status_code: int = 422):
        super().__init__(message)
        self.problems = list(problems)
        self.status_code = status_code  # 413 for a file over the size limit


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
    file, an empty sheet, missing or renamed headers, merged cells, more than ``max_rows`` rows, and
    any file over the upload limits (``limits``): it is inspected as a zip first — sizes, ratio,
    members, sheets, declared and actual sheet dimensions — and only then parsed, in a child process
    with a memory limit and a timeout, so that no file can take the worker down (issue 12.1).
    Rows with nothing in a known column are skipped. Reading uses python-calamine (about 0.4 s for
    30,000 rows, a tenth of openpyxl's read-only mode); openpyxl still writes every export.
    """
    limits = upload_limits()
    data = stream.read(limits.max_bytes + 1)
    if not data:
        raise ImportRejected("上传的文件是空的，请选择填写好的 xlsx 文件。")
    if len(data) > limits.max_bytes:
        raise ImportRejected(
            f"文件过大（超过 {limits.max_bytes // 1048576} MB），请删除无关的工作表、图片和格式后再上传。",
            status_code=413,
        )
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportRejected("这是旧版 Excel（.xls）文件，请在 Excel 中“另存为”xlsx 格式后再上传。")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ImportRejected("文件不是 xlsx 格式（可能是 CSV、WPS 或图片），请使用下载的模板填写后上传。")
    inspect_package(data, limits)
    parsed = _parse_in_child(data, limits, max_rows=max_rows)
    merged = parsed["merged"]
    raw_rows: list[list[Any]] = parsed["rows"]
    if len(raw_rows) > max_rows + 1:
        raise ImportRejected(f"文件行数过多（超过 {max_rows} 行），一次最多导入 {max_rows} 行，请分批导入。")
    if merged:
        where = "、".join(f"{_a1(*start)}:{_a1(*end)}" for start, end in merged[:5])
        raise ImportRejected(f"表格中有合并单元格（{where}），请取消合并后每行填写一名教师再上传。")
    # iter_rows starts at the first used row; Excel row numbers count from the sheet's top.
    start = parsed["start"]
    first_row = start[0] if start else 0
    header_row = [_cell(v) for v in raw_rows[0]] if raw_rows and first_row == 0 else None
    if header_row is None or all(v is None for v in header_row):
        raise ImportRejected("表格是空的：第1行应为表头，从第2行开始每行一条记录。")
    first_column = start[1] if start else 0
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


# ---------------------------------------------------------------- hostile uploads (issue 12.1)


@dataclass(frozen=True)
class UploadLimits:
    """Bounds an uploaded xlsx must keep before it is parsed; the defaults live in ``app.config``."""

    max_bytes: int
    max_uncompressed: int
    max_ratio: int
    max_members: int
    max_sheets: int
    max_rows: int
    max_columns: int
    memory: int
    timeout: float


def upload_limits() -> UploadLimits:
    """The configured limits (``XLSX_*`` settings), or the defaults outside an application."""
    from flask import current_app, has_app_context

    from app.config import DefaultConfig

    config = current_app.config if has_app_context() else {}

    def get(name: str):
        return config.get(name, getattr(DefaultConfig, name))

    return UploadLimits(
        max_bytes=get("XLSX_MAX_BYTES"),
        max_uncompressed=get("XLSX_MAX_UNCOMPRESSED"),
        max_ratio=get("XLSX_MAX_RATIO"),
        max_members=get("XLSX_MAX_MEMBERS"),
        max_sheets=get("XLSX_MAX_SHEETS"),
        max_rows=get("XLSX_MAX_ROWS"),
        max_columns=get("XLSX_MAX_COLUMNS"),
        memory=get("XLSX_PARSE_MEMORY"),
        timeout=get("XLSX_PARSE_TIMEOUT"),
    )


_TOO_BIG = (
    "文件解压后过大或结构异常（{why}），不像是填写好的名单；请使用下载的模板，只保留一个工作表后再上传。"
)
# Opening tags of the worksheet parts that size calamine's grid; a namespace prefix (x:c) is allowed.
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])([^>]*)")
_REF = re.compile(rb"\br=\"\$?([A-Za-z]{0,3})\$?(\d*)\"")
_DIM = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)")
_SHEET = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sheet[\s/>]")
_RELATIONSHIP = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?Relationship\b([^>]*)>")
_ATTR = re.compile(rb"\b(Target|Type)=\"([^\"]*)\"")


def _column_number(letters: bytes | str) -> int:
    number = 0
    for char in letters.upper() if isinstance(letters, str) else letters.decode().upper():
        number = number * 26 + ord(char) - 64
    return number


def inspect_package(data: bytes, limits: UploadLimits) -> None:
    """Refuse a zip bomb, a sheet bomb or a workbook of thousands of sheets before anything parses it.

    Reads the zip directory, then streams each worksheet part through the decompressor (never more
    than its declared size: ``zipfile`` stops there) to learn its declared and its actual dimensions.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ImportRejected("无法读取该 xlsx 文件，文件可能已损坏，请重新保存后上传。") from None
    total = sum(m.file_size for m in members)
    if total > limits.max_uncompressed:
        raise ImportRejected(
            _TOO_BIG.format(
                why=f"解压后约 {total / 1048576:.0f} MB，上限 {limits.max_uncompressed // 1048576} MB"
            )
        )
    for member in members:
        if member.file_size > 1_048_576 and member.file_size > limits.max_ratio * max(
            member.compress_size, 1
        ):
            raise ImportRejected(_TOO_BIG.format(why="压缩比异常"))
    names = {m.filename for m in members}
    workbook = _small_part(archive, "xl/workbook.xml", names)
    sheets = len(_SHEET.findall(workbook))
    if sheets > limits.max_sheets:
        raise ImportRejected(
            f"文件包含 {sheets} 个工作表，最多 {limits.max_sheets} 个；请只保留名单所在的工作表后再上传。"
        )
    if len(members) > limits.max_members:
        raise ImportRejected(_TOO_BIG.format(why=f"包含 {len(members)} 个部件"))
    for name in sorted(_worksheet_parts(archive, names)):
        _check_sheet(archive, name, limits)


def _small_part(archive: zipfile.ZipFile, name: str, names: set[str]) -> bytes:
    if name not in names:
        return b""
    try:
        with archive.open(name) as part:
            return part.read(4 * 1_048_576)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError):
        raise ImportRejected("无法读取该 xlsx 文件，文件可能已损坏，请重新保存后上传。") from None


def _worksheet_parts(archive: zipfile.ZipFile, names: set[str]) -> set[str]:
    """Every part the workbook's relationships call a worksheet, and anything in a worksheets folder."""
    parts = {n for n in names if "worksheets/" in n.lower() and not n.endswith("/")}
    for attrs in _RELATIONSHIP.findall(_small_part(archive, "xl/_rels/workbook.xml.rels", names)):
        found = dict(_ATTR.findall(attrs))
        target = found.get(b"Target", b"").decode("utf-8", "replace")
        if found.get(b"Type", b"").endswith(b"/worksheet") and target:
            target = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            parts.add(posixpath.normpath(target))
    return parts & names


_CELL_REF = re.compile(rb'<c r="([A-Z]{1,3})(\d+)"')
_ROW_REF = re.compile(rb'<row r="(\d+)"')
_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\s[^>]*?\bref=\"([^\"]*)\"")


def _quick_size(text: bytes, refuse) -> int | None:
    """The usual case, fast: every row and cell names its place. Returns the last row number seen,
    or None to send the text to the exact scan."""
    if b":c " in text or b":row " in text:  # prefixed tags (x:c): the exact scan reads them
        return None
    cells, rows = _CELL_REF.findall(text), _ROW_REF.findall(text)
    if len(cells) != sum(map(text.count, (b"<c ", b"<c>", b"<c/>"))) or len(rows) != sum(
        map(text.count, (b"<row ", b"<row>", b"<row/>"))
    ):
        return None
    if cells:
        letters = max({c for c, _ in cells}, key=lambda c: (len(c), c))
        refuse(max(int(r) for _, r in cells), _column_number(letters))
    return int(rows[-1]) if rows else 0


def _check_sheet(archive: zipfile.ZipFile, name: str, limits: UploadLimits) -> None:
    """Declared (``<dimension ref>``) and actual (the last cell of each row) size of one worksheet."""
    # The grid's bound protects memory; the caller's ``max_rows`` is checked on the parsed rows.
    row_cap, column_cap = limits.max_rows, limits.max_columns

    def refuse(rows: int, columns: int) -> None:
        if rows > row_cap:
            raise ImportRejected(
                f"工作表用到了第 {rows} 行，超过 {row_cap} 行的上限；"
                "请删除多余的行（包括只有格式的空行），或分批导入。"
            )
        if columns > column_cap:
            raise ImportRejected(
                f"工作表用到了第 {columns} 列，超过 {column_cap} 列的上限；请删除表格右侧多余的列后再上传。"
            )

    row = column = 0
    tail = b""
    try:
        with archive.open(name) as part:
            while chunk := part.read(1_048_576):
                buffer = tail + chunk
                # A tag cut by the chunk boundary is read again with the next chunk.
                cut = buffer.rfind(b"<")
                if cut == -1 or b">" in buffer[cut:]:
                    cut = len(buffer)
                for declared in _DIMENSION.findall(buffer, 0, cut):
                    found = _DIM.fullmatch(declared.decode("ascii", "replace").split(":")[-1])
                    if found:
                        refuse(int(found.group(2)), _column_number(found.group(1)))
                last_row = _quick_size(buffer[:cut], refuse)
                if last_row is not None:
                    row, column = max(row, last_row), 0
                    tail = buffer[cut:][-4096:]
                    continue
                for match in _TAG.finditer(buffer, 0, cut):
                    kind, attrs = match.group(1), match.group(2)
                    ref = _REF.search(attrs)
                    if kind == b"c":
                        if ref and ref.group(1):
                            column = _column_number(ref.group(1))
                        else:
                            column += 1
                        if ref and ref.group(2):
                            row = int(ref.group(2))
                        refuse(max(row, 1), column)
                    else:
                        row = int(ref.group(2)) if ref and ref.group(2) else row + 1
                        column = 0
                tail = buffer[cut:][-4096:]
    except ImportRejected:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError, ValueError):
        raise ImportRejected("无法读取该 xlsx 文件，文件可能已损坏，请重新保存后上传。") from None


def _parse_in_child(data: bytes, limits: UploadLimits, *, max_rows: int) -> dict[str, Any]:
    """Run calamine in a child process with a memory limit and a timeout; its death is a refusal."""
    child = Path(__file__).with_name("xlsx_child.py")
    try:
        done = subprocess.run(
            [sys.executable, "-I", str(child), str(limits.memory), str(max_rows + 2)],
            input=data,
            capture_output=True,
            timeout=limits.timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ImportRejected(
            "读取该文件用时过长，已停止；请删除多余的工作表、行和格式后重新保存再上传。"
        ) from None
    if done.returncode != 0 or not done.stdout:
        raise ImportRejected(
            "无法读取该 xlsx 文件：文件结构异常或读取所需内存过大；请在 Excel 中新建文件、"
            "只粘贴名单内容后重新上传。"
        )
    result = pickle.loads(done.stdout)
    if result.get("error"):
        raise ImportRejected("无法读取该 xlsx 文件，文件可能已损坏，请重新保存后上传。")
    return result


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
