"""RFC 3797 publicly verifiable draws (R-DRAW-1, R-DRAW-2, R-PANEL-2) and the stand-alone verifier.

The outside proof is the RFC 3797 §6 worked example, reproduced byte for byte (key text, every MD5
value the RFC prints, the selection order). ``TEST_VECTORS`` are the portal's own vectors; the
README quotes them so that anyone can check another RFC 3797 implementation against ours.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from app.draws.rfc3797 import (
    MAX_POOL_SIZE,
    DrawError,
    DrawRecord,
    PoolEntry,
    canonical_pool_text,
    canonical_source,
    entropy_bits,
    make_key,
    order_of_appearance,
    pool_commitment,
    record_link,
    redraw,
    run_draw,
    select_indices,
    selection_steps,
    verify_record,
    verify_redraw,
)

REPO = Path(__file__).resolve().parents[2]
DRAW_PY = REPO / "app" / "draws" / "rfc3797.py"
VERIFY_PY = REPO / "app" / "draws" / "verify.py"

# RFC 3797 §6: the 25 eligible volunteers, the three sources, the key and the printed table
# (index, MD5 as printed, divisor, selected). The RFC names the first ten and Sloth as the next.
RFC3797_EXAMPLE = {
    "pool": [
        "John",
        "Mary",
        "Bashful",
        "Dopey",
        "Sleepy",
        "Grouchy",
        "Doc",
        "Sneazy",
        "Handsome",
        "Cassandra",
        "Pollyanna",
        "Pendragon",
        "Pandora",
        "Faith",
        "Hope",
        "Charity",
        "Lee",
        "Longsuffering",
        "Chastity",
        "Smith",
        "Pride",
        "Sloth",
        "Envy",
        "Anger",
        "Kasczynski",
    ],
    "sources": [[9319], [2, 5, 12, 8, 10], [9, 18, 26, 34, 41, 45]],
    "key": "9319./2.5.8.10.12./9.18.26.34.41.45./",
    "table": [
        (1, "990DD0A5692A029A98B5E01AA28F3459", 25, 17),
        (2, "3691E55CB63FCC37914430B2F70B5EC6", 24, 7),
        (3, "FE814EDF564C190AC1D25753979990FA", 23, 2),
        (4, "1863CCACEB568C31D7DDBDF1D4E91387", 22, 16),
        (5, "F4AB33DF4889F0AF29C513905BE1D758", 21, 25),
        (6, "13EAEB529F61ACFB9A29D0BA3A60DE4A", 20, 23),
        (7, "992DB77C382CA2BDB9727001F3CDCCD9", 19, 8),
        (8, "63AB4258ECA922976811C7F55C383CE7", 18, 24),
        (9, "DFBC5AC97CED01B3A6E348E3CC63F40D", 17, 19),
        (10, "31CB111C4A4EBE9287CEAE16FE51B909", 16, 13),
        (11, "07FA46C122F164C215BBC72793B189A3", 15, 22),
    ],
    "selected_names": [
        "Lee",
        "Doc",
        "Mary",
        "Charity",
        "Kasczynski",
        "Envy",
        "Sneazy",
        "Anger",
        "Chastity",
        "Pandora",
    ],
    "next_name": "Sloth",
}

_POOL_LABELS = [
    "0101 赵一 青石镇中心小学",
    "0102 钱二 白沙镇中学",
    "0103 孙三 青石镇石门村小学",
    "0104 李四 青石镇中心小学",
    "0105 周五 白沙镇中学",
    "0106 吴六 青石镇石门村小学",
    "0107 郑七 青石镇中心小学",
    "0108 王八 白沙镇中学",
    "0109 冯九 青石镇石门村小学",
    "0110 陈十 青石镇中心小学",
    "0111 褚十一 白沙镇中学",
    "0112 卫十二 青石镇石门村小学",
]

# The portal's own vectors (R-DRAW-1): same pool of 12 (entrant numbers 101..112), two draws.
TEST_VECTORS = [
    {
        "pool": [(101 + i, label) for i, label in enumerate(_POOL_LABELS)],
        "pool_sha256": "4653d86e4989484a3c0d26f3b15cd8f6e649da5d0dda0760dd238099c6182eaa",
        "sources": [("双色球 2026-12-08", [3, 11, 17, 22, 28, 31, 9]), ("现场骰子", [6, 2, 5])],
        "count": 4,
        "key": "3.9.11.17.22.28.31./2.5.6./",
        "md5": [
            "6736ECDD36EFDB995D096920ACBF7C87",
            "5228A52F3BA487D93E29F70E102C7EF6",
            "74719F494B78AE0B32B072FF25B52A1B",
            "57BD5978838301BC290BC2ADB6B58099",
        ],
        "selected": [108, 109, 104, 102],
        # the full permutation (count = pool size), as used for order of appearance (R-PANEL-2)
        "order_of_appearance": [108, 109, 104, 102, 103, 111, 112, 110, 101, 105, 106, 107],
    },
    {
        # leading zeros typed at the event ("07") and repeated values; a score entered as its two
        # numbers, sorted like any source's numbers
        "pool": [(101 + i, label) for i, label in enumerate(_POOL_LABELS)],
        "pool_sha256": "4653d86e4989484a3c0d26f3b15cd8f6e649da5d0dda0760dd238099c6182eaa",
        "sources": [("福彩3D 2026-12-08", ["07", 0, 7]), ("市运会男篮决赛比分", ["88", "76"])],
        "count": 3,
        "key": "0.7.7./76.88./",
        "md5": [
            "4AA70CBBD2C3E745D7AAD6573692AC81",
            "6190026266DA235153DECDE6BF4605E1",
            "0DE6C876F3F53FBE4DD59A299B226A2F",
        ],
        "selected": [102, 103, 112],
    },
]


def _pool(vector) -> list[PoolEntry]:
    return [PoolEntry(number, label) for number, label in vector["pool"]]


def _reference_select(key: str, pool_size: int, count: int) -> list[int]:
    """RFC 3797's reference code (nomcom.c) transcribed: byte-wise remainder, zeroed slots."""
    slots = list(range(1, pool_size + 1))
    chosen = []
    for usel in range(count):
        prefix = bytes([(usel >> 8) & 0xFF, usel & 0xFF])
        digest = hashlib.md5(prefix + key.encode("ascii") + prefix).digest()
        k = 0
        for byte in digest:
            k = ((k << 8) + byte) % (pool_size - usel)
        for j in range(pool_size):
            if slots[j]:
                k -= 1
                if k < 0:
                    chosen.append(slots[j] - 1)
                    slots[j] = 0
                    break
    return chosen


