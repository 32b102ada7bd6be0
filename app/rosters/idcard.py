"""Citizen ID numbers after GB 11643-1999 (R-ROS-2); masking for public pages (R-PUB-1).

Standard library only. An ID number has 18 characters: a 6-digit region code, the birth date as
YYYYMMDD, a 3-digit sequence whose parity gives the sex (odd 男, even 女), and a check character
after ISO 7064 MOD 11-2 (weights 2^(17-i) mod 11, values mapped through "10X98765432").

Birth date and sex are always derived from the number (以身份证为准, R-GRP-1), never typed.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from app.timeutil import beijing_today

__all__ = [
    "IdInfo",
    "IdNumberError",
    "check_character",
    "looks_like_excel_number",
    "make_id_number",
    "mask_id_number",
    "parse_id_number",
]

_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))  # 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
_CHECK_MAP = "10X98765432"
# Full-width forms arrive from Chinese input methods and from copied web pages.
_FULL_WIDTH = str.maketrans({**{chr(0xFF10 + d): str(d) for d in range(10)}, "ｘ": "X", "Ｘ": "X", "x": "X"})
_INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060"
# Excel shows an ID stored as a number in scientific notation, e.g. 3.20621198001011E+17.
_SCIENTIFIC = re.compile(r"[0-9](?:\.[0-9]+)?[eE]\+?([0-9]+)")
# Excel keeps 15 significant digits, so the last three digits of an 18-digit number become 000.
_EXCEL_DIGITS = 15
_SMALLEST_ID_LIKE = 10**14


class IdNumberError(ValueError):
    """An ID number is not valid under GB 11643-1999 (R-ROS-2); the message says why, in Chinese."""


@dataclass(frozen=True)
class IdInfo:
    """What an ID number says (R-ROS-2): the normalised number, region, birth date and sex."""

    number: str
    region: str
    birth_date: date
    sex: str  # "男" / "女"


def _normalise(raw: str) -> str:
    return raw.strip().strip(_INVISIBLE).strip().translate(_FULL_WIDTH)


def check_character(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for the first 17 digits (R-ROS-2)."""
    if not isinstance(first17, str) or len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise IdNumberError(f"校验码须由前17位数字计算，实际为 {first17!r}")
    return _CHECK_MAP[sum(int(d) * w for d, w in zip(first17, _WEIGHTS)) % 11]


def looks_like_excel_number(raw: Any) -> bool:
    """True when ``raw`` is an ID number that Excel stored as a number and so damaged (R-ROS-6).

    Such cells arrive as a float (3.20621198001011e17), as the text Excel displays
    ("3.20621198001011E+17"), or as an integer / digit string whose last digits became zeros.
    """
    if isinstance(raw, bool):
        return False
    if isinstance(raw, float):
        # an ID is at least 15 digits; nothing that large survives as a float
        return math.isfinite(raw) and abs(int(raw)) >= _SMALLEST_ID_LIKE
    if isinstance(raw, Decimal):
        return raw.is_finite() and abs(raw) >= _SMALLEST_ID_LIKE
    if isinstance(raw, int):
        digits = str(abs(raw))
        return len(digits) > _EXCEL_DIGITS and digits.endswith("0" * (len(digits) - _EXCEL_DIGITS))
    if isinstance(raw, str):
        text = _normalise(raw)
        match = _SCIENTIFIC.fullmatch(text)
        if match:
            return int(match.group(1)) >= 14
        if len(text) == 18 and text.isascii() and text.isdigit() and text.endswith("000"):
            # a genuine number may end in 000; only a wrong check character gives the damage away
            return check_character(text[:17]) != text[17]
    return False


def parse_id_number(raw: str, *, today: date | None = None) -> IdInfo:
    """Validate an 18-character ID number and derive birth date and sex (R-ROS-2).

    Surrounding whitespace, full-width digits and a lower-case or full-width x are normalised.
    The birth date must be a real date, in or after 1900 and not after ``today`` (default: the
    current date). Raises :class:`IdNumberError` with a precise Chinese message.
    """
    if looks_like_excel_number(raw) and not isinstance(raw, str):
        raise IdNumberError("身份证号被 Excel 存成了数字，末几位已丢失；请把该列设为“文本”格式后重新填写")
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = str(raw)
    if not isinstance(raw, str):
        raise IdNumberError(f"身份证号应为文字，实际为 {type(raw).__name__}")
    number = _normalise(raw)
    if not number:
        raise IdNumberError("身份证号为空")
    if _SCIENTIFIC.fullmatch(number):
        raise IdNumberError(
            f"身份证号被 Excel 显示为科学计数法（{number}），末几位已丢失；请把该列设为“文本”格式后重新填写"
        )
    if len(number) != 18:
        raise IdNumberError(f"长度应为18位，实际为{len(number)}位")
    for position, ch in enumerate(number, start=1):
        allowed = "0123456789X" if position == 18 else "0123456789"
        if ch not in allowed:
            expected = "数字或X" if position == 18 else "数字"
            raise IdNumberError(f"第{position}位应为{expected}，实际为“{ch}”")

    region = number[:6]
    if region[0] not in "12345678":
        raise IdNumberError(f"地区码无效：{region}（首位应为1至8）")

    birth_text = number[6:14]
    try:
        birth = date(int(birth_text[:4]), int(birth_text[4:6]), int(birth_text[6:]))
    except ValueError:
        raise IdNumberError(f"出生日期无效：{birth_text}") from None
    if birth.year < 1900:
        raise IdNumberError(f"出生日期无效：{birth_text}（早于1900年）")
    today = today or beijing_today()
    if birth > today:
        raise IdNumberError(f"出生日期无效：{birth_text}（晚于今天 {today.isoformat()}）")

    expected = check_character(number[:17])
    if number[17] != expected:
        hint = "（末三位为000，可能是 Excel 把身份证号存成了数字）" if number.endswith("000") else ""
        raise IdNumberError(f"校验码错误：应为{expected}，实际为{number[17]}{hint}")

    sex = "男" if int(number[14:17]) % 2 else "女"
    return IdInfo(number=number, region=region, birth_date=birth, sex=sex)


def make_id_number(region: str, birth_date: date, seq: int) -> str:
    """A valid ID number for demo data and tests (R-ROS-2); odd ``seq`` is 男, even 女."""
    if not isinstance(region, str) or len(region) != 6 or not region.isascii() or not region.isdigit():
        raise IdNumberError(f"地区码无效：{region!r}（应为6位数字）")
    if region[0] not in "12345678":
        raise IdNumberError(f"地区码无效：{region}（首位应为1至8）")
    if not isinstance(birth_date, date) or birth_date.year < 1900:
        raise IdNumberError(f"出生日期无效：{birth_date!r}")
    if isinstance(seq, bool) or not isinstance(seq, int) or not 0 <= seq <= 999:
        raise IdNumberError(f"顺序码应为0至999的整数，实际为 {seq!r}")
    first17 = f"{region}{birth_date:%Y%m%d}{seq:03d}"
    return first17 + check_character(first17)


def mask_id_number(number: str) -> str:
    """An ID number fit for public pages (R-PUB-1): first 4 and last 4 kept, e.g. 3206**********123X."""
    text = _normalise(str(number))
    if len(text) <= 8:
        # too short to keep 4 + 4 without showing everything
        return "*" * len(text)
    return text[:4] + "*" * (len(text) - 8) + text[-4:]
