"""Tables owned by the public domain."""
from __future__ import annotations
