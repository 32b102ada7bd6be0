"""Persisted draws (R-DRAW-1, R-DRAW-2): announce → perform exactly once → published for good.

Generic over the purpose: the advancement draws of ``app.advancement.services`` and the order-of-appearance draws
of judging (R-PANEL-2) can share these verbs. Flush, never commit; no Flask globals.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

import sqlalchemy as sa

from app import timeutil
from app.audit import services as audit
from app.competitions.models import Stage
from app.draws.models import Draw, DrawPurpose, DrawStatus
from app.draws.rfc3797 import (
    ALGORITHM,
    DrawError,
    DrawRecord,
    PoolEntry,
    canonical_source,
    entropy_bits,
    make_key,
    pool_commitment,
    record_link,
    redraw,
    run_draw,
)
from app.errors import DomainError
from app.extensions import db

_SPLIT = re.compile(r"[\s,，、;；]+")
_NUMBER = re.compile(r"[0-9]+")


def parse_values(text: str) -> list[str]:
    """One source's values as typed at the event (R-DRAW-1 (2)), the one parser for every purpose.

    Numbers separated by spaces, commas, 、 or ; become one value each (full-width digits count as
    digits). A line that is not only numbers is kept as typed as one value, which the key refuses
    with a message saying how to enter it as numbers.
    """
    typed = unicodedata.normalize("NFKC", text or "").strip()
    tokens = [v for v in _SPLIT.split(typed) if v]
    if tokens and all(_NUMBER.fullmatch(v) for v in tokens):
        return tokens
    return [typed] if typed else []


def event_at_from_beijing(day: str, clock: str) -> datetime:
    """The draw event as typed (date and time, Beijing time) → the naive UTC every timestamp stores."""
    try:
        moment = datetime.combine(
            date.fromisoformat((day or "").strip()), time.fromisoformat((clock or "").strip())
        )
    except ValueError:
        raise DomainError(
            "请填写抽签时间：日期和时刻（北京时间），例如 2026-12-20 和 21:30。", field="event_at"
        ) from None
    return moment - timeutil.BEIJING


def beijing_text(moment: datetime) -> str:
    """A stored naive-UTC moment as people read it: "2026-12-20 21:30（北京时间）"."""
    return f"{timeutil.to_beijing(moment):%Y-%m-%d %H:%M}（北京时间）"


def check_event_time(draw: Draw, *, now: datetime | None = None) -> None:
    """R-DRAW-1: a draw is never performed before the event time announced with it (Beijing time)."""
    now = timeutil.utcnow() if now is None else now
    if draw.event_at is None:
        raise DomainError("该抽签公布时没有抽签时间，不能抽签；请作废后重新公布（写明抽签时间）。")
    if now < draw.event_at:
        raise DomainError(
            f"抽签时间为 {beijing_text(draw.event_at)}，此前不能抽签；随机源取值须在抽签时刻之后产生。"
        )


def clean_source_names(names: Sequence[str]) -> list[str]:
    cleaned = [n.strip() for n in names if n and n.strip()]
    if not cleaned:
        raise DomainError(
            "请至少公布一个将来的随机源（例如：2026年12月20日福彩3D开奖号码，或现场掷三次骰子的点数）。",
            field="sources",
        )
    if any(len(n) > 200 for n in cleaned):
        raise DomainError("随机源的名称过长（最多200字）。", field="sources")
    return cleaned


def announce(
    stage: Stage,
    *,
    purpose: DrawPurpose,
    title: str,
    pool: Sequence[PoolEntry],
    count: int,
    source_names: Sequence[str],
    by,
    event_at: datetime | None,
    unit_school_id: int | None = None,
    unit_district_id: int | None = None,
    parent: Draw | None = None,
    now: datetime | None = None,
) -> Draw:
    """R-DRAW-1 (1): freeze the pool, publish its SHA-256 commitment, the count, the future sources
    and the event time (naive UTC, later than ``now``).

    The published page exists from this moment; the values of the sources do not yet. The event time
    is never edited: moving the event is :func:`void` (reason public) and a new announcement.
    """
    names = clean_source_names(source_names)
    now = timeutil.utcnow() if now is None else now
    if event_at is None:
        raise DomainError(
            "请填写抽签时间（北京时间）：随机源须是抽签时刻之后才产生的取值。", field="event_at"
        )
    if event_at <= now:
        raise DomainError(
            f"抽签时间 {beijing_text(event_at)} 已过；公布的随机源必须是将来才产生的取值，请选择以后的时间。",
            field="event_at",
        )
    try:
        ordered = sorted(pool, key=lambda e: e.number)
        commitment = pool_commitment(ordered)
        entropy_bits(len(ordered), count)  # refuses a count larger than the pool
    except DrawError as error:
        raise DomainError(str(error)) from None
    if count < 1:
        raise DomainError("抽取人数为 0，无需抽签。")
    draw = Draw(
        competition_id=stage.competition_id,
        stage_id=stage.id,
        purpose=purpose,
        title=title[:200],
        unit_school_id=unit_school_id,
        unit_district_id=unit_district_id,
        status=DrawStatus.ANNOUNCED,
        count=count,
        pool_json=[{"number": e.number, "label": e.label} for e in ordered],
        pool_sha256=commitment,
        sources_announced=[{"name": n} for n in names],
        event_at=event_at,
        parent_id=parent.id if parent is not None else None,
        created_by_id=getattr(by, "id", None),
        announced_at=now,
    )
    db.session.add(draw)
    db.session.flush()
    audit.record(
        by,
        "draw.announced",
        "draw",
        draw.id,
        f"公布抽签「{draw.title}」",
        after={
            "pool_sha256": commitment,
            "count": count,
            "pool_size": len(ordered),
            "sources": names,
            "event_at": event_at.isoformat(),
            "parent_id": draw.parent_id,
        },
        competition_id=stage.competition_id,
        district_id=unit_district_id,
        school_id=unit_school_id,
    )
    return draw


def record_of(draw: Draw) -> DrawRecord | None:
    """The published record of a drawn draw (None before the event)."""
    return DrawRecord.from_json(draw.record_json) if draw.record_json else None


def pool_of(draw: Draw) -> list[PoolEntry]:
    return [PoolEntry(number=p["number"], label=p["label"]) for p in draw.pool_json]


def _check_performable(draw: Draw, values: Sequence[Sequence[Any]], now: datetime | None) -> None:
    if draw.status == DrawStatus.DRAWN:
        raise DomainError("该抽签已完成，同一抽签池不能再抽一次；结果不能更改。")
    if draw.status == DrawStatus.VOID:
        raise DomainError("该抽签已作废，不能再录入取值。")
    check_event_time(draw, now=now)
    if len(values) != len(draw.sources_announced) or any(not list(v) for v in values):
        raise DomainError("请为每个已公布的随机源录入取值。", field="sources")


@dataclass(frozen=True)
class SourcePreview:
    name: str
    entered: list[Any]  # as typed
    canonical: str  # this source's part of the key (RFC 3797 §4)


@dataclass(frozen=True)
class Preview:
    """What the confirmation screen shows before anything is stored (R-DRAW-1 (2))."""

    sources: list[SourcePreview]
    key: str
    pool_size: int
    count: int


def preview(draw: Draw, values: Sequence[Sequence[Any]], *, now: datetime | None = None) -> Preview:
    """The values as entered, each source's normalised part and the key they form; stores nothing.

    Refuses exactly what :func:`perform` would refuse (event time not reached, a value RFC 3797 §4
    cannot canonicalise), so a confirmed screen never fails for a reason it could have shown.
    """
    _check_performable(draw, values, now)
    try:
        parts = [
            SourcePreview(s["name"], list(v), canonical_source(list(v)))
            for s, v in zip(draw.sources_announced, values)
        ]
        key = make_key([list(v) for v in values])
    except DrawError as error:
        raise DomainError(str(error), field="sources") from None
    return Preview(sources=parts, key=key, pool_size=len(draw.pool_json), count=draw.count)


def perform(draw: Draw, values: Sequence[Sequence[Any]], *, by, now: datetime | None = None) -> DrawRecord:
    """R-DRAW-1 (2)–(4): enter the announced sources' values, run RFC 3797, store the record — once,
    and never before the announced event time (``now`` defaults to ``app.timeutil.utcnow()``).

    R-DRAW-2: a draw that is already drawn (or withdrawn) is refused; a re-draw (``parent_id``) is
    made with :func:`app.draws.rfc3797.redraw`, so it is checked against and linked to its parent.
    """
    now = timeutil.utcnow() if now is None else now
    _check_performable(draw, values, now)
    sources = [{"name": s["name"], "values": list(v)} for s, v in zip(draw.sources_announced, values)]
    pool = pool_of(draw)
    try:
        if draw.parent_id is not None:
            parent_record = record_of(draw.parent) if draw.parent is not None else None
            if parent_record is None:
                raise DomainError("原抽签尚未完成，不能重抽。")
            record = redraw(parent_record, pool, sources, draw.count, title=draw.title)
        else:
            record = run_draw(pool, sources, draw.count, title=draw.title)
    except DrawError as error:
        raise DomainError(str(error), field="sources") from None
    if record.pool_sha256 != draw.pool_sha256:  # the stored pool is the one announced; never expected
        raise DomainError("抽签池与公布时的承诺不一致，已拒绝抽签。")
    # Compare-and-set: of two organisers submitting at once, exactly one draw is stored (R-DRAW-2).
    stored = db.session.execute(
        sa.update(Draw)
        .where(Draw.id == draw.id, Draw.status == DrawStatus.ANNOUNCED)
        .values(record_json=record.to_json(), status=DrawStatus.DRAWN, drawn_at=now)
        .execution_options(synchronize_session=False)
    )
    if stored.rowcount != 1:
        raise DomainError("该抽签已由他人完成，同一抽签池不能再抽一次；请刷新页面查看结果。")
    db.session.refresh(draw)
    audit.record(
        by,
        "draw.performed",
        "draw",
        draw.id,
        f"完成抽签「{draw.title}」",
        after={"key": record.key, "selected": record.selected, "algorithm": ALGORITHM},
        competition_id=draw.competition_id,
        district_id=draw.unit_district_id,
        school_id=draw.unit_school_id,
    )
    return record


def void(draw: Draw, reason: str, *, by) -> None:
    """Withdraw an announced draw before any value exists (its pool is no longer right); stays public."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写作废原因（将公开显示）。", field="reason")
    if draw.status != DrawStatus.ANNOUNCED:
        raise DomainError("只有尚未录入取值的抽签可以作废；已完成的抽签永不更改。")
    draw.status = DrawStatus.VOID
    draw.voided_at = timeutil.utcnow()
    draw.void_reason = reason[:300]
    db.session.flush()
    audit.record(
        by,
        "draw.voided",
        "draw",
        draw.id,
        f"作废抽签「{draw.title}」",
        reason=reason,
        competition_id=draw.competition_id,
        district_id=draw.unit_district_id,
        school_id=draw.unit_school_id,
    )


