"""Small but structurally whole PDF, JPEG and PNG files, built in memory for the R-ROS-5 upload tests."""

from __future__ import annotations

import struct
import zlib


def pdf(body: bytes = b"") -> bytes:
    """A one-page PDF with a correct cross-reference table; ``body`` goes right after the header."""
    out = b"%PDF-1.7\n" + body
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>",
    ]
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, obj)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def jpeg() -> bytes:
    """SOI, JFIF, a frame header, one scan with byte stuffing and a restart marker, EOI."""
    return (
        b"\xff\xd8"
        + _segment(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0")
        + _segment(0xDB, b"\0" + bytes(range(1, 65)))
        + _segment(0xC0, b"\x08\0\x01\0\x01\x01\x01\x11\0")
        + _segment(0xC4, b"\0" + b"\0" * 16)
        + _segment(0xDA, b"\x01\x01\0\0\x3f\0")
        + b"\x12\x34\xff\x00\x56\xff\xd0\x78"
        + b"\xff\xd9"
    )


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png() -> bytes:
    """A 1×1 grey PNG."""
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
        + _chunk(b"IDAT", zlib.compress(b"\0\x80"))
        + _chunk(b"IEND", b"")
    )
