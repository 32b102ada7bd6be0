"""Verbs on users: authenticate, create, update, passwords, sessions. Flush, never commit."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.orm.attributes import set_committed_value

from app.audit import services as audit
from app.auth.models import User
from app.errors import DomainError, NotAllowed
from app.extensions import db
from app.orgs.models import District, School
from app.roles import Role
from app.timeutil import utcnow


def _hash_method() -> str:
    return current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if has_app_context() else "scrypt"


def _setting(name: str, default: int) -> int:
    return int(current_app.config.get(name, default)) if has_app_context() else default


def authenticate(username: str, password: str, now: datetime | None = None) -> User | None:
    """The active user with this name and password, else None (same answer for every failure).

    A locked account (too many failures, see ``record_failed_signin``) is refused with a DomainError that
    says how long to wait, before its password is even checked.
    """
    now = now or utcnow()
    user = db.session.scalar(sa.select(User).where(User.username == username.strip()))
    if user is None or not user.active:
        return None
    check_not_locked(user, now)
    if not user.check_password(password):
        record_failed_signin(user, now)
        return None
    record_successful_signin(user, now)
    return user


# ---- per-account lockout, shared by every app server because it lives in the users row


class SignInLocked(DomainError):
    status_code = 429

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


def wait_text(seconds: float) -> str:
    """“3 分钟” / “40 秒”: how long to wait, in words a user reads."""
    seconds = max(1, math.ceil(seconds))
    return f"{math.ceil(seconds / 60)} 分钟" if seconds > 60 else f"{seconds} 秒"


def check_not_locked(user: User, now: datetime | None = None) -> None:
    """Refuse while the account is locked, saying for how long."""
    now = now or utcnow()
    if user.signin_locked_until is not None and user.signin_locked_until > now:
        left = (user.signin_locked_until - now).total_seconds()
        raise SignInLocked(
            f"该账号登录失败次数过多，已暂时锁定，请 {wait_text(left)}后再试；如需立即使用，请联系管理员重置密码。",
            retry_after=math.ceil(left),
        )


def record_failed_signin(user: User, now: datetime | None = None) -> None:
    """A wrong password or QR PIN for this account; LOCKOUT_THRESHOLD of them within LOCKOUT_WINDOW_MINUTES
    lock it for LOCKOUT_MINUTES. Counted in SQL, so concurrent failures on any server all count."""
    now = now or utcnow()
    window_start = now - timedelta(minutes=_setting("LOCKOUT_WINDOW_MINUTES", 15))
    stale = sa.or_(User.last_failed_signin_at.is_(None), User.last_failed_signin_at < window_start)
    failures = db.session.execute(
        sa.update(User)
        .where(User.id == user.id)
        .values(
            failed_signins=sa.case((stale, 1), else_=User.failed_signins + 1),
            last_failed_signin_at=now,
        )
        .returning(User.failed_signins)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    values = {"failed_signins": failures, "last_failed_signin_at": now}
    if failures >= _setting("LOCKOUT_THRESHOLD", 10):
        values = {
            "failed_signins": 0,
            "last_failed_signin_at": None,
            "signin_locked_until": now + timedelta(minutes=_setting("LOCKOUT_MINUTES", 15)),
        }
        db.session.execute(
            sa.update(User)
            .where(User.id == user.id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    for key, value in values.items():
        set_committed_value(user, key, value)


def record_successful_signin(user: User, now: datetime | None = None) -> None:
    _clear_lockout(user)
    user.last_login_at = now or utcnow()


def _clear_lockout(user: User) -> None:
    user.failed_signins = 0
    user.last_failed_signin_at = None
    user.signin_locked_until = None


# ---- passwords and sessions (every user; admins within R-ROLE-1 scope)


def can_manage_account(actor: User, user: User) -> bool:
    """R-ROLE-1: city admins manage every account; a district admin the school admins and judges of its
    district; nobody else another person's account."""
    if actor.role == Role.CITY_ADMIN:
        return True
    if actor.role != Role.DISTRICT_ADMIN or user.role not in (Role.SCHOOL_ADMIN, Role.JUDGE):
        return False
    home = user.school.district_id if user.school is not None else user.district_id
    return home is not None and home == actor.district_id


def _check_new_password(password: str | None, field: str = "new_password") -> str:
    if not password or len(password) < 8:
        raise DomainError("新密码至少8位。", field=field)
    if len(password) > 128:
        raise DomainError("新密码最多128位。", field=field)
    return password


def change_own_password(user: User, current_password: str, new_password: str) -> None:
    """修改密码: the current password is required; every other session of the user ends."""
    if not user.check_password(current_password or ""):
        raise DomainError("当前密码不正确。", field="current_password")
    _check_new_password(new_password)
    if user.check_password(new_password):
        raise DomainError("新密码不能与当前密码相同。", field="new_password")
    user.set_password(new_password, method=_hash_method())
    db.session.flush()
    audit.record(
        user,
        "user.password_change",
        "user",
        user.id,
        f"账号 {user.username} 修改了自己的密码",
        district_id=user.district_id,
        school_id=user.school_id,
    )


