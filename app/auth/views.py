"""Sign-in/out and account administration. Thin: load → check access → service → commit → render."""

from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import abort, current_app, flash, make_response, redirect, request, url_for
from flask_login import current_user, login_user, logout_user

from app.auth import bp, services
from app.auth.forms import LoginForm, UserForm
from app.auth.models import User
from app.errors import DomainError
from app.extensions import db, limiter, login_manager
from app.orgs.models import District, School
from app.roles import Role
from app.web.access import public, roles_required
from app.web.forms import show_domain_error
from app.web.render import render_page_or_block


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    ident, _, nonce = user_id.partition(".")
    if not ident.isdigit():
        return None
    user = db.session.get(User, int(ident))
    if user is None or str(user.session_nonce or 0) != (nonce or "0"):
        return None
    return user


@login_manager.unauthorized_handler
def unauthorized():
    """Anonymous: full pages redirect to the login form; htmx requests get HX-Redirect, not a swapped form."""
    target = url_for("auth.login", next=_safe_next(request.full_path.rstrip("?")))
    if getattr(request, "htmx", None):
        response = make_response("登录已过期，请重新登录。", 401)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target)


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths: never an open redirect."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _failed_login(response) -> bool:
    return response.status_code == 422


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"], deduct_when=_failed_login)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.username.data, form.password.data)
        if user is not None:
            db.session.commit()
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")) or url_for("dashboard.dashboard"), 303)
        form.password.errors.append("用户名或密码错误。")
    status = 422 if request.method == "POST" else 200
    return render_page_or_block("auth/login.html", "login_form", status=status, form=form)


@bp.route("/logout", methods=["POST"])
@roles_required()
def logout():
    logout_user()
    flash("您已退出登录。", "info")
    return redirect(url_for("auth.login"), 303)


# ---- account administration (city admins: all; district admins: school admins and judges of their district)


def _user_query():
    stmt = sa.select(User).outerjoin(User.school).order_by(User.role, User.username)
    if current_user.role == Role.DISTRICT_ADMIN:
        stmt = stmt.where(
            sa.or_(
                User.district_id == current_user.district_id, School.district_id == current_user.district_id
            )
        )
    return stmt


def _fill_choices(form: UserForm) -> None:
    districts = db.session.scalars(sa.select(District).order_by(District.code)).all()
    schools = db.session.scalars(
        sa.select(School).where(current_user.school_scope_clause()).order_by(School.code)
    ).all()
    if current_user.role == Role.DISTRICT_ADMIN:
        districts = [d for d in districts if d.id == current_user.district_id]
        form.role.choices = [(r.value, r.label) for r in (Role.SCHOOL_ADMIN, Role.JUDGE)]
    form.district_id.choices = [("", "—")] + [(d.id, d.name) for d in districts]
    form.school_id.choices = [("", "—")] + [(s.id, f"{s.code} {s.name}") for s in schools]


@bp.route("/admin/users")
@roles_required(Role.CITY_ADMIN, Role.DISTRICT_ADMIN)
def users():
    q = (request.args.get("q") or "").strip()
    stmt = _user_query()
    if q:
        stmt = stmt.where(sa.or_(User.username.contains(q), User.display_name.contains(q)))
    rows = db.session.scalars(stmt.limit(500)).all()
    return render_page_or_block("auth/users.html", "user_rows", users=rows, q=q)


def _user_in_scope(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    if current_user.role == Role.DISTRICT_ADMIN:
        home = user.school.district_id if user.school else user.district_id
        if home != current_user.district_id or user.role in (Role.CITY_ADMIN, Role.DISTRICT_ADMIN):
            abort(403, description="该账号不在您的管理范围内。")
    return user


@bp.route("/admin/users/new", methods=["GET", "POST"])
@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.CITY_ADMIN, Role.DISTRICT_ADMIN)
def edit_user(user_id: int | None = None):
    user = _user_in_scope(user_id) if user_id else None
    form = UserForm(obj=user) if request.method == "GET" and user else UserForm()
    if request.method == "GET" and user:
        form.role.data = user.role.value
    _fill_choices(form)
    if form.validate_on_submit():
        try:
            saved = services.save_user(
                current_user,
                user,
                username=form.username.data.strip(),
                display_name=form.display_name.data.strip(),
                role=Role(form.role.data),
                district_id=form.district_id.data,
                school_id=form.school_id.data,
                password=form.password.data or None,
                active=form.active.data,
            )
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
            return render_page_or_block(
                "auth/user_form.html", "user_form", status=error.status_code, form=form, user=user
            )
        else:
            db.session.commit()
            flash(f"账号 {saved.username} 已保存。", "success")
            return redirect(url_for("auth.users"), 303)
    status = 422 if request.method == "POST" else 200
    return render_page_or_block("auth/user_form.html", "user_form", status=status, form=form, user=user)
