"""Error pages in Chinese, and the one rule by which every error the server renders reaches the screen.

The rule (its client half is the block "errors reach the screen" in static/js/app.js):
- a view that knows what the user acted on renders its own 4xx fragment for the element htmx swaps
  (the verify verdict, a form re-rendered with its errors); htmx swaps 4xx responses like 2xx;
- any other error (a DomainError, 403, 404, CSRF, 500...) of an htmx request that swaps part of a
  page, or of a boosted form submission, answers an alert box placed just before the element the
  user acted on (``HX-Retarget: this``, ``HX-Reswap: beforebegin``), never into the swap target;
- a plain request or a boosted navigation gets the full error page inside the layout, with a way back.
"""

from __future__ import annotations

import math
import time

from flask import Flask, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.errors import DomainError

DEFAULT_MESSAGES = {
    400: "请求无效。",
    403: "您没有权限访问此页面。",
    404: "页面不存在，或者您要找的记录已被删除。",
    405: "不支持此操作方式。",
    413: "上传的文件过大。",
    422: "提交的内容有误。",
    429: "操作过于频繁，请稍后再试。",
    500: "服务器出错了，请稍后重试；如果问题持续，请联系管理员。",
}
TITLES = {
    400: "请求无效",
    403: "无权访问",
    404: "未找到",
    405: "不支持",
    413: "文件过大",
    422: "无法完成",
    429: "请稍后再试",
    500: "服务器错误",
}


def _inline() -> bool:
    """True when the error belongs beside what the user acted on, not in place of the whole page."""
    htmx = getattr(request, "htmx", None)
    if not htmx or htmx.history_restore_request:
        return False
    return not htmx.boosted or request.method != "GET"


def render_error(status: int, message: str | None = None):
    message = message or DEFAULT_MESSAGES.get(status, "出错了。")
    if _inline():
        response = make_response(render_template("errors/_inline.html", message=message), status)
        response.headers["HX-Retarget"] = "this"
        response.headers["HX-Reswap"] = "beforebegin"
        response.headers["HX-Push-Url"] = "false"  # a refused boosted POST keeps the page's address
    else:
        referrer = request.referrer or ""
        same_site = referrer.startswith(request.host_url) and referrer != request.url
        back = referrer if same_site else None
        page = render_template(
            "errors/error.html", status=status, title=TITLES.get(status, "出错了"), message=message, back=back
        )
        response = make_response(page, status)
    response.headers["X-Error-Page"] = "1"  # app.js: rendered by this handler, so safe to swap (5xx too)
    response.vary.add("HX-Request")
    return response


def retry_after_seconds() -> int:
    """Seconds until the limit that refused this request lets the client in again."""
    from app.extensions import limiter

    current = limiter.current_limit
    if current is None:
        return 60
    return max(1, math.ceil(current.reset_at - time.time()))


def wait_text(seconds: int) -> str:
    return f"{math.ceil(seconds / 60)} 分钟" if seconds > 60 else f"{seconds} 秒"


def too_many_requests():
    """429 in Chinese with how long to wait, shown where the user acted like every other error."""
    seconds = retry_after_seconds()
    response = render_error(429, f"尝试次数过多，请 {wait_text(seconds)}后再试。")
    response.headers["Retry-After"] = str(seconds)
    return response


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, "页面已过期或缺少安全令牌（CSRF），操作未执行。请刷新页面后重试。")

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        return render_error(error.status_code, error.message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        description = (
            error.description
            if error.description and not error.description.startswith(("The ", "You ", "Bad "))
            else None
        )
        if code == 429:
            return too_many_requests()
        return render_error(code, description)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        from app.extensions import db

        db.session.rollback()
        return render_error(500)
