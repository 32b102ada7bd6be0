"""GB 11643-1999 citizen ID numbers (R-ROS-2) and their public masking (R-PUB-1)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.rosters.idcard import (
    IdInfo,
    IdNumberError,
    check_character,
    looks_like_excel_number,
    make_id_number,
    mask_id_number,
    parse_id_number,
)

TODAY = date(2026, 9, 1)


def _with_check(first17: str) -> str:
    return first17 + check_character(first17)


# --------------------------------------------------------------------------------------------
# Worked examples (R-ROS-2)
# --------------------------------------------------------------------------------------------


def test_r_ros_2_standard_example_is_valid_female_born_1949_12_31():
    info = parse_id_number("11010519491231002X", today=TODAY)
    assert info == IdInfo(
        number="11010519491231002X", region="110105", birth_date=date(1949, 12, 31), sex="女"
    )


def test_r_ros_2_check_character_mod_11_2():
    assert check_character("11010519491231002") == "X"
    assert check_character("37092119800101007") == "7"
    # weights 2^(17-i) mod 11 and the map "10X98765432": a sum of 0 gives "1"
    assert check_character("00000000000000000") == "1"
    with pytest.raises(IdNumberError):
        check_character("1101051949123100")
    with pytest.raises(IdNumberError):
        check_character("1101051949123100X")


def test_r_ros_2_wrong_check_character():
    with pytest.raises(IdNumberError) as info:
        parse_id_number("110105194912310023", today=TODAY)
    assert str(info.value) == "校验码错误：应为X，实际为3"


def test_r_ros_2_lower_case_x_is_normalised():
    assert parse_id_number("11010519491231002x", today=TODAY).number == "11010519491231002X"


def test_r_ros_2_whitespace_and_full_width_are_normalised():
    for raw in [
        "  11010519491231002X\t",
        "１１０１０５１９４９１２３１００２Ｘ",
        "１１０１０５１９４９１２３１００２ｘ",
        "\u300011010519491231002X\u3000",
        "\ufeff11010519491231002X",
    ]:
        assert parse_id_number(raw, today=TODAY).number == "11010519491231002X", raw


def test_r_ros_2_sequence_parity_gives_sex():
    assert parse_id_number(make_id_number("370921", date(1980, 1, 1), 7), today=TODAY).sex == "男"
    assert parse_id_number(make_id_number("370921", date(1980, 1, 1), 8), today=TODAY).sex == "女"
    assert parse_id_number(make_id_number("370921", date(1980, 1, 1), 0), today=TODAY).sex == "女"


@pytest.mark.parametrize(
    "raw, message",
    [
        ("110105491231002", "长度应为18位，实际为15位"),  # old 15-digit numbers are refused
        ("11010519491231002", "长度应为18位，实际为17位"),
        ("11010519491231002X1", "长度应为18位，实际为19位"),
        ("", "身份证号为空"),
        ("   ", "身份证号为空"),
        ("11010519491231002Y", "第18位应为数字或X，实际为“Y”"),
        ("1101051949123100X2", "第17位应为数字，实际为“X”"),
        ("110105 1949123100X", "第7位应为数字，实际为“ ”"),
    ],
)
def test_r_ros_2_malformed_numbers(raw, message):
    with pytest.raises(IdNumberError) as info:
        parse_id_number(raw, today=TODAY)
    assert str(info.value) == message


def test_r_ros_2_region_must_start_with_1_to_8():
    for first17 in ["01010519491231002", "91010519491231002"]:
        with pytest.raises(IdNumberError) as info:
            parse_id_number(_with_check(first17), today=TODAY)
        assert str(info.value).startswith("地区码无效：")
    assert parse_id_number(_with_check("81000019800101001"), today=TODAY).region == "810000"


def test_r_ros_2_february_29_only_in_leap_years():
    assert parse_id_number(_with_check("37092120000229001"), today=TODAY).birth_date == date(2000, 2, 29)
    assert parse_id_number(_with_check("37092119840229001"), today=TODAY).birth_date == date(1984, 2, 29)
    for birth in ["19830229", "20230229", "19000229", "21000229"]:  # 1900 and 2100 are not leap years
        with pytest.raises(IdNumberError) as info:
            parse_id_number(_with_check(f"370921{birth}001"), today=TODAY)
        assert str(info.value) == f"出生日期无效：{birth}"


@pytest.mark.parametrize("birth", ["19800230", "19801301", "19800001", "19800100", "00000000"])
def test_r_ros_2_impossible_dates(birth):
    with pytest.raises(IdNumberError) as info:
        parse_id_number(_with_check(f"370921{birth}001"), today=TODAY)
    assert str(info.value) == f"出生日期无效：{birth}"


def test_r_ros_2_birth_date_in_the_future_or_before_1900():
    number = make_id_number("370921", date(2020, 5, 1), 1)
    assert parse_id_number(number, today=date(2020, 5, 1)).birth_date == date(2020, 5, 1)
    with pytest.raises(IdNumberError) as info:
        parse_id_number(number, today=date(2020, 4, 30))
    assert str(info.value).startswith("出生日期无效：20200501")
    with pytest.raises(IdNumberError) as info:
        parse_id_number(_with_check("37092118991231001"), today=TODAY)
    assert str(info.value).startswith("出生日期无效：18991231")
    assert parse_id_number(_with_check("37092119000101001"), today=TODAY).birth_date == date(1900, 1, 1)


def test_r_ros_2_default_today_refuses_far_future():
    with pytest.raises(IdNumberError, match="出生日期无效"):
        parse_id_number(_with_check("37092199991231001"))


def test_r_ros_2_id_number_error_is_a_value_error():
    with pytest.raises(ValueError):
        parse_id_number("123")


# --------------------------------------------------------------------------------------------
# make_id_number (demo data and tests)
# --------------------------------------------------------------------------------------------


def test_r_ros_2_make_id_number_builds_the_standard_example():
    assert make_id_number("110105", date(1949, 12, 31), 2) == "11010519491231002X"


@pytest.mark.parametrize(
    "region, birth, seq",
    [
        ("01010", date(1980, 1, 1), 1),
        ("010105", date(1980, 1, 1), 1),
        ("910105", date(1980, 1, 1), 1),
        ("11010a", date(1980, 1, 1), 1),
        ("110105", date(1899, 12, 31), 1),
        ("110105", date(1980, 1, 1), 1000),
        ("110105", date(1980, 1, 1), -1),
        ("110105", date(1980, 1, 1), True),
    ],
)
def test_r_ros_2_make_id_number_refuses_bad_parts(region, birth, seq):
    with pytest.raises(IdNumberError):
        make_id_number(region, birth, seq)


_REGIONS = st.tuples(st.integers(1, 8), st.integers(0, 99_999)).map(lambda t: f"{t[0]}{t[1]:05d}")


@settings(max_examples=300)
@given(region=_REGIONS, birth=st.dates(date(1900, 1, 1), TODAY), seq=st.integers(0, 999))
def test_r_ros_2_make_id_number_parses_back(region, birth, seq):
    info = parse_id_number(make_id_number(region, birth, seq), today=TODAY)
    assert info.birth_date == birth
    assert info.sex == ("男" if seq % 2 else "女")
    assert info.region == region


@settings(max_examples=300)
@given(
    region=_REGIONS,
    birth=st.dates(date(1900, 1, 1), TODAY),
    seq=st.integers(0, 999),
    position=st.integers(0, 17),
    delta=st.integers(1, 9),
)
def test_r_ros_2_any_single_wrong_digit_is_refused(region, birth, seq, position, delta):
    number = make_id_number(region, birth, seq)
    alphabet = "0123456789X" if position == 17 else "0123456789"
    wrong = alphabet[(alphabet.index(number[position]) + delta) % len(alphabet)]
    with pytest.raises(IdNumberError):
        parse_id_number(number[:position] + wrong + number[position + 1 :], today=TODAY)


# --------------------------------------------------------------------------------------------
# Masking (R-PUB-1)
# --------------------------------------------------------------------------------------------


def test_r_pub_1_mask_keeps_first_four_and_last_four():
    assert mask_id_number("32062119800101123X") == "3206**********123X"
    assert mask_id_number(" 11010519491231002x ") == "1101**********002X"
    assert mask_id_number("12345678") == "********"
    assert mask_id_number("") == ""


# --------------------------------------------------------------------------------------------
# IDs damaged by Excel (the import explains them, R-ROS-6)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        (3.20621198001011e17, True),
        ("3.20621198001011E+17", True),
        ("3.20621198001011e17", True),
        (" 3.20621198001011E+17 ", True),
        (320621198001011000, True),  # an int that lost its last three digits
        (Decimal("320621198001011000"), True),
        ("320621198001011000", True),  # the same, as text, with a wrong check character
        ("11010519491231002X", False),
        ("110105194912310021", False),
        (110105194912310021, False),  # all 18 digits present: not Excel's doing
        (3.5, False),
        (12345, False),
        ("3.5E+2", False),
        (True, False),
        (None, False),
        (float("nan"), False),
    ],
)
def test_r_ros_2_looks_like_excel_number(raw, expected):
    assert looks_like_excel_number(raw) is expected


def test_r_ros_2_excel_damage_is_explained_in_chinese():
    for raw in [3.20621198001011e17, 320621198001011000, "3.20621198001011E+17"]:
        with pytest.raises(IdNumberError, match="Excel") as info:
            parse_id_number(raw, today=TODAY)
        assert "文本" in str(info.value)
    with pytest.raises(IdNumberError, match="校验码错误：应为.，实际为0（末三位为000"):
        parse_id_number("320621198001011000", today=TODAY)


def test_r_ros_2_an_intact_int_is_accepted():
    assert parse_id_number(int(make_id_number("370921", date(1980, 1, 1), 7)), today=TODAY).sex == "男"
