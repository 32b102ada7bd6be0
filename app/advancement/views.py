"""HTTP views of advancement: quotas, recommendations, draws (thin: load, check access, call a service, commit, render).

The blueprint lives here, not in ``app/advancement/__init__.py``, which stays free of Flask so the
stand-alone verifier (``python -m app.advancement.verify``) runs on the standard library alone.
"""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("advancement", __name__)
