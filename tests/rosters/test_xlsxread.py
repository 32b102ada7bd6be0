"""The streaming xlsx reader answers like app.web.xlsx.read_sheet (R-ROS-6), only faster."""
from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from app.rosters import xlsxread
from app.web import xlsx
from app.web.xlsx import ImportRejected


def _openpyxl_file() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号", "获奖年份", "备注", "是否"])
    ws.append(["张三", "370921198506010025", 2024, "a & b <c>", True])
    ws.append([None, None, None, None, None])  # a blank row is skipped
    ws.append(["李四", 3.70921198506011e17, 2023.5, None, False])
    ws["F5"] = "右边多出的一列"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_same_rows_as_the_openpyxl_reader():
    data = _openpyxl_file()
    expected = xlsx.read_sheet(io.BytesIO(data), ["姓名", "身份证号"], ["获奖年份", "备注", "是否"])
    got = xlsxread.read_sheet(io.BytesIO(data), ["姓名", "身份证号"], ["获奖年份", "备注", "是否"])
    assert got.headers == [h for h in expected.headers if h]  # openpyxl pads to the widest row
    assert got.rows == expected.rows
    assert got.rows[0] == (2, {"姓名": "张三", "身份证号": "370921198506010025", "获奖年份": 2024, "备注": "a & b <c>",
                               "是否": True})


def _package(sheet_xml: str, shared: str | None = None) -> bytes:
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rels = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", f'<workbook xmlns="{main}" xmlns:r="{rels}"><sheets>'
                                            '<sheet name="名单" sheetId="1" r:id="rId7"/></sheets></workbook>')
        archive.writestr("xl/_rels/workbook.xml.rels",
                         '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                         '<Relationship Id="rId7" Target="worksheets/名单.xml" Type="x"/></Relationships>')
        archive.writestr("xl/worksheets/名单.xml", f'<x:worksheet xmlns:x="{main}"><x:sheetData>{sheet_xml}'
                                                  "</x:sheetData></x:worksheet>")
        if shared:
            archive.writestr("xl/sharedStrings.xml", f'<sst xmlns="{main}">{shared}</sst>')
    return buffer.getvalue()


def test_inline_strings_rich_text_prefixes_and_cells_without_references():
    """Files written by WPS and .NET tools: namespace prefixes, inline strings, rich text, no r= on cells."""
    sheet = ('<x:row r="1"><x:c t="inlineStr"><x:is><x:t>姓名</x:t></x:is></x:c><x:c t="s"><x:v>0</x:v></x:c></x:row>'
             '<x:row r="2"><x:c r="A2" t="inlineStr"><x:is><x:r><x:t>王</x:t></x:r><x:r><x:t>芳</x:t></x:r></x:is></x:c>'
             '<x:c r="B2" t="s"><x:v>1</x:v></x:c></x:row>')
    shared = ("<si><t>身份证号</t></si><si><r><t>3709211985</t></r><r><t>06010025</t></r>"
              "<rPh><t>よみ</t></rPh></si>")
    rows = xlsxread.read_sheet(io.BytesIO(_package(sheet, shared)), ["姓名", "身份证号"]).rows
    assert rows == [(2, {"姓名": "王芳", "身份证号": "370921198506010025"})]


def test_merged_cells_and_too_many_rows_are_refused():
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号"])
    for i in range(5):
        ws.append([f"t{i}", "x"])
    ws.merge_cells("A2:A3")
    buffer = io.BytesIO()
    wb.save(buffer)
    with pytest.raises(ImportRejected, match="合并单元格（A2:A3）"):
        xlsxread.read_sheet(io.BytesIO(buffer.getvalue()), ["姓名"])
    with pytest.raises(ImportRejected, match="一次最多导入 3 行"):
        xlsxread.read_sheet(io.BytesIO(buffer.getvalue()), ["姓名"], max_rows=3)


def test_a_damaged_package_is_refused_in_chinese():
    with pytest.raises(ImportRejected, match="文件可能已损坏"):
        xlsxread.read_sheet(io.BytesIO(_package("<x:row><x:c><x:v>1</x:v></x:c>")), ["姓名"])
    with pytest.raises(ImportRejected, match="第1行应为表头"):
        xlsxread.read_sheet(io.BytesIO(_package('<x:row r="3"><x:c t="inlineStr"><x:is><x:t>姓名</x:t></x:is></x:c></x:row>')),
                            ["姓名"])
