"""A streaming reader of the first sheet of an xlsx file, for imports of tens of thousands of rows (R-ROS-6).

openpyxl builds a cell object per cell (about 10 s for a 30,000-row roster on a busy two-core machine);
this reads the sheet XML with the standard library's expat-backed ``iterparse`` in a fraction of that and
keeps only the values. It answers exactly like ``app.web.xlsx.read_sheet`` (same ``SheetRows`` and the
same Chinese refusals: not xlsx, old .xls, empty, merged cells, too many rows, missing headers) so an
import can use either. Values: shared/inline strings as ``str``, numbers as ``int`` or ``float`` (an ID
number Excel stored as a number therefore arrives as a float, which the ID check explains), booleans as
``bool``. Date-formatted numbers stay numbers: roster files have no date columns.
"""
from __future__ import annotations

import io
import posixpath
import re
import zipfile
from functools import lru_cache
from typing import IO, Any, Iterator, Sequence
from xml.etree.ElementTree import iterparse

from app.web.xlsx import ImportRejected, SheetRows

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_INTEGER = re.compile(r"-?\d+")
_XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@lru_cache(maxsize=256)
def _letters_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index - 1


def _column_index(ref: str) -> int:
    return _letters_index(ref.rstrip("0123456789"))


def _text(element) -> str:
    """All <t> text below ``element``: rich-text runs concatenated, phonetic readings (<rPh>) skipped."""
    if element is None:
        return ""
    if len(element) == 1 and element[0].tag == f"{_MAIN}t":
        return element[0].text or ""
    if element.find(f"{_MAIN}rPh") is None:
        return "".join(t.text or "" for t in element.iter(f"{_MAIN}t"))
    skip = {id(t) for rph in element.iter(f"{_MAIN}rPh") for t in rph.iter(f"{_MAIN}t")}
    return "".join(t.text or "" for t in element.iter(f"{_MAIN}t") if id(t) not in skip)


def _first_sheet_path(archive: zipfile.ZipFile) -> str:
    names = set(archive.namelist())
    try:
        with archive.open("xl/workbook.xml") as handle:
            first = next(e for _, e in iterparse(handle) if e.tag == f"{_MAIN}sheet")
        rel_id = first.get(f"{_REL}id")
        with archive.open("xl/_rels/workbook.xml.rels") as handle:
            target = next(e.get("Target") for _, e in iterparse(handle)
                          if e.tag == f"{_PKG_REL}Relationship" and e.get("Id") == rel_id)
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        if path in names:
            return path
    except (KeyError, StopIteration):
        pass
    if "xl/worksheets/sheet1.xml" in names:
        return "xl/worksheets/sheet1.xml"
    raise ImportRejected("无法读取该 xlsx 文件，文件可能已损坏，请重新保存后上传。")


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in archive.namelist():
        return []
    strings: list[str] = []
    with archive.open("xl/sharedStrings.xml") as handle:
        for _, element in iterparse(handle):
            if element.tag == f"{_MAIN}si":
                strings.append(_text(element))
                element.clear()
    return strings


def _value(cell, shared: list[str]) -> Any:
    kind = cell.get("t")
    if kind == "inlineStr":
        return _text(cell.find(f"{_MAIN}is"))
    v = cell.find(f"{_MAIN}v")
    if v is None or v.text is None:
        return None
    text = v.text
    if kind == "s":
        return shared[int(text)]
    if kind in ("str", "e"):
        return text
    if kind == "b":
        return text == "1"
    if _INTEGER.fullmatch(text):
        return int(text)
    return float(text)


def iter_rows(archive: zipfile.ZipFile, merged: list[str], max_rows: int) -> Iterator[tuple[int, list[Any]]]:
    """(Excel row number, values) for each row of the first sheet; collects merged ranges into ``merged``."""
    shared = _shared_strings(archive)
    with archive.open(_first_sheet_path(archive)) as handle:
        last = 0
        for _, element in iterparse(handle):
            tag = element.tag
            if tag == f"{_MAIN}row":
                number = int(element.get("r") or last + 1)
                last = number
                if number > max_rows + 1:
                    raise ImportRejected(f"文件行数过多（超过 {max_rows} 行），一次最多导入 {max_rows} 行，请分批导入。")
                values: list[Any] = []
                for position, cell in enumerate(element.iter(f"{_MAIN}c")):
                    ref = cell.get("r")
                    index = _column_index(ref) if ref else position
                    if index >= len(values):
                        values.extend([None] * (index + 1 - len(values)))
                    values[index] = _value(cell, shared)
                element.clear()
                yield number, values
            elif tag == f"{_MAIN}mergeCell":
                merged.append(element.get("ref", ""))
            elif tag == f"{_MAIN}sheetData":
                element.clear()


def read_sheet(stream: IO[bytes], required: Sequence[str], optional: Sequence[str] = (), *,
               max_rows: int = 50_000) -> SheetRows:
    """Like ``app.web.xlsx.read_sheet`` (same answers, same refusals), streaming; see the module docstring."""
    data = stream.read()
    if not data:
        raise ImportRejected("上传的文件是空的，请选择填写好的 xlsx 文件。")
    if data[:8] == _XLS_MAGIC:
        raise ImportRejected("这是旧版 Excel（.xls）文件，请在 Excel 中“另存为”xlsx 格式后再上传。")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ImportRejected("文件不是 xlsx 格式（可能是 CSV、WPS 或图片），请使用下载的模板填写后上传。")
    merged: list[str] = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            rows = list(iter_rows(archive, merged, max_rows))
    except ImportRejected:
        raise
    except Exception:  # a damaged package or XML: one answer for all
        raise ImportRejected("无法读取该 xlsx 文件，文件可能已损坏，请重新保存后上传。") from None
    if merged:
        raise ImportRejected(f"表格中有合并单元格（{'、'.join(merged[:5])}），请取消合并后每行填写一名教师再上传。")
    header_row = next(((n, v) for n, v in rows if any(x is not None and str(x).strip() for x in v)), None)
    if header_row is None or header_row[0] != 1:
        raise ImportRejected("表格是空的：第1行应为表头，从第2行开始每行一条记录。")
    headers = [str(v).strip() if v is not None else "" for v in header_row[1]]
    missing = [h for h in required if h not in headers]
    if missing:
        raise ImportRejected(
            "表头不符合模板：缺少「" + "」「".join(missing) + "」。请使用下载的模板，不要修改或删除表头。")
    known = set(required) | set(optional)
    positions = {h: i for i, h in enumerate(headers) if h in known}
    out: list[tuple[int, dict[str, Any]]] = []
    for number, values in rows:
        if number == 1 or all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        out.append((number, {h: (values[i] if i < len(values) else None) for h, i in positions.items()}))
    if not out:
        raise ImportRejected("表格只有表头，没有数据行。")
    return SheetRows(headers=headers, rows=out)
