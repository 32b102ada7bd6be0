"""Tables owned by the awards domain."""
from __future__ import annotations