# --------------------------------------------------------------------------------------------
# RFC 3797 §6 worked example — the outside proof (R-DRAW-1 (2), (3))
# --------------------------------------------------------------------------------------------


def test_r_draw_1_rfc3797_section6_key():
    assert make_key(RFC3797_EXAMPLE["sources"]) == RFC3797_EXAMPLE["key"]
    assert [canonical_source(s) for s in RFC3797_EXAMPLE["sources"]] == [
        "9319./",
        "2.5.8.10.12./",
        "9.18.26.34.41.45./",
    ]


def test_r_draw_1_rfc3797_section6_md5_table():
    table = RFC3797_EXAMPLE["table"]
    steps = selection_steps(RFC3797_EXAMPLE["key"], 25, len(table))
    assert [(s.index, s.md5_hex, s.remaining, s.position + 1) for s in steps] == table


def test_r_draw_1_rfc3797_section6_selection_order():
    names = RFC3797_EXAMPLE["pool"]
    pool = [PoolEntry(i + 1, name) for i, name in enumerate(names)]
    record = run_draw(pool, [(f"source {i}", v) for i, v in enumerate(RFC3797_EXAMPLE["sources"], 1)], 10)
    assert record.key == RFC3797_EXAMPLE["key"]
    assert [names[n - 1] for n in record.selected] == RFC3797_EXAMPLE["selected_names"]
    # RFC 3797 §6: the first ten picks do not depend on how many are drawn, the eleventh is next
    eleven = select_indices(RFC3797_EXAMPLE["key"], 25, 11)
    assert [names[p] for p in eleven] == RFC3797_EXAMPLE["selected_names"] + [RFC3797_EXAMPLE["next_name"]]


