"""Reading the audit log: city admins see all, district admins their district."""

from __future__ import annotations

import sqlalchemy as sa
from flask import request
from flask_login import current_user

from app.audit import bp
from app.audit.models import AuditEntry
from app.extensions import db
from app.roles import Role
from app.web.access import roles_required
from app.web.render import render_page_or_block
from app.web.xlsx import Column, Table

PAGE = 100


def _query():
    stmt = sa.select(AuditEntry).order_by(AuditEntry.id.desc())
    if current_user.role == Role.DISTRICT_ADMIN:
        stmt = stmt.where(AuditEntry.district_id == current_user.district_id)
    action = (request.args.get("action") or "").strip()
    if action:
        stmt = stmt.where(AuditEntry.action.startswith(action))
    return stmt


@bp.route("/audit")
@roles_required(Role.CITY_ADMIN, Role.DISTRICT_ADMIN)
def index():
    before_id = request.args.get("before", type=int)
    stmt = _query()
    if before_id:
        stmt = stmt.where(AuditEntry.id < before_id)
    entries = db.session.scalars(stmt.limit(PAGE)).all()
    return render_page_or_block(
        "audit/index.html",
        "audit_rows",
        entries=entries,
        action=request.args.get("action", ""),
        next_before=entries[-1].id if len(entries) == PAGE else None,
    )


@bp.route("/audit.xlsx")
@roles_required(Role.CITY_ADMIN, Role.DISTRICT_ADMIN)
def export():
    entries = db.session.scalars(_query().limit(50_000)).all()
    table = Table(
        [
            Column("时间", "at", "datetime", width=20, number_format="yyyy-mm-dd hh:mm:ss"),
            Column("操作人", "actor_name"),
            Column("操作", "action", width=20),
            Column("对象", lambda e: f"{e.target_type}#{e.target_id or ''}", width=16),
            Column("说明", "summary", width=40),
            Column("原因", "reason", width=24),
            Column("修改前", lambda e: str(e.before or ""), width=30),
            Column("修改后", lambda e: str(e.after or ""), width=30),
        ]
    )
    return table.response("审计日志.xlsx", "审计日志", entries)
