"""HTTP views of the awards domain (thin: load, check access, call a service, commit, render)."""
from __future__ import annotations

from app.awards import bp  # noqa: F401
