"""In-transaction subscribers to timeline events.

Other domains react to incident changes without the incident service importing them: reviews
refuse to close an incident without a finished review, notify queues a delivery per subscriber
when an update is posted. ``record_event`` (and ``lifecycle.move``) call them inside the same
transaction as the change, so a side effect is queued, or a move refused, with the change itself.

Those rules must hold for every caller: the Kit, the CLI, a script that calls
``incident.service`` on a store it opened itself, whatever it imported first. So no domain
subscribes as a side effect of being imported. ``incident_kit/reactions.py`` lists the reacting
domains, and ``emit`` installs them before the first event of the process (``install``).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable

_SUBSCRIBERS: dict[str, list[Callable]] = defaultdict(list)
_installed = False
_install_lock = threading.Lock()


def subscribe(kind: str, callback: Callable) -> None:
    """``callback(tx, event_kind, incident_id, payload)``; idempotent per callback."""
    if callback not in _SUBSCRIBERS[kind]:
        _SUBSCRIBERS[kind].append(callback)


def subscribers() -> dict[str, list[Callable]]:
    """Who listens to which event kind (a copy), the reacting domains' rules included."""
    install()
    return {kind: list(callbacks) for kind, callbacks in _SUBSCRIBERS.items() if callbacks}


def install() -> None:
    """Subscribe every reacting domain (``reactions.install``), once per process.

    Called by ``emit``, so no change can happen before the rules are in place. The domains' modules
    are imported here, at the first event, rather than by the incident service: no import cycle, and
    a process that only reads never loads them. Once the Kit is imported (the CLI, the app) they are
    loaded already and this costs ~10 µs; a bare ``incident.service`` script pays their import once,
    at its first change (~9 ms measured).
    """
    global _installed
    if _installed:
        return
    with _install_lock:
        if not _installed:
            from .. import reactions

            reactions.install(subscribe)
            _installed = True


def emit(tx, kind: str, incident_id: int, payload: dict) -> None:
    install()
    for callback in (*_SUBSCRIBERS.get(kind, ()), *_SUBSCRIBERS.get("*", ())):
        callback(tx, kind, incident_id, payload)
