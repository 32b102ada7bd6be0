"""Admin side of the public listing: open listings, post announcements, resolve objections (R-PUB-2).

A separate blueprint from the public pages (``public``), so each audience has its own URL set.
"""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("public_admin", __name__)
