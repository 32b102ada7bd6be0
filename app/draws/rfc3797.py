"""Publicly verifiable draws after RFC 3797 (R-DRAW-1, R-DRAW-2; also R-PANEL-2).

Standard library only: this file and ``verify.py`` are shipped to the public as the stand-alone
verifier (R-DRAW-1 (5)), so they must run with nothing but a Python 3.11 interpreter.

The algorithm is RFC 3797 ("Publicly Verifiable Nominations Committee (NomCom) Random Selection"),
§4, exactly as its reference code (``nomcom.c``) computes it, so any independent RFC 3797
implementation reproduces our results:

* Key (§4): every value of a source is written in decimal without leading zeros and followed by
  ".", the values of one source sorted ascending, each source ended by "/", sources concatenated in
  the announced order. Example (RFC 3797 §6): ``9319./2.5.8.10.12./9.18.26.34.41.45./``.
* Selection (§4): for i = 0, 1, 2, …: MD5 of (i as 2 bytes big-endian) ‖ key ‖ (i as 2 bytes
  big-endian); the digest read as an unsigned 128-bit big-endian integer, modulo the number of
  entries not yet selected, gives k; the (k+1)-th still unselected entry, in pool order, is chosen.

Source values (RFC 3797 §4, word for word where the RFC has words):

* Numbers: each written in decimal without leading zeros, followed by "."; one source's numbers
  sorted ascending; each source ended by "/". A string made only of ASCII digits (``"09"``) is that
  integer. The RFC also allows decimal fractions; the portal refuses them (no floats anywhere in the
  portal) and says how to enter the value instead.
* Text (§4: "alphanumeric random sources [should] be avoided"; if one is used anyway, "all white
  space, punctuation, accents, and special characters should be removed and all letters set to upper
  case", leaving "an unbroken sequence of letters A-Z and digits 0-9", which is "treated as a
  canonicalized number" and "suffixed with a './'"): ``"w 4-1"`` becomes ``W41./``. A text source
  has exactly one value (the RFC orders numbers only). Letters outside the Roman alphabet (汉字,
  full-width forms) are refused: for those the RFC requires a canonicalisation announced in advance,
  which the portal does not offer — such a source is entered as numbers.
* The pool (R-DRAW-1 (1)) is the list of entries sorted by entrant number; its commitment is the
  SHA-256 of :func:`canonical_pool_text`, published before the source values exist.
* A re-draw (R-DRAW-2) is a new record whose ``parent`` is :func:`record_link` of the original:
  ``"<original pool_sha256>:<SHA-256 of the original key>"``.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ALGORITHM",
    "MAX_POOL_SIZE",
    "DrawError",
    "DrawRecord",
    "DrawStep",
    "PoolEntry",
    "canonical_pool_text",
    "canonical_source",
    "entropy_bits",
    "make_key",
    "order_of_appearance",
    "pool_commitment",
    "record_link",
    "redraw",
    "run_draw",
    "select_indices",
    "selection_steps",
    "verify_record",
    "verify_redraw",
]

ALGORITHM = "rfc3797"
# The counter that brackets the key is two bytes wide (RFC 3797 §4), so at most 65535 picks.
MAX_POOL_SIZE = 0xFFFF

_DIGITS = re.compile(r"[0-9]+")
_DECIMAL = re.compile(r"[+-]?([0-9]+[.,][0-9]*|[.,][0-9]+)")
_NEGATIVE = re.compile(r"-[0-9]+")
_HOW_TO_ENTER = "请改为录入数字，例如比分“88比76”录入为两个数字：88 76"


class DrawError(ValueError):
    """A draw cannot be made or a record cannot be read (R-DRAW-1); the message is in Chinese."""


# --------------------------------------------------------------------------------------------
# Key formation (RFC 3797 §4)
# --------------------------------------------------------------------------------------------


def _source_value(value: Any) -> int:
    """One source value as a non-negative int (R-DRAW-1 (2)).

    RFC 3797 §4 forms the key from numbers; for other values independent implementations
    disagree (votelib ends a text source with "/", others with "./"), so a key holding text would
    not be reproduced by every checker. A score or a code is therefore entered as its numbers.
    """
    # bool is an int subclass; True would silently become "1."
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise DrawError(f"随机源的取值只能是非负整数，不能是 {value!r}。" + _HOW_TO_ENTER)
    if isinstance(value, int):
        if value < 0:
            raise DrawError(f"随机源的取值不能为负数：{value}")
        return value
    text = value.strip()
    if not text:
        raise DrawError("随机源的取值不能为空白")
    if _DIGITS.fullmatch(text):
        return int(text)
    if _NEGATIVE.fullmatch(text):
        raise DrawError(f"随机源的取值不能为负数：{text}")
    if _DECIMAL.fullmatch(text):
        raise DrawError(f"随机源的取值不能是小数：{text}（请事先约定整数写法，例如去掉小数点后录入）")
    raise DrawError(f"随机源的取值只能是数字，“{text}”不是数字。" + _HOW_TO_ENTER)


def canonical_source(values: Sequence[int | str]) -> str:
    """One source's part of the RFC 3797 §4 key, ending with "/" (R-DRAW-1 (2)).

    >>> canonical_source([2, 5, 12, 8, 10])
    '2.5.8.10.12./'
    """
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise DrawError("每个随机源的取值应为一个列表")
    if not values:
        raise DrawError("随机源没有取值")
    numbers = sorted(_source_value(v) for v in values)
    return "".join(f"{n}." for n in numbers) + "/"


def make_key(sources: Sequence[Sequence[int | str]]) -> str:
    """The whole RFC 3797 §4 key: the sources' parts in announced order (R-DRAW-1 (2))."""
    if isinstance(sources, (str, bytes)) or not isinstance(sources, Sequence) or not sources:
        raise DrawError("至少需要一个随机源")
    return "".join(canonical_source(values) for values in sources)


