"""Users, roles and scopes (R-ROLE-1)."""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.orgs.models import District, School
from app.roles import Role
from app.timeutil import utcnow


def new_session_token() -> str:
    return secrets.token_hex(16)


class User(UserMixin, db.Model):
    """A person who signs in. Scope: district for district admins, school (+ affiliates) for school admins.

    A judge may carry a school and district too: they are what recusal (R-PANEL-1) compares against.
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(64))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role]
    district_id: Mapped[int | None] = mapped_column(sa.ForeignKey("districts.id"), index=True)
    school_id: Mapped[int | None] = mapped_column(sa.ForeignKey("schools.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    # Part of every session and remember-me cookie (Flask-Login's alternative id): a new token signs the
    # user out on every device and server (logout, password change, 强制下线, deactivation).
    session_token: Mapped[str] = mapped_column(sa.String(32), default=lambda: new_session_token())
    # Per-account lockout after repeated wrong passwords or QR PINs, shared by every app server.
    failed_signins: Mapped[int] = mapped_column(default=0)
    last_failed_signin_at: Mapped[datetime | None]
    signin_locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    district: Mapped[District | None] = relationship()
    school: Mapped[School | None] = relationship()

    def set_password(self, password: str, method: str = "scrypt") -> None:
        self.password_hash = generate_password_hash(password, method=method)
        self.end_sessions()

    def end_sessions(self) -> None:
        """Every session and remember-me cookie issued so far stops working, on every server."""
        self.session_token = new_session_token()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        if not self.session_token:
            self.session_token = new_session_token()
        return f"{self.id}:{self.session_token}"

    def has_session_token(self, token: str) -> bool:
        return bool(self.session_token) and hmac.compare_digest(self.session_token, token)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def is_city(self) -> bool:
        return self.role == Role.CITY_ADMIN

    def can_manage_district(self, district_id: int | None) -> bool:
        """R-ROLE-1: city admins manage every district, district admins their own."""
        if self.role == Role.CITY_ADMIN:
            return True
        return (
            self.role == Role.DISTRICT_ADMIN and district_id is not None and district_id == self.district_id
        )

    def can_manage_school(self, school: School) -> bool:
        """R-ROLE-1: district scope covers its schools; a school admin has the school and, for a
        central school, its affiliated village schools."""
        if self.can_manage_district(school.district_id):
            return True
        if self.role != Role.SCHOOL_ADMIN or self.school_id is None:
            return False
        return school.id == self.school_id or school.central_school_id == self.school_id

    def school_scope_clause(self):
        """The same scope as a SQL condition on ``School`` — for listing queries."""
        if self.role == Role.CITY_ADMIN:
            return sa.true()
        if self.role == Role.DISTRICT_ADMIN:
            return School.district_id == self.district_id
        if self.role == Role.SCHOOL_ADMIN:
            return sa.or_(School.id == self.school_id, School.central_school_id == self.school_id)
        return sa.false()

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"
