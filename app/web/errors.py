"""Error pages in Chinese; htmx requests get the message alone, shown by static/js/app.js."""

from __future__ import annotations

from flask import Flask, render_template, request
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


def render_error(status: int, message: str | None = None):
    message = message or DEFAULT_MESSAGES.get(status, "出错了。")
    if getattr(request, "htmx", None):
        return message, status, {"Content-Type": "text/plain; charset=utf-8", "Vary": "HX-Request"}
    return render_template(
        "errors/error.html", status=status, title=TITLES.get(status, "出错了"), message=message
    ), status


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
            description = "尝试次数过多，请稍后再试。"
        return render_error(code, description)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        from app.extensions import db

        db.session.rollback()
        return render_error(500)
