"""In-transaction reactions to maintenance events, as ``incident/hooks.py`` is for incidents.

The maintenance service does not import the domains that react to it (the status page subscribers email
a notice when a window is scheduled, starts, completes or is cancelled): they subscribe through
``incident_kit.reactions.install_maintenance``, which ``emit`` runs before the first event of a process.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

_CALLBACKS: list[Callable] = []
_installed = False
_lock = threading.Lock()


def subscribe(callback: Callable) -> None:
    """``callback(tx, kind, maintenance, now)``; idempotent."""
    if callback not in _CALLBACKS:
        _CALLBACKS.append(callback)


def emit(tx, kind: str, maintenance, now) -> None:
    global _installed
    if not _installed:
        with _lock:
            if not _installed:
                from .. import reactions

                reactions.install_maintenance(subscribe)
                _installed = True
    for callback in list(_CALLBACKS):
        callback(tx, kind, maintenance, now)
