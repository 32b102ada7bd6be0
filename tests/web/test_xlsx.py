"""Reading uploaded xlsx for all-or-nothing imports (R-ROS-6): values, refusals in Chinese."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from app.web.xlsx import ImportRejected, read_sheet


def _saved(wb: Workbook) -> io.BytesIO:
    buffer = io.BytesIO()
    wb.save(buffer)
    return io.BytesIO(buffer.getvalue())


def test_values_come_back_keyed_by_header_with_blank_rows_skipped_and_row_numbers_kept():
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号", "获奖年份", "备注", "是否"])
    ws.append(["张三", "370921198506010025", 2024, "a & b <c>", True])
    ws.append([None, None, None, None, None])
    ws.append(["李四", 3.70921198506011e17, 2023.5, None, False])
    ws["F5"] = "右边多出的一列"  # a note beside the table: the row has nothing in a known column
    sheet = read_sheet(_saved(wb), ["姓名", "身份证号"], ["获奖年份", "备注", "是否"])
    assert sheet.rows == [
        (
            2,
            {
                "姓名": "张三",
                "身份证号": "370921198506010025",
                "获奖年份": 2024,
                "备注": "a & b <c>",
                "是否": True,
            },
        ),
        # an ID number stored as a number stays a float, so the ID check can say what Excel did to it
        (
            4,
            {
                "姓名": "李四",
                "身份证号": 3.70921198506011e17,
                "获奖年份": 2023.5,
                "备注": None,
                "是否": False,
            },
        ),
    ]


def _package(sheet_xml: str, shared: str | None = None) -> bytes:
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rels = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>",
        )
        archive.writestr(
            "_rels/.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Target="xl/workbook.xml" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{main}" xmlns:r="{rels}"><sheets>'
            '<sheet name="名单" sheetId="1" r:id="rId7"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId7" Target="worksheets/sheet1.xml" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
            "</Relationships>",
        )
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            f'<x:worksheet xmlns:x="{main}"><x:sheetData>{sheet_xml}</x:sheetData></x:worksheet>',
        )
        if shared:
            archive.writestr("xl/sharedStrings.xml", f'<sst xmlns="{main}">{shared}</sst>')
    return buffer.getvalue()


def test_files_from_wps_and_dotnet_tools_inline_strings_rich_text_prefixes():
    sheet = (
        '<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>姓名</x:t></x:is></x:c><x:c r="B1" t="s"><x:v>0</x:v></x:c></x:row>'
        '<x:row r="2"><x:c r="A2" t="inlineStr"><x:is><x:r><x:t>王</x:t></x:r><x:r><x:t>芳</x:t></x:r></x:is></x:c>'
        '<x:c r="B2" t="s"><x:v>1</x:v></x:c></x:row>'
    )
    shared = "<si><t>身份证号</t></si><si><r><t>3709211985</t></r><r><t>06010025</t></r></si>"
    rows = read_sheet(io.BytesIO(_package(sheet, shared)), ["姓名", "身份证号"]).rows
    assert rows == [(2, {"姓名": "王芳", "身份证号": "370921198506010025"})]


def test_merged_cells_and_too_many_rows_are_refused():
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号"])
    for i in range(5):
        ws.append([f"t{i}", "x"])
    ws.merge_cells("A2:A3")
    data = _saved(wb).getvalue()
    with pytest.raises(ImportRejected, match="合并单元格（A2:A3）"):
        read_sheet(io.BytesIO(data), ["姓名"])
    ws.unmerge_cells("A2:A3")
    with pytest.raises(ImportRejected, match="一次最多导入 3 行"):
        read_sheet(_saved(wb), ["姓名"], max_rows=3)


@pytest.mark.parametrize(
    "payload, message",
    [
        (b"", "文件是空的"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "旧版 Excel"),
        ("姓名,身份证号\n张三,1\n".encode(), "不是 xlsx 格式"),
        (_package("")[:-40], "不是 xlsx 格式"),  # a truncated download is no zip at all
    ],
)
def test_files_that_are_not_a_readable_xlsx_are_refused_in_chinese(payload, message):
    with pytest.raises(ImportRejected, match=message):
        read_sheet(io.BytesIO(payload), ["姓名"])


def test_a_zip_that_is_not_a_workbook_is_refused_as_damaged():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ImportRejected, match="文件可能已损坏"):
        read_sheet(io.BytesIO(buffer.getvalue()), ["姓名"])


def test_empty_sheet_header_only_and_renamed_headers():
    sheet = '<x:row r="3"><x:c r="A3" t="inlineStr"><x:is><x:t>姓名</x:t></x:is></x:c></x:row>'
    with pytest.raises(ImportRejected, match="第1行应为表头"):
        read_sheet(io.BytesIO(_package(sheet)), ["姓名"])
    wb = Workbook()
    wb.active.append(["姓名", "身份证号"])
    with pytest.raises(ImportRejected, match="只有表头"):
        read_sheet(_saved(wb), ["姓名"])
    wb.active.append(["张三", "x"])
    with pytest.raises(ImportRejected, match="缺少「学科」"):
        read_sheet(_saved(wb), ["姓名", "学科"])
