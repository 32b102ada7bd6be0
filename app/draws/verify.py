"""Stand-alone verifier for published draw records (R-DRAW-1 (5), R-DRAW-2).

Usage::

    python -m app.draws.verify RECORD.json [RECORD2.json …]
    python verify.py RECORD.json          # with rfc3797.py copied next to it, nothing else needed
    python verify.py - < RECORD.json      # "-" reads one record from standard input

Prints, per record, "一致 (match)" or "不一致 (mismatch)" with the reasons. When a re-draw and the
record it completes are checked together, their link (R-DRAW-2) is checked as well.
Exit code: 0 when every record matches, 1 when any does not, 2 when any input cannot be read.
Standard library only.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

try:
    from .rfc3797 import DrawError, DrawRecord, record_link, verify_record, verify_redraw
except ImportError:  # run as a plain script from a folder holding rfc3797.py, outside the package
    from rfc3797 import DrawError, DrawRecord, record_link, verify_record, verify_redraw  # type: ignore[no-redef]

USAGE = """用法：python -m app.draws.verify 记录.json [记录2.json …]
      python verify.py 记录.json          （rfc3797.py 与 verify.py 放在同一文件夹即可）
      python verify.py - < 记录.json      （“-” 表示从标准输入读取）
按 RFC 3797 重算每份公开的抽签记录。
退出码：0 全部一致；1 有不一致；2 有无法读取的输入。"""

EXIT_MATCH, EXIT_MISMATCH, EXIT_UNREADABLE = 0, 1, 2


def _read(path: str) -> DrawRecord:
    try:
        raw = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise DrawError(f"无法打开文件：{exc.strerror or exc}") from None
    try:
        # a record saved by Windows Notepad starts with a BOM; it is not part of the record
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DrawError("文件不是 UTF-8 编码的文字") from None
    return DrawRecord.from_json(text)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    for stream in (sys.stdout, sys.stderr):
        # a console without Chinese glyphs must still get the verdict rather than a traceback
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    if args and args[0] in ("-h", "--help"):
        print(USAGE)
        return EXIT_MATCH
    if not args:
        print(USAGE, file=sys.stderr)
        return EXIT_UNREADABLE

    loaded: list[tuple[str, DrawRecord]] = []
    unreadable = False
    for path in args:
        name = "（标准输入）" if path == "-" else path
        try:
            loaded.append((name, _read(path)))
        except DrawError as exc:
            unreadable = True
            print(f"{name}: 无法读取 (unreadable)", file=sys.stderr)
            print(f"  - {exc}", file=sys.stderr)

    by_link: dict[str, str] = {}
    records = dict(loaded)
    for name, record in loaded:
        with contextlib.suppress(DrawError):  # an unusable key is reported by verify_record below
            by_link.setdefault(record_link(record), name)

    mismatch = False
    for name, record in loaded:
        problems = verify_record(record)
        notes = []
        if record.parent is not None:
            parent_name = by_link.get(record.parent)
            if parent_name is None:
                notes.append(f"重抽记录，关联 {record.parent}（原记录未一并提供，未核对关联）")
            else:
                notes.append(f"重抽记录，原记录为 {parent_name}")
                problems += [
                    p for p in verify_redraw(records[parent_name], record) if not p.startswith("重抽记录：")
                ]
        if problems:
            mismatch = True
            print(f"{name}: 不一致 (mismatch)")
            for problem in problems:
                print(f"  - {problem}")
        else:
            print(f"{name}: 一致 (match)")
            if record.title:
                print(f"  标题：{record.title}")
            print(f"  密钥：{record.key}")
            print(f"  抽中（按抽取顺序）：{', '.join(map(str, record.selected)) or '无'}")
        for note in notes:
            print(f"  {note}")

    if unreadable:
        return EXIT_UNREADABLE
    return EXIT_MISMATCH if mismatch else EXIT_MATCH


if __name__ == "__main__":
    sys.exit(main())
