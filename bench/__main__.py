"""Run every bench/bench_*.py and print one table; the figures go into README.md by hand."""

from __future__ import annotations

import importlib
import os
import pkgutil
import platform
import sys
from pathlib import Path


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def main(argv: list[str]) -> int:
    wanted = set(argv)
    print(f"machine: {machine()}")
    print(f"database: {os.environ.get('DATABASE_URL', 'SQLite (temporary file)')}")
    package = Path(__file__).parent
    for info in sorted(pkgutil.iter_modules([str(package)]), key=lambda i: i.name):
        if not info.name.startswith("bench_") or (wanted and info.name not in wanted):
            continue
        module = importlib.import_module(f"bench.{info.name}")
        print(f"\n## {info.name}: {(module.__doc__ or '').strip().splitlines()[0] if module.__doc__ else ''}")
        for what, figure in module.run():
            print(f"  {what:<60} {figure}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
