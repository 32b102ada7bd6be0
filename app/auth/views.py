"""Sign-in/out and account administration. Thin: load → check access → service → commit → render."""

from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import abort, current_app, flash, make_response, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user, user_logged_in

from app.auth import bp, services
from app.auth.forms import ChangePasswordForm, LoginForm, ResetPasswordForm, UserForm
from app.auth.models import User
from app.extensions import db, limiter, login_manager
from app.orgs.models import District, School
from app.roles import Role
from app.web.access import public, roles_required
from app.web.forms import attempt
from app.web.render import render_page_or_block


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Session and remember-me cookies carry ``id:token``; a rotated token ends them (one primary-key SELECT)."""
    ident, _, token = user_id.partition(":")
    if not ident.isdigit() or not token or len(ident) > 18:
        return None
    user = db.session.get(User, int(ident))
    if user is None or not user.has_session_token(token):
        return None
    return user


# Flask-Login's own keys survive a sign-in; everything else the anonymous session held is dropped.
_LOGIN_KEYS = ("_user_id", "_fresh", "_id", "_remember", "_remember_seconds")


@user_logged_in.connect
def _rotate_session(_app, user, **_extra) -> None:
    """At every sign-in (password or QR code) the session starts afresh, with a new CSRF token."""
    for key in [k for k in session if k not in _LOGIN_KEYS]:
        session.pop(key)


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
        try:
            user = services.authenticate(form.username.data, form.password.data)
        except services.SignInLocked as locked:
            db.session.rollback()
            form.form_errors.append(locked.message)
        else:
            db.session.commit()  # a success, or a failure counted against the account
            if user is not None:
                login_user(user, remember=form.remember.data)
                return redirect(_safe_next(request.args.get("next")) or url_for("dashboard.dashboard"), 303)
            form.password.errors.append("用户名或密码错误。")
    status = 422 if request.method == "POST" else 200
    return render_page_or_block("auth/login.html", "login_form", status=status, form=form)


@bp.route("/logout", methods=["POST"])
@roles_required()
def logout():
    """Ends this session and every copy of it (and of the remember-me cookie), on every server."""
    services.sign_out_everywhere(current_user._get_current_object())
    db.session.commit()
    logout_user()
    flash("您已退出登录。", "info")
    return redirect(url_for("auth.login"), 303)


@bp.route("/account/password", methods=["GET", "POST"])
@roles_required()
def change_password():
    """修改密码 for every signed-in user; other sessions end, this one continues."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        done, _ = attempt(
            lambda: services.change_own_password(user, form.current_password.data, form.new_password.data),
            form,
        )
        if not done:
            return render_page_or_block("auth/password.html", "password_form", status=422, form=form)
        remember = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
        login_user(user, remember=remember)  # this device continues with the new token
        flash("密码已修改；其他设备上的登录已失效。", "success")
        return redirect(url_for("dashboard.dashboard"), 303)
    status = 422 if request.method == "POST" else 200
    return render_page_or_block("auth/password.html", "password_form", status=status, form=form)


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
    may_manage = user is not None and services.can_manage_account(current_user, user)
    form = UserForm(obj=user) if request.method == "GET" and user else UserForm()
    if request.method == "GET" and user:
        form.role.data = user.role.value
    _fill_choices(form)
    if form.validate_on_submit():
        done, saved = attempt(
            lambda: services.save_user(
                current_user,
                user,
                username=form.username.data.strip(),
                display_name=form.display_name.data.strip(),
                role=Role(form.role.data),
                district_id=form.district_id.data,
                school_id=form.school_id.data,
                password=form.password.data or None,
                active=form.active.data,
            ),
            form,
        )
        if done:
            flash(f"账号 {saved.username} 已保存。", "success")
            return redirect(url_for("auth.users"), 303)
    status = 422 if request.method == "POST" else 200
    return render_page_or_block(
        "auth/user_form.html", "user_form", status=status, form=form, user=user, may_manage_account=may_manage
    )


@bp.route("/admin/users/<int:user_id>/password", methods=["GET", "POST"])
@roles_required(Role.CITY_ADMIN, Role.DISTRICT_ADMIN)
def reset_password(user_id: int):
    """An admin in scope (R-ROLE-1) sets a new password: the user is signed out everywhere."""
    user = _user_in_scope(user_id)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        done, _ = attempt(lambda: services.reset_password(current_user, user, form.new_password.data), form)
        if not done:
            return render_page_or_block(
                "auth/reset_password.html", "reset_form", status=422, form=form, user=user
            )
        flash(f"账号 {user.username} 的密码已重置，该账号在所有设备上的登录已失效。", "success")
        return redirect(url_for("auth.edit_user", user_id=user.id), 303)
    status = 422 if request.method == "POST" else 200
    return render_page_or_block("auth/reset_password.html", "reset_form", status=status, form=form, user=user)


@bp.route("/admin/users/<int:user_id>/sign-out", methods=["POST"])
@roles_required(Role.CITY_ADMIN, Role.DISTRICT_ADMIN)
def force_sign_out(user_id: int):
    """强制下线: every session and remember-me cookie of the user stops working, on every server."""
    user = _user_in_scope(user_id)
    services.force_sign_out(current_user, user)
    db.session.commit()
    flash(f"账号 {user.username} 已在所有设备上下线。", "success")
    return redirect(url_for("auth.edit_user", user_id=user.id), 303)
