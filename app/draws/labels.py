"""What screens say about a draw's state: one wording and one badge colour per status (R-UI-1)."""

from __future__ import annotations

from datetime import datetime

from app.draws.models import Draw, DrawStatus

_TEXT = {DrawStatus.ANNOUNCED: "已公告，待抽取", DrawStatus.DRAWN: "已抽取", DrawStatus.VOID: "已作废"}
_TONE = {DrawStatus.ANNOUNCED: "info", DrawStatus.DRAWN: "ok", DrawStatus.VOID: ""}


def text(draw: Draw) -> str:
    return _TEXT[DrawStatus(draw.status)]


def tone(draw: Draw) -> str:
    return _TONE[DrawStatus(draw.status)]


def when(draw: Draw) -> datetime | None:
    """The moment a screen shows beside the state: when it was drawn, or when it is announced for."""
    if draw.status == DrawStatus.DRAWN:
        return draw.drawn_at
    return draw.event_at if draw.status == DrawStatus.ANNOUNCED else None


def any_drawn(draws) -> bool:
    """A new announcement after a performed draw is a re-draw (R-PUB-2)."""
    return any(d.status == DrawStatus.DRAWN for d in draws)
