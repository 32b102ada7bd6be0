"""Hostile xlsx files built in memory (issue 12.1): sheet bombs, deflate bombs, thousands of sheets."""

from __future__ import annotations

import io
import zipfile
import zlib

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
WORKSHEET = f"{RELS}/worksheet"


def _skeleton(archive: zipfile.ZipFile, sheets: int) -> None:
    archive.writestr(
        "[Content_Types].xml",
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        + "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, sheets + 1)
        )
        + "</Types>",
    )
    archive.writestr(
        "_rels/.rels",
        f'<Relationships xmlns="{PKG_RELS}"><Relationship Id="rId1" Target="xl/workbook.xml" '
        f'Type="{RELS}/officeDocument"/></Relationships>',
    )
    archive.writestr(
        "xl/workbook.xml",
        f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>'
        + "".join(f'<sheet name="S{i}" sheetId="{i}" r:id="rId{i}"/>' for i in range(1, sheets + 1))
        + "</sheets></workbook>",
    )
    archive.writestr(
        "xl/_rels/workbook.xml.rels",
        f'<Relationships xmlns="{PKG_RELS}">'
        + "".join(
            f'<Relationship Id="rId{i}" Target="worksheets/sheet{i}.xml" Type="{WORKSHEET}"/>'
            for i in range(1, sheets + 1)
        )
        + "</Relationships>",
    )


def workbook(sheet_xml: str, *, sheets: int = 1) -> bytes:
    """A minimal xlsx whose every sheet has ``sheet_xml`` inside ``<worksheet>``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        _skeleton(archive, sheets)
        for i in range(1, sheets + 1):
            archive.writestr(
                f"xl/worksheets/sheet{i}.xml", f'<worksheet xmlns="{MAIN}">{sheet_xml}</worksheet>'
            )
    return buffer.getvalue()


HEADER_ROW = '<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c></row>'


def dimension_bomb(*, declared: bool = True, cells: bool = True) -> bytes:
    """The 4.7 KB file of issue 12: cells A1 and XFD1048576 (and/or a dimension that says so)."""
    dimension = '<dimension ref="A1:XFD1048576"/>' if declared else ""
    far = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>' if cells else ""
    return workbook(f"{dimension}<sheetData>{HEADER_ROW}{far}</sheetData>")


def _deflated(piece: bytes) -> bytes:
    """``piece`` as non-final, byte-aligned deflate blocks: copies may be concatenated."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(piece) + compressor.flush(zlib.Z_FULL_FLUSH)


def deflate_bomb(mebibytes: int, *, declared_size: int | None = None) -> bytes:
    """A workbook whose sheet inflates to ``mebibytes`` MiB of spaces from about 1 KB per MiB.

    The deflate stream is built by repeating one compressed MiB, so nothing is ever inflated or
    written to disk. ``declared_size`` makes the zip directory lie about the inflated size.
    """
    head = f'<worksheet xmlns="{MAIN}"><sheetData>{HEADER_ROW}'.encode()
    tail = b"</sheetData></worksheet>"
    mib = b" " * 1_048_576
    stream = (
        _deflated(head)
        + _deflated(mib) * mebibytes
        + _deflated(tail)
        + zlib.compressobj(9, zlib.DEFLATED, -15).flush()
    )
    size = len(head) + len(tail) + mebibytes * len(mib)
    crc = zlib.crc32(head)
    for _ in range(mebibytes):
        crc = zlib.crc32(mib, crc)
    crc = zlib.crc32(tail, crc)
    if declared_size is not None:  # the lie: size and CRC of the first bytes only
        size = declared_size
        crc = zlib.crc32((head + mib)[:declared_size])
    buffer = io.BytesIO()
    archive = zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)
    _skeleton(archive, 1)
    info = zipfile.ZipInfo("xl/worksheets/sheet1.xml", date_time=(2026, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.file_size, info.compress_size, info.CRC = size, len(stream), crc
    info.header_offset = buffer.tell()
    buffer.write(info.FileHeader(zip64=False))
    buffer.write(stream)
    archive.filelist.append(info)
    archive.NameToInfo[info.filename] = info
    archive.start_dir = buffer.tell()
    archive._didModify = True
    archive.close()
    return buffer.getvalue()
