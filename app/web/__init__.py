"""Shared HTTP glue: access control, fragment rendering, xlsx responses, error pages, home."""

from flask import Blueprint

bp = Blueprint("web", __name__)
