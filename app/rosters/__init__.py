"""The whole-staff roster (全员报名): entries, ID numbers, import/export, exemptions, lock, stamped lists (SPEC §3)."""

from flask import Blueprint

bp = Blueprint("rosters", __name__)
