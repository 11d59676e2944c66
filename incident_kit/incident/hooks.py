"""In-transaction subscribers to timeline events.

Other domains (the notification outbox, for one) register a callback for an
event kind; ``record_event`` calls it inside the same transaction as the
change, so a side effect is queued if and only if the change commits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

_SUBSCRIBERS: dict[str, list[Callable]] = defaultdict(list)


def subscribe(kind: str, callback: Callable) -> None:
    """``callback(tx, event_kind, incident_id, payload)``; idempotent per callback."""
    if callback not in _SUBSCRIBERS[kind]:
        _SUBSCRIBERS[kind].append(callback)


def emit(tx, kind: str, incident_id: int, payload: dict) -> None:
    for callback in (*_SUBSCRIBERS.get(kind, ()), *_SUBSCRIBERS.get("*", ())):
        callback(tx, kind, incident_id, payload)