def parent_link(draw: Draw) -> str | None:
    """The ``parent`` of a re-draw's record (R-DRAW-2): :func:`record_link` of the performed original."""
    if draw.parent_id is None:
        return None
    parent_record = record_of(draw.parent) if draw.parent is not None else None
    return record_link(parent_record) if parent_record is not None else None


def published_record(draw: Draw) -> dict[str, Any]:
    """The one public record format (R-DRAW-1 (4)), the same fields in every state.

    Announced: pool, ``pool_sha256``, count, the sources' names (values ``null``), event time; key and
    result ``null``. Drawn: the stored, never edited record fills values, key and result. Void: as
    announced, with the reason. A re-draw links its original the same way in every state (``parent``,
    the original's :func:`record_link`; ``parent_id`` its number here). The verifier accepts a drawn one.
    """
    record = record_of(draw)
    if record is not None:
        body = record.to_dict()
    else:
        body = {
            "algorithm": ALGORITHM,
            "pool": list(draw.pool_json),
            "pool_sha256": draw.pool_sha256,
            "count": draw.count,
            "sources": [{"name": s["name"], "values": None} for s in draw.sources_announced],
            "key": None,
            "selected": None,
            "parent": parent_link(draw),
            "title": draw.title,
        }
    body.update(
        {
            "status": draw.status.value,
            "event_at": timeutil.to_beijing(draw.event_at).isoformat() + "+08:00" if draw.event_at else None,
            "parent_id": draw.parent_id,
            "void_reason": draw.void_reason,
        }
    )
    return body


def published_json(draw: Draw) -> str:
    return json.dumps(published_record(draw), ensure_ascii=False, indent=2, sort_keys=True)


def successors(draw: Draw) -> list[Draw]:
    """For a void announcement: the announcements of the same draw made after it (the moved event)."""
    if draw.status != DrawStatus.VOID:
        return []
    return list(
        db.session.scalars(
            sa.select(Draw)
            .where(
                Draw.stage_id == draw.stage_id,
                Draw.purpose == draw.purpose,
                Draw.title == draw.title,
                Draw.unit_school_id.is_(None)
                if draw.unit_school_id is None
                else Draw.unit_school_id == draw.unit_school_id,
                Draw.unit_district_id.is_(None)
                if draw.unit_district_id is None
                else Draw.unit_district_id == draw.unit_district_id,
                Draw.id > draw.id,
            )
            .order_by(Draw.id)
        )
    )
