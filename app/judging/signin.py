"""R-X-2: per-judge one-time QR sign-in codes with a short PIN, valid until the end of the Beijing day."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from app.audit import services as audit
from app.auth.models import User
from app.errors import DomainError
from app.extensions import db
from app.judging.models import Panel, SignInCode
from app.judging.services import check_manage
from app.timeutil import BEIJING, utcnow

MAX_ATTEMPTS = 5  # wrong PINs before a code is void (the rate limit slows guessing further)


@dataclass(frozen=True)
class IssuedCode:
    judge: User
    token: str  # only ever shown on the printed sheet; the database keeps its hash
    pin: str
    expires_at: datetime


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def end_of_beijing_day(now: datetime) -> datetime:
    """Naive UTC instant at which the Beijing day of ``now`` ends (the session's day)."""
    local = now + BEIJING
    return datetime(local.year, local.month, local.day) + timedelta(days=1) - BEIJING


def issue_codes(panel: Panel, *, by: User, now: datetime | None = None) -> list[IssuedCode]:
    """New codes for every judge of the panel; earlier unused codes of the panel stop working."""
    check_manage(by, panel)
    now = now or utcnow()
    db.session.execute(sa.update(SignInCode).where(SignInCode.panel_id == panel.id, SignInCode.used_at.is_(None))
                       .values(expires_at=now))
    issued = []
    for member in panel.judges:
        token, pin = secrets.token_urlsafe(24), f"{secrets.randbelow(10**6):06d}"
        code = SignInCode(panel_id=panel.id, judge_id=member.user_id, token_hash=token_hash(token),
                          pin_hash=generate_password_hash(pin, method="pbkdf2:sha256:50000"),
                          expires_at=end_of_beijing_day(now), created_by_id=by.id)
        db.session.add(code)
        issued.append(IssuedCode(member.user, token, pin, code.expires_at))
    db.session.flush()
    audit.record(by, "judging.signin_codes_issued", "panel", panel.id, f"打印「{panel.name}」评委签到码",
                 competition_id=panel.stage.competition_id, district_id=panel.district_id,
                 school_id=panel.unit_school_id)
    return issued


def find_code(token: str, now: datetime | None = None) -> SignInCode:
    code = db.session.scalar(sa.select(SignInCode).where(SignInCode.token_hash == token_hash(token)))
    now = now or utcnow()
    if code is None:
        raise DomainError("签到码无效，请向组织者索取新的签到码。")
    if code.used_at is not None:
        raise DomainError("该签到码已使用过（每个签到码只能用一次），请向组织者索取新的签到码。")
    if code.expires_at <= now or code.attempts >= MAX_ATTEMPTS:
        raise DomainError("该签到码已失效，请向组织者索取新的签到码。")
    if not code.judge.active:
        raise DomainError("该评委账号已停用。")
    return code


def redeem(token: str, pin: str, now: datetime | None = None) -> User:
    """Check the PIN; on success the code is spent and the judge is returned (the view signs them in)."""
    code = find_code(token, now)
    if not check_password_hash(code.pin_hash, (pin or "").strip()):
        code.attempts += 1
        db.session.flush()
        left = MAX_ATTEMPTS - code.attempts
        raise DomainError(f"PIN 码不正确，还可以再试 {left} 次。" if left > 0 else "PIN 码多次错误，该签到码已失效。",
                          field="pin")
    code.used_at = now or utcnow()
    db.session.flush()
    audit.record(code.judge, "judging.qr_signin", "user", code.judge_id, "评委扫码签到",
                 competition_id=code.panel.stage.competition_id)
    return code.judge