def test_r_draw_1_entropy_table_of_rfc3797_section_3_3():
    # RFC 3797 §3.3: bits needed to select 10 from a pool of the given size
    table = {20: 18, 25: 22, 30: 25, 35: 28, 40: 30, 50: 34, 60: 37, 75: 40, 100: 44, 120: 47}
    assert {p: entropy_bits(p, 10) for p in table} == table
    assert entropy_bits(5, 5) == 0 and entropy_bits(5, 0) == 0


# --------------------------------------------------------------------------------------------
# The portal's own vectors (R-DRAW-1)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("vector", TEST_VECTORS, ids=["vector1", "vector2"])
def test_r_draw_1_test_vectors_literal(vector):
    pool = _pool(vector)
    record = run_draw(pool, vector["sources"], vector["count"], title="测试向量")
    assert record.algorithm == "rfc3797"
    assert record.key == vector["key"]
    assert record.pool_sha256 == vector["pool_sha256"]
    assert [s.md5_hex for s in selection_steps(record.key, len(pool), vector["count"])] == vector["md5"]
    assert record.selected == vector["selected"]
    assert record.sources == [{"name": name, "values": values} for name, values in vector["sources"]]
    assert verify_record(DrawRecord.from_json(record.to_json())) == []


def test_r_panel_2_order_of_appearance_vector():
    vector = TEST_VECTORS[0]
    assert order_of_appearance(_pool(vector), vector["sources"]) == vector["order_of_appearance"]
    # the permutation starts with the 4-of-12 draw: same key, same first picks (RFC 3797)
    assert vector["order_of_appearance"][: vector["count"]] == vector["selected"]


@pytest.mark.parametrize("vector", TEST_VECTORS, ids=["vector1", "vector2"])
def test_r_draw_1_test_vectors_match_reference_code(vector):
    key = make_key([values for _, values in vector["sources"]])
    assert select_indices(key, len(vector["pool"]), vector["count"]) == _reference_select(
        key, len(vector["pool"]), vector["count"]
    )


def test_r_draw_1_canonical_pool_text_and_commitment():
    vector = TEST_VECTORS[0]
    shuffled = list(reversed(_pool(vector)))
    text = canonical_pool_text(shuffled)
    assert text.splitlines()[0] == "1\t101\t0101 赵一 青石镇中心小学"
    assert text.splitlines()[-1] == "12\t112\t0112 卫十二 青石镇石门村小学"
    assert text.endswith("\n") and text.count("\n") == 12
    assert pool_commitment(shuffled) == vector["pool_sha256"]
    assert pool_commitment(shuffled) == hashlib.sha256(text.encode("utf-8")).hexdigest()
    record = run_draw(shuffled, vector["sources"], vector["count"])
    assert [e.number for e in record.pool] == list(range(101, 113))


def test_r_draw_1_record_json_is_stable():
    vector = TEST_VECTORS[0]
    record = run_draw(_pool(vector), vector["sources"], vector["count"], title="东山县 复赛随机抽取")
    text = record.to_json()
    assert "东山县" in text  # ensure_ascii=False
    data = json.loads(text)
    assert list(data) == sorted(data)
    again = DrawRecord.from_json(text)
    assert again == record
    assert again.to_json() == text
    assert verify_record(again) == []


# --------------------------------------------------------------------------------------------
# Key formation edge cases (R-DRAW-1 (2))
# --------------------------------------------------------------------------------------------


def test_r_draw_1_numeric_strings_lose_leading_zeros_and_sort_numerically():
    assert canonical_source(["0009", 0, " 10 ", 9]) == "0.9.9.10./"
    assert canonical_source([100, 20, 3]) == "3.20.100./"


