"""Verbs on users: authenticate, create, update. Flush, never commit."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, has_app_context

from app.audit import services as audit
from app.auth.models import User
from app.errors import DomainError, NotAllowed
from app.extensions import db
from app.orgs.models import District, School
from app.roles import Role
from app.timeutil import utcnow


def _hash_method() -> str:
    return current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if has_app_context() else "scrypt"


def authenticate(username: str, password: str) -> User | None:
    """The active user with this name and password, else None (same answer for every failure)."""
    user = db.session.scalar(sa.select(User).where(User.username == username.strip()))
    if user is None or not user.active or not user.check_password(password):
        return None
    user.last_login_at = utcnow()
    return user


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
        user.session_nonce = (user.session_nonce or 0) + 1  # signs a deactivated user out everywhere
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
