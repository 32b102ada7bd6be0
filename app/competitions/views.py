"""HTTP views of the competitions domain (thin: load, check access, call a service, commit, render)."""
from __future__ import annotations

from app.competitions import bp  # noqa: F401