def test_r_draw_1_text_source_values_are_refused():
    """Independent RFC 3797 implementations form different keys from text, so none is accepted."""
    for typed in ("W 4-1", "88-76", "Café Zürich", "八十八"):
        with pytest.raises(DrawError, match="88 76"):
            canonical_source([typed])
    with pytest.raises(DrawError, match="88 76"):
        make_key([[1, 2], ["w 4-1"]])


@pytest.mark.parametrize(
    "values, fragment",
    [
        ([], "没有取值"),
        (["W 4-1", 3], "不是数字"),
        (["四比一"], "录入为两个数字"),  # the message says how to enter it instead
        (["3.5"], "小数"),
        (["-7"], "负数"),
        (["-/-"], "不是数字"),
        (["   "], "空白"),
        ([-1], "负数"),
        ([True], "不能是"),
        ([3.0], "不能是"),
        ([None], "不能是"),
        ("123", "列表"),
    ],
)
def test_r_draw_1_bad_source_values_are_refused(values, fragment):
    with pytest.raises(DrawError, match=fragment):
        canonical_source(values)


def test_r_draw_1_empty_sources_are_refused():
    pool = _pool(TEST_VECTORS[0])
    with pytest.raises(DrawError, match="至少需要一个随机源"):
        make_key([])
    with pytest.raises(DrawError, match="至少需要一个随机源"):
        run_draw(pool, [], 1)
    with pytest.raises(DrawError, match="没有取值"):
        run_draw(pool, [("双色球 2026-12-08", [])], 1)
    with pytest.raises(DrawError, match="名称"):
        run_draw(pool, [("", [1, 2])], 1)


def test_r_draw_1_draw_error_is_a_value_error_in_chinese():
    with pytest.raises(ValueError) as info:
        select_indices("1./", 3, 4)
    assert isinstance(info.value, DrawError)
    assert str(info.value) == "抽取人数（4）不能多于抽签池人数（3）"


# --------------------------------------------------------------------------------------------
# Selection edge cases (R-DRAW-1 (3))
# --------------------------------------------------------------------------------------------


def test_r_draw_1_count_zero():
    assert select_indices("1./", 5, 0) == []
    assert select_indices("1./", 0, 0) == []
    record = run_draw(_pool(TEST_VECTORS[0]), TEST_VECTORS[0]["sources"], 0)
    assert record.selected == [] and verify_record(record) == []


def test_r_draw_1_count_equals_pool_size_is_a_permutation():
    positions = select_indices("3.9.11.17.22.28.31./2.5.6./", 12, 12)
    assert sorted(positions) == list(range(12))


def test_r_draw_1_count_above_pool_size_is_refused():
    with pytest.raises(DrawError, match="不能多于"):
        select_indices("1./", 3, 4)
    with pytest.raises(DrawError, match="不能多于"):
        run_draw(_pool(TEST_VECTORS[0]), TEST_VECTORS[0]["sources"], 13)


def test_r_draw_1_pool_size_limited_by_two_byte_counter():
    assert len(select_indices("1./", MAX_POOL_SIZE, 3)) == 3
    with pytest.raises(DrawError, match="65535"):
        select_indices("1./", MAX_POOL_SIZE + 1, 1)


@pytest.mark.parametrize("pool_size, count", [(-1, 0), (3, -1), (True, 1), (3, "2")])
def test_r_draw_1_sizes_must_be_non_negative_ints(pool_size, count):
    with pytest.raises(DrawError):
        select_indices("1./", pool_size, count)


def test_r_draw_1_key_must_be_ascii_and_non_empty():
    with pytest.raises(DrawError, match="ASCII"):
        select_indices("双色球./", 3, 1)
    with pytest.raises(DrawError, match="为空"):
        select_indices("", 3, 1)


