"""Sign-in, sign-out and user administration (R-ROLE-1)."""

from flask import Blueprint

bp = Blueprint("auth", __name__)
