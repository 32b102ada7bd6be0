"""R-X-2: per-judge one-time QR sign-in codes with a short PIN, valid until the end of the Beijing day."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value
from werkzeug.security import check_password_hash, generate_password_hash

from app.audit import services as audit
from app.auth import services as accounts
from app.auth.models import User
from app.errors import DomainError
from app.extensions import db
from app.judging.models import Panel, SignInCode
from app.judging.services import audit_scope, check_manage
from app.timeutil import beijing_midnight, to_beijing, utcnow

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
    return beijing_midnight(to_beijing(now).date() + timedelta(days=1))


def issue_codes(panel: Panel, *, by: User, now: datetime | None = None) -> list[IssuedCode]:
    """New codes for every judge of the panel; earlier unused codes of the panel stop working."""
    check_manage(by, panel)
    now = now or utcnow()
    db.session.execute(
        sa.update(SignInCode)
        .where(SignInCode.panel_id == panel.id, SignInCode.used_at.is_(None))
        .values(expires_at=now)
    )
    issued = []
    for member in panel.judges:
        token, pin = secrets.token_urlsafe(24), f"{secrets.randbelow(10**6):06d}"
        code = SignInCode(
            panel_id=panel.id,
            judge_id=member.user_id,
            token_hash=token_hash(token),
            pin_hash=generate_password_hash(pin, method="pbkdf2:sha256:50000"),
            expires_at=end_of_beijing_day(now),
            created_by_id=by.id,
        )
        db.session.add(code)
        issued.append(IssuedCode(member.user, token, pin, code.expires_at))
    db.session.flush()
    audit.record(
        by,
        "judging.signin_codes_issued",
        "panel",
        panel.id,
        f"打印「{panel.name}」评委签到码",
        **audit_scope(panel),
    )
    return issued


def find_code(token: str, now: datetime | None = None) -> SignInCode:
    """The code behind a scanned token, if it can still sign someone in."""
    code = db.session.scalar(sa.select(SignInCode).where(SignInCode.token_hash == token_hash(token)))
    if code is None:
        raise DomainError("签到码无效，请向组织者索取新的签到码。")
    check_usable(code, now)
    return code


def check_usable(code: SignInCode, now: datetime | None = None) -> None:
    """Single use, until the end of the day, at most MAX_ATTEMPTS wrong PINs, an active judge."""
    now = now or utcnow()
    if code.used_at is not None:
        raise DomainError("该签到码已使用过（每个签到码只能用一次），请向组织者索取新的签到码。")
    if code.expires_at <= now or code.attempts >= MAX_ATTEMPTS:
        raise DomainError("该签到码已失效，请向组织者索取新的签到码。")
    if not code.judge.active:
        raise DomainError("该评委账号已停用。")


def redeem(code: SignInCode, pin: str, now: datetime | None = None) -> User:
    """Check the PIN of a code from ``find_code``; on success the code is spent and the judge is returned
    (the view signs them in)."""
    check_usable(code, now)
    accounts.check_not_locked(code.judge, now)  # per account, across codes and servers
    if not check_password_hash(code.pin_hash, (pin or "").strip()):
        code.attempts = SignInCode.attempts + 1  # in SQL: concurrent wrong PINs all count
        db.session.flush()
        accounts.record_failed_signin(code.judge, now)
        left = MAX_ATTEMPTS - code.attempts
        raise DomainError(
            f"PIN 码不正确，还可以再试 {left} 次。" if left > 0 else "PIN 码多次错误，该签到码已失效。",
            field="pin",
        )
    # compare-and-set: of two devices redeeming the same code at once, only one signs in
    used_at = now or utcnow()
    spent = db.session.execute(
        sa.update(SignInCode)
        .where(SignInCode.id == code.id, SignInCode.used_at.is_(None))
        .values(used_at=used_at)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not spent:
        raise DomainError("该签到码已使用过（每个签到码只能用一次），请向组织者索取新的签到码。")
    set_committed_value(code, "used_at", used_at)
    accounts.record_successful_signin(code.judge, used_at)
    audit.record(
        code.judge,
        "judging.qr_signin",
        "user",
        code.judge_id,
        "评委扫码签到",
        competition_id=code.panel.stage.competition_id,
    )
    return code.judge