def test_r_draw_1_duplicate_entrant_numbers_are_refused():
    pool = [PoolEntry(7, "0007 甲"), PoolEntry(8, "0008 乙"), PoolEntry(7, "0007 丙")]
    with pytest.raises(DrawError, match="参赛号重复：7"):
        canonical_pool_text(pool)
    with pytest.raises(DrawError, match="参赛号重复：7"):
        run_draw(pool, [("现场骰子", [1])], 1)


@pytest.mark.parametrize(
    "number, label", [(-1, "x"), (True, "x"), ("12", "x"), (1, "a\tb"), (1, "a\nb"), (1, None)]
)
def test_r_draw_1_bad_pool_entries_are_refused(number, label):
    with pytest.raises(DrawError):
        PoolEntry(number, label)


# --------------------------------------------------------------------------------------------
# Records: JSON and verification (R-DRAW-1 (4), (5))
# --------------------------------------------------------------------------------------------


def _genuine_dict() -> dict:
    vector = TEST_VECTORS[0]
    return json.loads(run_draw(_pool(vector), vector["sources"], vector["count"]).to_json())


@pytest.mark.parametrize(
    "edit, fragment",
    [
        (lambda d: d.update(algorithm="rfc2777"), "算法"),
        (lambda d: d["pool"].pop(), "SHA-256"),
        (lambda d: d["pool"][0].update(label="0101 赵一 白沙镇中学"), "SHA-256"),
        (lambda d: d["pool"].reverse(), "升序"),
        (lambda d: d["sources"][1]["values"].__setitem__(0, 5), "密钥不符"),
        (lambda d: d.update(key="3.9.11.17.22.28.31./2.5.7./"), "密钥不符"),
        (lambda d: d.update(count=5), "抽取结果不符"),
        (lambda d: d.update(selected=[109, 108, 104, 102]), "抽取结果不符"),
        (lambda d: d.update(count=13), "不能多于"),
        (lambda d: d["sources"].clear(), "随机源无效"),
    ],
)
def test_r_draw_1_verify_record_names_each_kind_of_edit(edit, fragment):
    data = _genuine_dict()
    edit(data)
    problems = verify_record(DrawRecord.from_dict(data))
    assert problems and any(fragment in p for p in problems), problems


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("{", "JSON"),
        ("[]", "JSON 对象"),
        ('{"algorithm": "rfc3797"}', "缺少字段"),
        (json.dumps({**_genuine_dict(), "extra": 1}), "未知字段"),
        (json.dumps(_genuine_dict()).replace('"count": 4', '"count": 4.0'), "小数"),
        (json.dumps(_genuine_dict()).replace('"count": 4', '"count": NaN'), "小数"),
        (json.dumps({**_genuine_dict(), "selected": ["108"]}), "整数"),
        (json.dumps({**_genuine_dict(), "pool": [{"number": 1, "label": "a\tb"}]}), "制表符"),
    ],
)
def test_r_draw_1_from_json_refuses_malformed_records(text, fragment):
    with pytest.raises(DrawError, match=fragment):
        DrawRecord.from_json(text)


# --------------------------------------------------------------------------------------------
# Re-draws (R-DRAW-2)
# --------------------------------------------------------------------------------------------


def _original() -> DrawRecord:
    vector = TEST_VECTORS[0]
    return run_draw(_pool(vector), vector["sources"], vector["count"], title="城关区 复赛随机抽取")


def _rest(original: DrawRecord, *, without=()) -> list[PoolEntry]:
    return [e for e in original.pool if e.number not in original.selected and e.number not in without]


def test_r_draw_2_redraw_is_a_new_linked_record_for_vacancies_only():
    original = _original()
    # 109 was disqualified after the draw (upheld objection): one vacancy, drawn from the rest
    record = redraw(original, _rest(original), [("现场骰子（重抽）", [4, 1, 6])], 1)
    assert record.count == 1 and len(record.selected) == 1
    assert record.parent == record_link(original)
    assert record.parent == f"{original.pool_sha256}:{hashlib.sha256(original.key.encode()).hexdigest()}"
    assert record.title == "城关区 复赛随机抽取（重抽）"
    assert not set(record.selected) & set(original.selected)
    assert verify_record(record) == [] and verify_redraw(original, record) == []


