"""Persisted draws (R-DRAW-1, R-DRAW-2): announce → perform exactly once → published for good.

Generic over the purpose: the advancement draws of ``app.advancement.services`` and the order-of-appearance draws
of judging (R-PANEL-2) can share these verbs. Flush, never commit; no Flask globals.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from app.audit import services as audit
from app.competitions.models import Stage
from app.draws.models import Draw, DrawPurpose, DrawStatus
from app.draws.rfc3797 import (
    ALGORITHM,
    DrawError,
    DrawRecord,
    PoolEntry,
    entropy_bits,
    pool_commitment,
    redraw,
    run_draw,
)
from app.errors import DomainError
from app.extensions import db
from app.timeutil import utcnow

_SPLIT = re.compile(r"[\s,，、;；]+")


def parse_values(text: str) -> list[str]:
    """One source's values as typed at the event: numbers separated by spaces or commas."""
    return [v for v in _SPLIT.split(text or "") if v]


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
    event_at: datetime | None = None,
    unit_school_id: int | None = None,
    unit_district_id: int | None = None,
    parent: Draw | None = None,
) -> Draw:
    """R-DRAW-1 (1): freeze the pool, publish its SHA-256 commitment, the count and the future sources.

    The published page exists from this moment; the values of the sources do not yet.
    """
    names = clean_source_names(source_names)
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


def perform(draw: Draw, values: Sequence[Sequence[Any]], *, by) -> DrawRecord:
    """R-DRAW-1 (2)–(4): enter the announced sources' values, run RFC 3797, store the record — once.

    R-DRAW-2: a draw that is already drawn (or withdrawn) is refused; a re-draw (``parent_id``) is
    made with :func:`app.draws.rfc3797.redraw`, so it is checked against and linked to its parent.
    """
    if draw.status == DrawStatus.DRAWN:
        raise DomainError("该抽签已完成，同一抽签池不能再抽一次；结果不能更改。")
    if draw.status == DrawStatus.VOID:
        raise DomainError("该抽签已作废，不能再录入取值。")
    if len(values) != len(draw.sources_announced) or any(not list(v) for v in values):
        raise DomainError("请为每个已公布的随机源录入取值。", field="sources")
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
        .values(record_json=record.to_json(), status=DrawStatus.DRAWN, drawn_at=utcnow())
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
    draw.voided_at = utcnow()
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


def commitment_dict(draw: Draw) -> dict[str, Any]:
    """What is published at announcement (R-DRAW-1 (1)); the verifier takes the full record later."""
    return {
        "algorithm": ALGORITHM,
        "status": draw.status.value,
        "title": draw.title,
        "pool": list(draw.pool_json),
        "pool_sha256": draw.pool_sha256,
        "count": draw.count,
        "sources_announced": [s["name"] for s in draw.sources_announced],
        "event_at": draw.event_at.isoformat() if draw.event_at else None,
        "parent_id": draw.parent_id,
        "void_reason": draw.void_reason,
    }
