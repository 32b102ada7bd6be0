"""Public listing (公示), announcements and objections (SPEC §6, R-PUB-*)."""

from flask import Blueprint

bp = Blueprint("public", __name__)