# --------------------------------------------------------------------------------------------
# Selection (RFC 3797 §4)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DrawStep:
    """One row of the RFC 3797 §6 table: index (1-based), MD5 in hex, divisor, chosen position."""

    index: int
    md5_hex: str  # upper case, as printed by the RFC and its reference code
    remaining: int
    position: int  # 0-based position in the pool list


def _key_bytes(key: str) -> bytes:
    if not isinstance(key, str) or not key:
        raise DrawError("密钥不能为空")
    try:
        return key.encode("ascii")
    except UnicodeEncodeError:
        raise DrawError("密钥只能由 ASCII 字符组成（RFC 3797 §4）") from None


def _check_sizes(pool_size: Any, count: Any) -> None:
    for name, value in (("抽签池人数", pool_size), ("抽取人数", count)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise DrawError(f"{name}应为整数，实际为 {value!r}")
        if value < 0:
            raise DrawError(f"{name}不能为负数：{value}")
    if pool_size > MAX_POOL_SIZE:
        raise DrawError(f"抽签池最多 {MAX_POOL_SIZE} 人（RFC 3797 的计数器为两字节），实际为 {pool_size} 人")
    if count > pool_size:
        raise DrawError(f"抽取人数（{count}）不能多于抽签池人数（{pool_size}）")


def selection_steps(key: str, pool_size: int, count: int) -> list[DrawStep]:
    """The RFC 3797 §4 selection, step by step, for display and audit (R-DRAW-1 (3))."""
    _check_sizes(pool_size, count)
    key_bytes = _key_bytes(key)
    unselected = list(range(pool_size))
    steps: list[DrawStep] = []
    for i in range(count):
        counter = i.to_bytes(2, "big")
        digest = hashlib.md5(counter + key_bytes + counter).digest()
        remaining = len(unselected)
        k = int.from_bytes(digest, "big") % remaining
        steps.append(
            DrawStep(
                index=i + 1, md5_hex=digest.hex().upper(), remaining=remaining, position=unselected.pop(k)
            )
        )
    return steps


def select_indices(key: str, pool_size: int, count: int) -> list[int]:
    """0-based pool positions in selection order (R-DRAW-1 (3), RFC 3797 §4)."""
    return [step.position for step in selection_steps(key, pool_size, count)]


def entropy_bits(pool_size: int, count: int) -> int:
    """Bits of randomness the announced sources should carry (RFC 3797 §3.3), exact integers.

    ceil(log2(C(pool_size, count))); RFC 3797 §3.3 lists e.g. 22 for 10 of 25 and 44 for 10 of 100.
    """
    _check_sizes(pool_size, count)
    return (math.comb(pool_size, count) - 1).bit_length()


# --------------------------------------------------------------------------------------------
# Pool and commitment (R-DRAW-1 (1))
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PoolEntry:
    """One entrant in a frozen pool (R-DRAW-1 (1)); ``label`` is public, never private data."""

    number: int
    label: str

    def __post_init__(self) -> None:
        if isinstance(self.number, bool) or not isinstance(self.number, int) or self.number < 0:
            raise DrawError(f"参赛号应为非负整数，实际为 {self.number!r}")
        if not isinstance(self.label, str):
            raise DrawError(f"参赛号 {self.number} 的公示标签应为文字")
        # the canonical text is one tab-separated line per entry; these would forge extra fields/lines
        if "\t" in self.label or "\n" in self.label or "\r" in self.label:
            raise DrawError(f"参赛号 {self.number} 的公示标签不能含制表符或换行")


def _entry(value: Any) -> PoolEntry:
    if isinstance(value, PoolEntry):
        return value
    if isinstance(value, Mapping) and set(value) >= {"number", "label"}:
        return PoolEntry(number=value["number"], label=value["label"])
    raise DrawError(f"抽签池的条目应包含参赛号和公示标签：{value!r}")


def _canonical_pool(pool: Sequence[Any]) -> list[PoolEntry]:
    if isinstance(pool, (str, bytes, Mapping)) or not isinstance(pool, Sequence):
        raise DrawError("抽签池应为条目列表")
    entries = sorted((_entry(e) for e in pool), key=lambda e: e.number)
    for before, after in zip(entries, entries[1:]):
        if before.number == after.number:
            raise DrawError(f"抽签池中参赛号重复：{after.number}")
    return entries


def _text(entries: list[PoolEntry]) -> str:
    return "".join(
        f"{position}\t{entry.number}\t{entry.label}\n" for position, entry in enumerate(entries, start=1)
    )


def canonical_pool_text(pool: Sequence[PoolEntry]) -> str:
    """The published pool (R-DRAW-1 (1)): "position<TAB>number<TAB>label\\n", sorted by number."""
    return _text(_canonical_pool(pool))


def pool_commitment(pool: Sequence[PoolEntry]) -> str:
    """Lower-case hex SHA-256 of the canonical pool text in UTF-8 (R-DRAW-1 (1))."""
    return _sha256(_canonical_pool(pool))


def _sha256(entries: list[PoolEntry]) -> str:
    return hashlib.sha256(_text(entries).encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------------------------
# Records (R-DRAW-1 (4), R-DRAW-2)
# --------------------------------------------------------------------------------------------


def _normalise_sources(sources: Any) -> list[dict[str, Any]]:
    """Sources as [{"name": …, "values": [...]}]; (name, values) pairs are accepted too."""
    if isinstance(sources, (str, bytes, Mapping)) or not isinstance(sources, Sequence) or not sources:
        raise DrawError("至少需要一个随机源")
    result = []
    for number, source in enumerate(sources, start=1):
        if isinstance(source, Mapping):
            if set(source) != {"name", "values"}:
                raise DrawError(f"第 {number} 个随机源应只含名称（name）和取值（values）")
            name, values = source["name"], source["values"]
        elif isinstance(source, Sequence) and not isinstance(source, (str, bytes)) and len(source) == 2:
            name, values = source
        else:
            raise DrawError(f"第 {number} 个随机源应为（名称, 取值列表）")
        if not isinstance(name, str) or not name.strip():
            raise DrawError(f"第 {number} 个随机源缺少公布时的名称")
        if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or not values:
            raise DrawError(f"随机源“{name}”没有取值")
        canonical_source(values)  # refuse bad values now, naming the source
        result.append({"name": name, "values": list(values)})
    return result


# The portal publishes one record format in every state (announced, drawn, void): the fields above
# plus these, which say where the draw stands and are not part of what is recomputed.
PUBLICATION_FIELDS = frozenset({"status", "event_at", "parent_id", "void_reason"})


@dataclass
class DrawRecord:
    """The published, never edited record of one draw (R-DRAW-1 (4)); ``parent`` links a re-draw
    to the record it completes (R-DRAW-2)."""

    algorithm: str
    pool: list[PoolEntry]
    pool_sha256: str
    count: int
    sources: list[dict[str, Any]]
    key: str
    selected: list[int]
    parent: str | None = None
    title: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "algorithm": self.algorithm,
            "pool": [{"number": e.number, "label": e.label} for e in self.pool],
            "pool_sha256": self.pool_sha256,
            "count": self.count,
            "sources": [{"name": s["name"], "values": list(s["values"])} for s in self.sources],
            "key": self.key,
            "selected": list(self.selected),
            "parent": self.parent,
            "title": self.title,
        }

    def to_json(self) -> str:
        """Stable text: sorted keys, UTF-8 characters kept, one line.

        No indent: only then does ``json`` use its C encoder (30,000 teachers' records in a tenth of
        the time). The public ``/draws/<id>.json`` serves this text exactly as stored.
        """
        return json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: Any) -> DrawRecord:
        if not isinstance(data, Mapping):
            raise DrawError("抽签记录应为 JSON 对象")
        required = {"algorithm", "pool", "pool_sha256", "count", "sources", "key", "selected"}
        missing = sorted(required - set(data))
        if missing:
            raise DrawError(f"抽签记录缺少字段：{', '.join(missing)}")
        unknown = sorted(set(data) - required - {"parent", "title"} - PUBLICATION_FIELDS)
        if unknown:
            raise DrawError(f"抽签记录含未知字段：{', '.join(unknown)}")
        status = data.get("status", "drawn")
        if status != "drawn" or data["key"] is None:
            state = {"announced": "已公布、尚未抽签", "void": "已作废"}.get(status, repr(status))
            raise DrawError(f"该记录{state}，还没有可核验的抽签结果")

        def text(name: str, value: Any, *, optional: bool = False) -> Any:
            if (optional and value is None) or isinstance(value, str):
                return value
            raise DrawError(f"字段 {name} 应为文字")

        def integer(name: str, value: Any) -> int:
            if isinstance(value, bool) or not isinstance(value, int):
                raise DrawError(f"字段 {name} 应为整数")
            return value

        def array(name: str, value: Any) -> list[Any]:
            if not isinstance(value, list):
                raise DrawError(f"字段 {name} 应为列表")
            return value

        pool = []
        for item in array("pool", data["pool"]):
            if not isinstance(item, Mapping) or set(item) != {"number", "label"}:
                raise DrawError("pool 的每一项应只含 number 和 label")
            pool.append(
                PoolEntry(
                    number=integer("pool.number", item["number"]), label=text("pool.label", item["label"])
                )
            )
        sources = []
        for item in array("sources", data["sources"]):
            if not isinstance(item, Mapping) or set(item) != {"name", "values"}:
                raise DrawError("sources 的每一项应只含 name 和 values")
            values = array("sources.values", item["values"])
            for value in values:
                if isinstance(value, bool) or not isinstance(value, (int, str)):
                    raise DrawError("随机源的取值只能是整数或文字")
            sources.append({"name": text("sources.name", item["name"]), "values": values})
        return cls(
            algorithm=text("algorithm", data["algorithm"]),
            pool=pool,
            pool_sha256=text("pool_sha256", data["pool_sha256"]),
            count=integer("count", data["count"]),
            sources=sources,
            key=text("key", data["key"]),
            selected=[integer("selected", n) for n in array("selected", data["selected"])],
            parent=text("parent", data.get("parent"), optional=True),
            title=text("title", data.get("title", "")),
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> DrawRecord:
        def no_float(literal: str) -> Any:
            raise DrawError(f"抽签记录中不允许出现小数：{literal}")

        try:
            data = json.loads(text, parse_float=no_float, parse_constant=no_float)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise DrawError(f"抽签记录不是有效的 JSON：{exc}") from None
        return cls.from_dict(data)


def run_draw(
    pool: Sequence[PoolEntry],
    sources: Sequence[Any],
    count: int,
    *,
    title: str = "",
    parent: str | None = None,
) -> DrawRecord:
    """Make a draw (R-DRAW-1 (2)–(4)): canonical pool, commitment, key, selection, record.

    ``sources`` are the announced sources with the values entered at the event, each as
    ``{"name": …, "values": [...]}`` or a ``(name, values)`` pair, in the announced order.
    """
    entries = _canonical_pool(pool)
    normalised = _normalise_sources(sources)
    key = make_key([s["values"] for s in normalised])
    positions = select_indices(key, len(entries), count)
    if not isinstance(title, str):
        raise DrawError("标题应为文字")
    if parent is not None and not isinstance(parent, str):
        raise DrawError("关联记录标识应为文字")
    return DrawRecord(
        algorithm=ALGORITHM,
        pool=entries,
        pool_sha256=_sha256(entries),  # ``entries`` is already canonical
        count=count,
        sources=normalised,
        key=key,
        selected=[entries[p].number for p in positions],
        parent=parent,
        title=title,
    )


def order_of_appearance(pool: Sequence[PoolEntry], sources: Sequence[Any]) -> list[int]:
    """Entrant numbers in order of appearance (R-PANEL-2): the full RFC 3797 permutation."""
    return run_draw(pool, sources, len(pool)).selected


def verify_record(record: DrawRecord) -> list[str]:
    """Recompute a record (R-DRAW-1 (5)); the Chinese descriptions of every mismatch, [] if none.

    What it cannot see: a pool edited together with its hash; compare ``pool_sha256`` with the
    commitment published before the draw.
    """
    problems: list[str] = []
    if record.algorithm != ALGORITHM:
        problems.append(f"算法应为 {ALGORITHM}，记录中为 {record.algorithm!r}")

    entries: list[PoolEntry] | None = None
    try:
        entries = _canonical_pool(record.pool)
    except DrawError as exc:
        problems.append(f"抽签池无效：{exc}")
    if entries is not None:
        if [e.number for e in record.pool] != [e.number for e in entries]:
            problems.append("抽签池未按参赛号升序排列")
        commitment = pool_commitment(entries)
        if record.pool_sha256 != commitment:
            problems.append(
                f"抽签池的 SHA-256 不符：记录中为 {record.pool_sha256}，按抽签池重算为 {commitment}"
            )

    key: str | None = None
    try:
        key = make_key([s["values"] for s in _normalise_sources(record.sources)])
    except (DrawError, KeyError, TypeError) as exc:
        problems.append(f"随机源无效：{exc}")
    if key is not None and key != record.key:
        problems.append(f"密钥不符：按随机源应为 “{key}”，记录中为 “{record.key}”")

    if entries is not None:
        try:
            positions = select_indices(key if key is not None else record.key, len(entries), record.count)
        except DrawError as exc:
            problems.append(f"无法重算抽取结果：{exc}")
        else:
            expected = [entries[p].number for p in positions]
            if list(record.selected) != expected:
                problems.append(
                    f"抽取结果不符：按 RFC 3797 重算应为 {expected}，记录中为 {list(record.selected)}"
                )

    if record.parent is not None and not isinstance(record.parent, str):
        problems.append("关联记录标识应为文字")
    return problems


# --------------------------------------------------------------------------------------------
# Re-draws (R-DRAW-2)
# --------------------------------------------------------------------------------------------


def record_link(record: DrawRecord) -> str:
    """The identifier a re-draw stores in ``parent`` (R-DRAW-2): pool hash and key hash."""
    return f"{record.pool_sha256}:{hashlib.sha256(_key_bytes(record.key)).hexdigest()}"


def redraw(
    original: DrawRecord,
    remaining_pool: Sequence[PoolEntry],
    sources: Sequence[Any],
    vacancies: int,
    *,
    title: str | None = None,
) -> DrawRecord:
    """A new record for the vacant places only, linked to ``original`` (R-DRAW-2).

    The remaining pool holds no one the original selected and no one outside the original pool;
    the sources must be new (a key already published would let the pool be picked to suit it).
    """
    problems = verify_record(original)
    if problems:
        raise DrawError("原抽签记录核验不一致，不能据此重抽：" + "；".join(problems))
    if isinstance(vacancies, bool) or not isinstance(vacancies, int) or vacancies < 1:
        raise DrawError(f"重抽的空缺名额应为正整数，实际为 {vacancies!r}")
    entries = _canonical_pool(remaining_pool)
    already = sorted({e.number for e in entries} & set(original.selected))
    if already:
        raise DrawError(f"重抽池中不能包含原抽签已抽中的人：{', '.join(map(str, already))}")
    foreign = sorted({e.number for e in entries} - {e.number for e in original.pool})
    if foreign:
        raise DrawError(f"重抽池中的参赛号不在原抽签池中：{', '.join(map(str, foreign))}")
    record = run_draw(
        entries,
        sources,
        vacancies,
        title=f"{original.title}（重抽）" if title is None else title,
        parent=record_link(original),
    )
    if record.key == original.key:
        raise DrawError("重抽须使用新的、事先公布的随机源，不能沿用原抽签的取值")
    return record


def verify_redraw(original: DrawRecord, record: DrawRecord) -> list[str]:
    """Check a re-draw against its original (R-DRAW-2); [] when both verify and the link holds."""
    problems = [f"原记录：{p}" for p in verify_record(original)]
    problems += [f"重抽记录：{p}" for p in verify_record(record)]
    try:
        link = record_link(original)
    except DrawError as exc:
        problems.append(f"原记录：{exc}")
    else:
        if record.parent != link:
            problems.append(f"重抽记录的关联标识不符：应为 {link}，记录中为 {record.parent}")
    pool_numbers = {e.number for e in record.pool}
    again = sorted(pool_numbers & set(original.selected))
    if again:
        problems.append(f"重抽池包含原抽签已抽中的人：{', '.join(map(str, again))}")
    foreign = sorted(pool_numbers - {e.number for e in original.pool})
    if foreign:
        problems.append(f"重抽池中的参赛号不在原抽签池中：{', '.join(map(str, foreign))}")
    if record.key == original.key:
        problems.append("重抽沿用了原抽签的密钥")
    return problems
