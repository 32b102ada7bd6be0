"""Judging (SPEC §4, §7): score forms, panels, the tablet scoring flow, aggregation and ranking."""

from flask import Blueprint

bp = Blueprint("judging", __name__)