def reset_password(actor: User, user: User, new_password: str) -> None:
    """An admin in scope sets a new password; the user is signed out everywhere and unlocked."""
    if not can_manage_account(actor, user):
        raise NotAllowed("该账号不在您的管理范围内，不能重置其密码。")
    _check_new_password(new_password)
    user.set_password(new_password, method=_hash_method())
    _clear_lockout(user)
    db.session.flush()
    audit.record(
        actor,
        "user.password_reset",
        "user",
        user.id,
        f"重置账号 {user.username} 的密码",
        district_id=user.district_id,
        school_id=user.school_id,
    )


def force_sign_out(actor: User, user: User) -> None:
    """强制下线: every session and remember-me cookie of the user stops working, on every server."""
    if not can_manage_account(actor, user):
        raise NotAllowed("该账号不在您的管理范围内，不能强制下线。")
    user.end_sessions()
    db.session.flush()
    audit.record(
        actor,
        "user.force_sign_out",
        "user",
        user.id,
        f"强制账号 {user.username} 下线",
        district_id=user.district_id,
        school_id=user.school_id,
    )


def sign_out_everywhere(user: User) -> None:
    """Logout: the session token changes, so copies of this session or remember-me cookie die too."""
    user.end_sessions()
    db.session.flush()


def _check_scope_fields(role: Role, district: District | None, school: School | None) -> None:
    if role == Role.DISTRICT_ADMIN and district is None:
        raise DomainError("区县教育局管理员必须指定所属区县。", field="district_id")
    if role == Role.SCHOOL_ADMIN and school is None:
        raise DomainError("学校管理员必须指定所属学校。", field="school_id")


def _check_actor_may_assign(
    actor: User, role: Role, district: District | None, school: School | None
) -> None:
    """R-ROLE-1: a district admin manages only school admins and judges of their own district."""
    if actor.role == Role.CITY_ADMIN:
        return
    if actor.role != Role.DISTRICT_ADMIN:
        raise NotAllowed("只有市、区县教育局管理员可以管理账号。")
    if role in (Role.CITY_ADMIN, Role.DISTRICT_ADMIN):
        raise NotAllowed("区县管理员不能创建或修改市级、区县级管理员账号。")
    if district is None or district.id != actor.district_id:
        raise NotAllowed("只能管理本区县的账号。")


def save_user(
    actor: User,
    user: User | None,
    *,
    username: str,
    display_name: str,
    role: Role,
    district_id: int | None,
    school_id: int | None,
    password: str | None,
    active: bool = True,
) -> User:
    """Create (user=None) or update an account within the actor's scope (R-ROLE-1)."""
    school = db.session.get(School, school_id) if school_id else None
    district = school.district if school else (db.session.get(District, district_id) if district_id else None)
    if role == Role.CITY_ADMIN:
        district, school = None, None
    elif role == Role.DISTRICT_ADMIN:
        school = None
    _check_scope_fields(role, district, school)
    _check_actor_may_assign(actor, role, district, school)
    if user is not None:
        old_district = user.district_id if user.school is None else user.school.district_id
        if actor.role != Role.CITY_ADMIN and old_district != actor.district_id:
            raise NotAllowed("只能管理本区县的账号。")
    clash = db.session.scalar(
        sa.select(User).where(User.username == username, User.id != (user.id if user else -1))
    )
    if clash is not None:
        raise DomainError(f"用户名“{username}”已被使用。", field="username")
    creating = user is None
    if creating:
        if not password:
            raise DomainError("新建账号必须设置密码。", field="password")
        user = User(username=username, password_hash="")
        db.session.add(user)
    before = None if creating else _public_fields(user)
    user.username = username
    user.display_name = display_name
    user.role = role
    user.district_id = district.id if district else None
    user.school_id = school.id if school else None
    if password:
        user.set_password(password, method=_hash_method())
    if user.active and not active and user.id == actor.id:
        raise DomainError("不能停用自己的账号。", field="active")
    if user.active != active:
        user.end_sessions()  # signs a deactivated user out everywhere
    user.active = active
    db.session.flush()
    audit.record(
        actor,
        "user.create" if creating else "user.update",
        "user",
        user.id,
        f"{'创建' if creating else '修改'}账号 {username}（{role.label}）",
        before=before,
        after=_public_fields(user),
        district_id=user.district_id,
        school_id=user.school_id,
    )
    return user


def _public_fields(user: User) -> dict:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "district_id": user.district_id,
        "school_id": user.school_id,
        "active": user.active,
    }


def create_city_admin(username: str, display_name: str, password: str) -> User:
    """For `flask users create-admin` on a real deployment."""
    if db.session.scalar(sa.select(User).where(User.username == username)):
        raise DomainError(f"用户名“{username}”已存在。")
    if len(password) < 8:
        raise DomainError("密码至少8位。")
    user = User(username=username, display_name=display_name, role=Role.CITY_ADMIN, password_hash="")
    user.set_password(password, method=_hash_method())
    db.session.add(user)
    db.session.flush()
    return user
