"""The signed-in landing page: what waits on each role, gathered from every domain (the top layer)."""

from flask import Blueprint

bp = Blueprint("dashboard", __name__)
