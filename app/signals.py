"""Signals a lower domain sends so that a higher one can react without being imported (STYLE "Layers").

A receiver runs inside the sender's transaction and may refuse by raising ``DomainError``.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: the Subject about to be removed; a receiver raises DomainError when it is still in use
subject_removing = _signals.signal("subject-removing")
