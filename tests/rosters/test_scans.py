"""R-ROS-5: a stamped scan is accepted only when the whole file parses as PDF, JPEG or PNG (issue 12.7)."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from app.errors import DomainError
from app.extensions import db
from app.rosters import services
from app.rosters.models import StampedList
from app.rosters.scans import kind_of
from tests.rosters import scanfiles

POLYGLOT = b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n%%EOF\n"


@pytest.mark.parametrize(
    "data, kind",
    [
        (scanfiles.pdf(), ("application/pdf", "pdf")),
        (scanfiles.jpeg(), ("image/jpeg", "jpg")),
        (scanfiles.png(), ("image/png", "png")),
    ],
)
def test_r_ros_5_whole_files_are_recognised(data, kind):
    assert kind_of(data) == kind


@pytest.mark.parametrize(
    "data",
    [
        POLYGLOT,
        scanfiles.pdf(b"<html><script>alert(1)</script></html>\n"),  # markup inside an otherwise whole PDF
        b"%PDF-1.7 ...",
        scanfiles.pdf()[:-30],  # cut short: no startxref / %%EOF
        scanfiles.pdf().replace(b"startxref\n", b"startxref\n9"),  # offset pointing nowhere
        b"\xff\xd8\xff\xe0 jpeg",
        scanfiles.jpeg()[:-2],  # no EOI
        scanfiles.jpeg() + b"<html>",  # something after EOI
        b"\x89PNG\r\n\x1a\n" + b"\0" * 100,
        scanfiles.png()[:-12],  # no IEND
        scanfiles.png().replace(b"IDAT", b"IDAx"),  # CRC no longer matches
        scanfiles.png() + b"<script>",
    ],
    ids=[
        "pdf-html-polyglot",
        "pdf-with-markup",
        "pdf-header-only",
        "pdf-truncated",
        "pdf-bad-xref",
        "jpeg-magic-only",
        "jpeg-truncated",
        "jpeg-trailing-html",
        "png-magic-only",
        "png-truncated",
        "png-bad-crc",
        "png-trailing-script",
    ],
)
def test_r_ros_5_files_that_only_start_right_are_refused(city, comp, data):
    assert kind_of(data) is None
    with pytest.raises(DomainError, match="只接受 PDF、JPG 或 PNG 格式的完整扫描件"):
        services.upload_stamped_list(city.school_admin, comp, city.central, "名单.pdf", data)


def test_r_ros_5_the_polyglot_upload_is_refused_and_nothing_is_stored(client, login, city, comp):
    login(city.school_admin)
    response = client.post(
        f"/rosters/{comp.id}/schools/{city.central.id}/stamped",
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(POLYGLOT), "名单.pdf")},
        follow_redirects=True,
    )
    assert "只接受 PDF、JPG 或 PNG 格式的完整扫描件" in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StampedList)) == 0


@pytest.mark.parametrize(
    "data, mimetype", [(scanfiles.pdf(), "application/pdf"), (scanfiles.jpeg(), "image/jpeg")]
)
def test_r_ros_5_a_stamped_scan_is_always_served_as_a_download_of_its_checked_type(
    client, login, city, comp, data, mimetype
):
    login(city.school_admin)
    client.post(
        f"/rosters/{comp.id}/schools/{city.central.id}/stamped",
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(data), "盖章名单.png")},
    )
    download = client.get(f"/rosters/{comp.id}/schools/{city.central.id}/stamped")
    assert download.status_code == 200 and download.data == data
    assert download.mimetype == mimetype
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