def test_r_draw_2_redraw_refuses_someone_already_selected():
    original = _original()
    with pytest.raises(DrawError, match="已抽中的人：108"):
        redraw(original, _rest(original) + [original.pool[7]], [("现场骰子（重抽）", [4])], 1)


def test_r_draw_2_redraw_refuses_someone_outside_the_original_pool():
    original = _original()
    with pytest.raises(DrawError, match="不在原抽签池中：999"):
        redraw(original, _rest(original) + [PoolEntry(999, "0999 外人")], [("现场骰子（重抽）", [4])], 1)


def test_r_draw_2_redraw_refuses_the_old_sources_and_bad_vacancies():
    original = _original()
    with pytest.raises(DrawError, match="新的"):
        redraw(original, _rest(original), TEST_VECTORS[0]["sources"], 1)
    with pytest.raises(DrawError, match="正整数"):
        redraw(original, _rest(original), [("现场骰子（重抽）", [4])], 0)
    with pytest.raises(DrawError, match="不能多于"):
        redraw(original, _rest(original), [("现场骰子（重抽）", [4])], 9)


def test_r_draw_2_redraw_refuses_an_original_that_does_not_verify():
    original = _original()
    original.selected = [101, 102, 103, 104]
    with pytest.raises(DrawError, match="核验不一致"):
        redraw(original, _rest(original), [("现场骰子（重抽）", [4])], 1)


def test_r_draw_2_verify_redraw_catches_a_forged_link():
    original = _original()
    forged = run_draw(
        _rest(original) + [original.pool[7]], [("现场骰子（重抽）", [4])], 1, parent=record_link(original)
    )
    assert verify_record(forged) == []  # consistent on its own …
    assert any("已抽中" in p for p in verify_redraw(original, forged))  # … but not as a re-draw
    unlinked = run_draw(_rest(original), [("现场骰子（重抽）", [4])], 1, parent="0" * 64 + ":" + "0" * 64)
    assert any("关联标识不符" in p for p in verify_redraw(original, unlinked))


# --------------------------------------------------------------------------------------------
# Properties (hypothesis)
# --------------------------------------------------------------------------------------------

_LABEL = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\t\r\n"), max_size=12)
_NUMERIC_SOURCE = st.lists(
    st.one_of(st.integers(0, 10**9), st.integers(0, 999).map(lambda n: f"{n:04d}")), min_size=1, max_size=7
)
_SOURCES = st.lists(
    st.tuples(
        st.text(min_size=1, max_size=8).filter(str.strip),
        _NUMERIC_SOURCE,
    ),
    min_size=1,
    max_size=3,
)
_KEY = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=60)


@st.composite
def _pools(draw, min_size=1, max_size=25):
    numbers = draw(st.lists(st.integers(0, 99_999), min_size=min_size, max_size=max_size, unique=True))
    labels = draw(st.lists(_LABEL, min_size=len(numbers), max_size=len(numbers)))
    return [PoolEntry(n, label) for n, label in zip(numbers, labels)]


@st.composite
def _records(draw, min_pool=1):
    pool = draw(_pools(min_size=min_pool))
    count = draw(st.integers(0, len(pool)))
    return run_draw(pool, draw(_SOURCES), count, title=draw(_LABEL))


@settings(max_examples=200, deadline=None)
@given(key=_KEY, sizes=st.integers(0, 300).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n))))
def test_r_draw_1_selection_is_a_partial_permutation_and_matches_reference_code(key, sizes):
    pool_size, count = sizes
    picks = select_indices(key, pool_size, count)
    assert len(picks) == count
    assert len(set(picks)) == count
    assert all(0 <= p < pool_size for p in picks)
    assert picks == _reference_select(key, pool_size, count)
    # RFC 3797: the order of the first picks never depends on how many are drawn
    assert select_indices(key, pool_size, pool_size)[:count] == picks


