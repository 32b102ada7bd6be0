"""HTTP views of the rosters domain (thin: load, check access, call a service, commit, render)."""
from __future__ import annotations

from app.rosters import bp  # noqa: F401
