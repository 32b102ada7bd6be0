"""Prizes, team and organisation awards, certificates (SPEC §6, R-AW-*)."""

from flask import Blueprint

bp = Blueprint("awards", __name__)
