"""The append-only audit log (R-AUD-1) and its reader."""

from flask import Blueprint

bp = Blueprint("audit", __name__)