@settings(max_examples=150, deadline=None)
@given(record=_records())
def test_r_draw_1_verify_accepts_every_genuine_record_after_json(record):
    again = DrawRecord.from_json(record.to_json())
    assert again == record
    assert verify_record(again) == []
    assert set(record.selected) <= {e.number for e in record.pool}


def _edit_pool(data, choice):
    numbers = [e["number"] for e in data["pool"]]
    kind = choice % 3
    if kind == 0 and len(numbers) > 1:
        data["pool"].pop(choice % len(numbers))
    elif kind == 1:
        data["pool"].append({"number": max(numbers) + 1, "label": "新增"})
        data["pool"].sort(key=lambda e: e["number"])
    else:
        data["pool"][-1]["number"] = max(numbers) + 1


def _edit_label(data, choice):
    data["pool"][choice % len(data["pool"])]["label"] += "改"


def _edit_source_value(data, choice):
    source = data["sources"][choice % len(data["sources"])]
    i = choice % len(source["values"])
    value = source["values"][i]
    if isinstance(value, int):
        source["values"][i] = value + 1
    elif value.strip().isdigit():
        source["values"][i] = str(int(value) + 1)
    else:
        source["values"][i] = value + "Z"


def _edit_key(data, choice):
    data["key"] += f"{choice}./"


def _edit_count(data, choice):
    data["count"] += 1 if data["count"] < len(data["pool"]) else -1


def _edit_result(data, choice):
    selected = data["selected"]
    if len(selected) >= 2:
        selected[0], selected[1] = selected[1], selected[0]
    elif selected:
        selected[0] += 1
    else:
        selected.append(data["pool"][0]["number"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    record=_records(),
    edit=st.sampled_from([_edit_pool, _edit_label, _edit_source_value, _edit_key, _edit_count, _edit_result]),
    choice=st.integers(0, 1000),
)
def test_r_draw_1_verify_rejects_every_edited_record(record, edit, choice):
    data = json.loads(record.to_json())
    edit(data, choice)
    assert verify_record(DrawRecord.from_json(json.dumps(data, ensure_ascii=False))) != []


@settings(max_examples=150, deadline=None)
@given(original=_records(min_pool=2), data=st.data())
def test_r_draw_2_redraw_never_picks_anyone_from_the_original_selection(original, data):
    rest = [e for e in original.pool if e.number not in original.selected]
    disqualified = data.draw(st.sets(st.sampled_from([e.number for e in rest])) if rest else st.just(set()))
    remaining = [e for e in rest if e.number not in disqualified]
    assume(remaining)
    vacancies = data.draw(st.integers(1, len(remaining)))
    sources = original.sources + [{"name": "重抽现场骰子", "values": data.draw(_NUMERIC_SOURCE)}]
    record = redraw(original, remaining, sources, vacancies)
    assert not set(record.selected) & set(original.selected)
    assert set(record.selected) <= {e.number for e in remaining}
    assert len(record.selected) == vacancies
    assert verify_redraw(original, DrawRecord.from_json(record.to_json())) == []


# --------------------------------------------------------------------------------------------
# Stand-alone verifier (R-DRAW-1 (5))
# --------------------------------------------------------------------------------------------


def _stdlib_only(path: Path) -> set[str]:
    """Top-level modules imported by ``path`` that are not in the standard library."""
    foreign = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module or ""]
        else:
            continue
        foreign |= {n.split(".")[0] for n in names} - set(sys.stdlib_module_names)
    return foreign


def test_r_draw_1_draw_and_verify_import_only_the_standard_library():
    assert _stdlib_only(DRAW_PY) == set()
    assert _stdlib_only(VERIFY_PY) == {"rfc3797"}  # the sibling file, when run outside the package


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONSTARTUP")}
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def _run(args, *, cwd, stdin=None):
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=_clean_env(),
        timeout=60,
    )


