"""HTTP views of the public domain (thin: load, check access, call a service, commit, render)."""
from __future__ import annotations

from app.public import bp  # noqa: F401
