"""Tables owned by the rosters domain."""
from __future__ import annotations
