"""R-ROLE-1: every view declares who may call it, and the server checks it on every request.

A view carries its rule in the ``access_rule`` attribute, set by ``public`` or ``roles_required``.
``enforce_declared_access`` refuses any endpoint that declares nothing, so a new view without a
permission fails closed (and ``tests/test_access_matrix.py`` names it).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, current_app, request
from flask_login import current_user

from app.extensions import login_manager
from app.roles import Role

ACCESS_ATTR = "access_rule"
PUBLIC = "public"
ALL_ROLES = frozenset(Role)
ADMIN_ROLES = frozenset({Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.SCHOOL_ADMIN})


def public(view: Callable) -> Callable:
    """Open to everyone, without login (public pages, login form, verification pages)."""
    setattr(view, ACCESS_ATTR, PUBLIC)
    return view


def roles_required(*roles: Role) -> Callable[[Callable], Callable]:
    """Signed-in users of these roles only (R-ROLE-1); scope is checked inside the view."""
    allowed = frozenset(roles) or ALL_ROLES

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in allowed:
                abort(403, description="您的账号角色无权使用此功能。")
            return view(*args, **kwargs)

        setattr(wrapped, ACCESS_ATTR, allowed)
        return wrapped

    return decorator


def declared_access(endpoint: str):
    """The access rule an endpoint declares, or None when it declares nothing."""
    if endpoint == "static":
        return PUBLIC
    view = current_app.view_functions.get(endpoint)
    return getattr(view, ACCESS_ATTR, None) if view else None


def enforce_declared_access() -> None:
    """before_request: a view that declares no access rule is refused, never served."""
    if request.endpoint is None:
        return  # 404/405 are answered by Flask itself
    if declared_access(request.endpoint) is None:
        current_app.logger.error("endpoint %s declares no access rule", request.endpoint)
        abort(403, description="此页面未声明访问权限，已拒绝。")
