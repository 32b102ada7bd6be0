"""Short codes people read off paper or a phone screen and type back in.

Objection tracking codes (R-PUB-2) and certificate verification codes (R-AW-2) share one alphabet
with no look-alikes (no 0/O, 1/I/L, U/V) and one reading of what was typed.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Sequence

READABLE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # 30 characters


def random_code(length: int, choice: Callable[[Sequence[str]], str] = secrets.choice) -> str:
    """``length`` characters of the readable alphabet, drawn with ``secrets`` (unguessable) by default."""
    return "".join(choice(READABLE_ALPHABET) for _ in range(length))


def normalise_code(text: str | None) -> str:
    """What people type (spaces, dashes, lower case) → the stored form."""
    return re.sub(r"[^0-9A-Z]", "", (text or "").upper())
