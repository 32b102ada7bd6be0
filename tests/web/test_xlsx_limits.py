"""Hostile uploads (issue 12.1, R-ROS-6): bounds checked before parsing, and a parse that cannot kill us."""

from __future__ import annotations

import io
import os

import pytest

from app.web import xlsx
from app.web.xlsx import ImportRejected, read_sheet
from tests.web import hostile

PLAIN = f"<sheetData>{hostile.HEADER_ROW}</sheetData>"


def _refused(data: bytes, match: str) -> ImportRejected:
    with pytest.raises(ImportRejected, match=match) as caught:
        read_sheet(io.BytesIO(data), ["姓名"])
    return caught.value


@pytest.mark.parametrize(
    "data",
    [
        hostile.dimension_bomb(),
        hostile.dimension_bomb(declared=False),  # only the two cells
        hostile.dimension_bomb(cells=False),  # only the declared <dimension ref>
    ],
    ids=["cells-and-dimension", "cells", "dimension"],
)
def test_r_ros_6_dimension_bomb_is_refused_before_parsing(data):
    """The 4.7 KB file of issue 12 (A1 and XFD1048576) made calamine ask for 512 GiB and abort."""
    assert len(data) < 5000
    _refused(data, "用到了第 1048576 行，超过 60000 行的上限")


def test_r_ros_6_too_many_columns_are_refused_also_when_cells_do_not_name_their_place():
    cells = "".join("<c><v>1</v></c>" for _ in range(70))
    _refused(hostile.workbook(f"<sheetData>{hostile.HEADER_ROW}<row>{cells}</row></sheetData>"), "第 65 列")
    prefixed = "".join(f'<x:c r="{xlsx._a1(1, i)}"><x:v>1</x:v></x:c>' for i in range(70))
    data = hostile.workbook(
        f'<x:sheetData xmlns:x="{hostile.MAIN}"><x:row r="2">{prefixed}</x:row></x:sheetData>'
    )
    _refused(data, "第 65 列")


def test_r_ros_6_deflate_bomb_is_refused_by_its_declared_size_without_inflating_it():
    """2000 MiB of spaces in a 2 MB file: refused from the zip directory alone."""
    data = hostile.deflate_bomb(2000)
    assert len(data) < 3 * 1024 * 1024
    _refused(data, "解压后约 2000 MB，上限 200 MB")


def test_r_ros_6_deflate_bomb_under_the_total_is_refused_by_its_ratio():
    _refused(hostile.deflate_bomb(150), "压缩比异常")


def test_r_ros_6_a_zip_that_lies_about_the_inflated_size_is_refused_as_damaged():
    _refused(hostile.deflate_bomb(300, declared_size=1000), "文件可能已损坏")


def test_r_ros_6_thousands_of_sheets_or_too_many_sheets_are_refused():
    _refused(hostile.workbook(PLAIN, sheets=60), "文件包含 60 个工作表，最多 50 个")
    _refused(hostile.workbook(PLAIN, sheets=3000), "文件包含 3000 个工作表")


def test_r_ros_6_a_zip_of_many_members_is_refused(app, monkeypatch):
    monkeypatch.setitem(app.config, "XLSX_MAX_MEMBERS", 20)
    _refused(hostile.workbook(PLAIN, sheets=40), "包含 44 个部件")


def test_r_ros_6_a_file_over_the_upload_limit_is_refused_with_413(app, monkeypatch):
    monkeypatch.setitem(app.config, "XLSX_MAX_BYTES", 1024 * 1024)
    error = _refused(hostile.workbook(PLAIN) + os.urandom(1024 * 1024), "文件过大（超过 1 MB）")
    assert error.status_code == 413


@pytest.mark.parametrize(
    "data, match",
    [
        (hostile.dimension_bomb(), "读取所需内存过大"),
        (hostile.deflate_bomb(300, declared_size=1000), "读取所需内存过大|文件可能已损坏"),
    ],
    ids=["dimension-bomb", "lying-deflate-bomb"],
)
def test_r_ros_6_without_the_checks_the_child_process_dies_and_this_one_does_not(monkeypatch, data, match):
    """The second line of defence: calamine runs in a child under RLIMIT_AS; its death is a refusal."""
    monkeypatch.setattr(xlsx, "inspect_package", lambda *args, **kwargs: None)
    _refused(data, match)
    # and this process still reads the next file
    assert read_sheet(
        io.BytesIO(hostile.workbook(PLAIN.replace("</sheetData>", _ROW2 + "</sheetData>"))), ["姓名"]
    ).rows == [(2, {"姓名": "王芳"})]


_ROW2 = '<row r="2"><c r="A2" t="inlineStr"><is><t>王芳</t></is></c></row>'


def test_r_ros_6_a_parse_that_takes_too_long_is_stopped(app, monkeypatch):
    monkeypatch.setitem(app.config, "XLSX_PARSE_TIMEOUT", 0.001)
    _refused(hostile.workbook(PLAIN), "用时过长")
