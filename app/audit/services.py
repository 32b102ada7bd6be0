"""R-AUD-1: writing to the audit log — one call per audited change, inside the change's transaction."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from app.audit.models import AuditEntry
from app.extensions import db

# Never copied into the log as they are (R-PUB-1 spirit: private data stays in its own row).
PRIVATE_KEYS = frozenset({"id_number", "phone", "filer_phone", "password", "password_hash", "pin"})


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if hasattr(value, "value") and isinstance(value.value, str):  # enums
        return value.value
    return value


def snapshot(values: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """JSON-safe copy with private fields masked (ID numbers keep first 4 / last 4 characters)."""
    if values is None:
        return None
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key in PRIVATE_KEYS and value:
            text = str(value)
            out[key] = text[:4] + "*" * max(0, len(text) - 8) + text[-4:] if len(text) > 8 else "****"
        else:
            out[key] = _plain(value)
    return out


def record(
    actor,
    action: str,
    target_type: str,
    target_id: int | None,
    summary: str,
    *,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    reason: str | None = None,
    competition_id: int | None = None,
    district_id: int | None = None,
    school_id: int | None = None,
) -> AuditEntry:
    """Append one audit entry (R-AUD-1); flushes with the caller's transaction, never commits."""
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        actor_name=getattr(actor, "display_name", None) or (str(actor) if actor else "公众"),
        action=action,
        target_type=target_type,
        target_id=target_id,
        summary=summary[:500],
        reason=reason[:500] if reason else None,
        before=snapshot(before),
        after=snapshot(after),
        competition_id=competition_id,
        district_id=district_id,
        school_id=school_id,
    )
    db.session.add(entry)
    db.session.flush()
    return entry
