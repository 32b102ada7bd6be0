"""String enums that carry their Chinese label (stored by value, shown by label)."""

from __future__ import annotations

import enum


class LabelledEnum(enum.StrEnum):
    """``PRIMARY = "primary", "小学"``: the value is stored, ``.label`` is what people read."""

    label: str

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def from_label(cls, text: str):
        """The member whose value or label is ``text``, else None (for imports and forms)."""
        text = (text or "").strip()
        return next((m for m in cls if text in (m.value, m.label)), None)
