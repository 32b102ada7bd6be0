"""Roster xlsx import of 30,000 teachers (R-ROS-6): validation, one pre-load query, bulk insert/update."""

from __future__ import annotations

import io
import time
from datetime import date, timedelta

from bench.harness import bench_app

ROWS = 30_000
SUBJECTS = ["语文", "数学", "英语", "科学", "音乐", "美术", "体育与健康", "信息科技"]


def workbook(rows: int) -> bytes:
    """A roster file as a school admin would fill it: ID numbers as text, Chinese headers."""
    from openpyxl import Workbook

    from app.rosters.idcard import make_id_number
    from app.rosters.importer import HEADERS

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("教师名单")
    ws.append(HEADERS)
    start = date(1962, 1, 1)
    for i in range(rows):
        birth = start + timedelta(days=(i // 1000) * 500 + i % 400)
        ws.append(
            [
                f"教师{i:05d}",
                make_id_number("370902", birth, i % 1000),
                "小学",
                SUBJECTS[i % len(SUBJECTS)],
                f"139{i:08d}",
                "",
                "",
            ]
        )
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def run():
    with bench_app():
        from app.extensions import db
        from app.rosters import importer
        from tests import factories

        city = factories.gen_city()
        competition = factories.gen_competition()
        for _ in range(200):  # some other school's rows, so the cross-school duplicate check has data
            factories.gen_entry(competition, city.other_school)
        db.session.commit()
        data = workbook(ROWS)
        yield f"xlsx file of {ROWS:,} rows", f"{len(data) / 1_048_576:.1f} MB"

        def timed_import() -> tuple[str, object]:
            wall, cpu = time.perf_counter(), time.process_time()
            result = importer.import_roster(
                city.district_admin, competition, city.central, io.BytesIO(data), today=date(2026, 1, 1)
            )
            db.session.commit()
            # CPU time as well: on a shared machine the wall clock also measures the neighbours
            return f"{time.perf_counter() - wall:.2f} s (CPU {time.process_time() - cpu:.2f} s)", result

        figure, result = timed_import()
        assert len(result.added) == ROWS, result
        yield f"first import, {ROWS:,} new rows (read + validate + insert + commit)", figure
        figure, result = timed_import()
        assert result.unchanged == ROWS
        yield f"re-import of the same {ROWS:,} rows (nothing changes)", figure

        from app.web.xlsx import read_sheet

        wall, cpu = time.perf_counter(), time.process_time()
        read_sheet(io.BytesIO(data), importer.REQUIRED, importer.HEADERS, max_rows=importer.MAX_ROWS)
        yield (
            "  of which reading the xlsx (python-calamine)",
            f"{time.perf_counter() - wall:.2f} s (CPU {time.process_time() - cpu:.2f} s)",
        )
