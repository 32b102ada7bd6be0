"""What an uploaded stamped scan really is (R-ROS-5): the whole file must parse as PDF, JPEG or PNG.

Magic bytes alone let a ``%PDF-`` + HTML polyglot through; these checks walk the file's structure
(PDF header, cross-reference and ``%%EOF``; every JPEG segment up to EOI; every PNG chunk and its
CRC up to IEND) and refuse markup anywhere in a PDF. Standard library only.
"""

from __future__ import annotations

import re
import struct
import zlib

_PDF_HEADER = re.compile(rb"%PDF-[12]\.\d")
_STARTXREF = re.compile(rb"startxref\s+(\d{1,10})\s+%%EOF\s*$")
_XREF_AT = re.compile(rb"\s*(?:xref\b|\d{1,10}\s+\d{1,5}\s+obj\b)")
_MARKUP = re.compile(rb"<\s*(?:html|script|body|iframe|svg|!doctype|meta|object|embed)\b", re.IGNORECASE)
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def is_pdf(data: bytes) -> bool:
    """Header, a ``startxref`` whose offset points at a cross-reference, ``%%EOF`` last; no markup."""
    if not _PDF_HEADER.match(data):
        return False
    tail = data[-2048:].rstrip(b"\0")
    found = _STARTXREF.search(tail)
    if not found:
        return False
    offset = int(found.group(1))
    if not 0 < offset < len(data) or not _XREF_AT.match(data, offset):
        return False
    if b"trailer" not in data and b"/XRef" not in data:
        return False
    return _MARKUP.search(data) is None


def is_jpeg(data: bytes) -> bool:
    """SOI, well-formed segments with a frame header before the first scan, EOI at the very end."""
    if not data.startswith(b"\xff\xd8"):
        return False
    pos, size, frame = 2, len(data), False
    while pos < size:
        if data[pos] != 0xFF:
            return False
        while pos < size and data[pos] == 0xFF:  # fill bytes
            pos += 1
        if pos >= size:
            return False
        marker = data[pos]
        pos += 1
        if marker == 0xD9:  # EOI
            return frame and not data[pos:].strip(b"\0")
        if marker in (0x01, *range(0xD0, 0xD8)):
            continue
        if marker in (0x00, 0xD8) or pos + 2 > size:
            return False
        (length,) = struct.unpack(">H", data[pos : pos + 2])
        if length < 2 or pos + length > size:
            return False
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            frame = True
        pos += length
        if marker == 0xDA:  # start of scan: entropy-coded data runs to the next real marker
            if not frame:
                return False
            while True:
                pos = data.find(b"\xff", pos)
                if pos == -1 or pos + 1 >= size:
                    return False
                following = data[pos + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7:
                    pos += 2
                    continue
                break
    return False


def is_png(data: bytes) -> bool:
    """Signature, IHDR first, every chunk's CRC right, at least one IDAT, IEND the last bytes."""
    if not data.startswith(_PNG_SIGNATURE):
        return False
    pos, size, first, image = len(_PNG_SIGNATURE), len(data), True, False
    while pos + 12 <= size:
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        end = pos + 12 + length
        if end > size:
            return False
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : end])
        if zlib.crc32(kind + body) != crc:
            return False
        if first:
            if kind != b"IHDR" or length != 13:
                return False
            width, height = struct.unpack(">II", body[:8])
            if not width or not height:
                return False
            first = False
        image = image or kind == b"IDAT"
        pos = end
        if kind == b"IEND":
            return image and pos == size
    return False


KINDS = (
    (is_pdf, "application/pdf", "pdf"),
    (is_jpeg, "image/jpeg", "jpg"),
    (is_png, "image/png", "png"),
)


def kind_of(data: bytes) -> tuple[str, str] | None:
    """(mimetype, extension) of a file that parses whole as one of the accepted kinds, else None."""
    return next(((mime, ext) for check, mime, ext in KINDS if check(data)), None)