def _write(path: Path, record: DrawRecord | str) -> Path:
    path.write_text(record if isinstance(record, str) else record.to_json(), encoding="utf-8")
    return path


def test_r_draw_1_verifier_as_package_module_without_flask_or_sqlalchemy(tmp_path):
    path = _write(tmp_path / "record.json", _original())
    code = (
        "import sys; sys.modules['flask'] = None; sys.modules['sqlalchemy'] = None; import runpy; "
        f"sys.argv = ['verify', {str(path)!r}]; runpy.run_module('app.draws.verify', run_name='__main__')"
    )
    result = _run(["-c", code], cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert "一致 (match)" in result.stdout and "不一致" not in result.stdout
    assert "108, 109, 104, 102" in result.stdout


def test_r_draw_1_verifier_with_python_m(tmp_path):
    good = _write(tmp_path / "good.json", _original())
    data = json.loads(_original().to_json())
    data["selected"] = [102, 104, 108, 109]
    bad = _write(tmp_path / "bad.json", json.dumps(data, ensure_ascii=False))
    result = _run(["-m", "app.draws.verify", str(good), str(bad)], cwd=REPO)
    assert result.returncode == 1
    assert f"{good}: 一致 (match)" in result.stdout
    assert f"{bad}: 不一致 (mismatch)" in result.stdout
    assert "抽取结果不符" in result.stdout


def test_r_draw_1_verifier_copied_alone_into_an_empty_folder(tmp_path):
    folder = tmp_path / "verifier"
    folder.mkdir()
    shutil.copy(DRAW_PY, folder / "rfc3797.py")
    shutil.copy(VERIFY_PY, folder / "verify.py")
    _write(folder / "record.json", _original())
    result = _run(["verify.py", "record.json"], cwd=folder)
    assert result.returncode == 0, result.stderr
    assert "record.json: 一致 (match)" in result.stdout
    # standard input, with a BOM as Windows Notepad writes it
    result = _run(["verify.py", "-"], cwd=folder, stdin="\ufeff" + _original().to_json())
    assert result.returncode == 0, result.stderr
    assert "（标准输入）: 一致 (match)" in result.stdout


def test_r_draw_1_verifier_exit_code_2_for_unreadable_input(tmp_path):
    good = _write(tmp_path / "good.json", _original())
    broken = _write(tmp_path / "broken.json", "{not json")
    result = _run(
        ["-m", "app.draws.verify", str(good), str(broken), str(tmp_path / "missing.json")], cwd=REPO
    )
    assert result.returncode == 2
    assert "一致 (match)" in result.stdout
    assert "broken.json: 无法读取 (unreadable)" in result.stderr
    assert "missing.json: 无法读取 (unreadable)" in result.stderr
    assert _run(["-m", "app.draws.verify"], cwd=REPO).returncode == 2
    assert _run(["-m", "app.draws.verify", "-"], cwd=REPO, stdin="").returncode == 2


def test_r_draw_2_verifier_checks_the_link_between_given_records(tmp_path):
    original = _original()
    genuine = redraw(original, _rest(original), [("现场骰子（重抽）", [4, 1, 6])], 1)
    first = _write(tmp_path / "original.json", original)
    second = _write(tmp_path / "redraw.json", genuine)
    result = _run(["-m", "app.draws.verify", str(first), str(second)], cwd=REPO)
    assert result.returncode == 0, result.stdout
    assert f"重抽记录，原记录为 {first}" in result.stdout

    forged = run_draw(
        _rest(original) + [original.pool[7]], [("现场骰子（重抽）", [4])], 1, parent=record_link(original)
    )
    third = _write(tmp_path / "forged.json", forged)
    alone = _run(["-m", "app.draws.verify", str(third)], cwd=REPO)
    assert alone.returncode == 0 and "原记录未一并提供" in alone.stdout
    together = _run(["-m", "app.draws.verify", str(first), str(third)], cwd=REPO)
    assert together.returncode == 1
    assert "已抽中的人：108" in together.stdout
