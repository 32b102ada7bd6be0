"""The child process that parses an uploaded xlsx with calamine under a memory limit (issue 12.1).

Run as ``python -I xlsx_child.py MEMORY_BYTES MAX_ROWS`` with the file on stdin; writes a pickled
``{"rows", "merged", "start"}`` (or ``{"error"}``) to stdout. It imports nothing of the portal, so
a file that makes calamine abort or exhaust memory ends this process only; the worker reports it.
"""

from __future__ import annotations

import io
import pickle
import resource
import sys


def main() -> None:
    memory, max_rows = int(sys.argv[1]), int(sys.argv[2])
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    data = sys.stdin.buffer.read()
    try:
        from python_calamine import CalamineWorkbook

        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
        merged = [tuple(map(tuple, r)) for r in sheet.merged_cell_ranges or []]
        rows = []
        for values in sheet.iter_rows():
            rows.append(values)
            if len(rows) >= max_rows:
                break
        result = {"rows": rows, "merged": merged, "start": tuple(sheet.start) if sheet.start else None}
    except MemoryError:
        sys.exit(3)
    except Exception:  # calamine raises several types for damaged packages
        result = {"error": "damaged"}
    sys.stdout.buffer.write(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))


if __name__ == "__main__":
    main()
