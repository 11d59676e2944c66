"""Emails to status page subscribers, through the one outbox: queued here, checked again when claimed.

The subscribers domain (``incident_kit.subscribers``) decides who receives what and writes the text; this
module only knows the outbox. A row names its subscriber (``public_subscriber_id``), never the address:
the worker reads the address the subscriber holds at claim time (``store.SELECT_CLAIMED``), so an address
is kept in one place and is gone from every pending email the moment a subscription ends.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace


from .models import Claimed, DeliveryKind, DeliveryStatus
from . import store

INSERT = """
INSERT INTO outbox (kind, incident_id, update_id, public_subscriber_id, recipient, channel, title, body, headers,
                    dedupe_key, status, attempts, next_attempt_at, created_at)
VALUES (?, ?, ?, ?, ?, '', ?, ?, ?, ?, 'pending', 0, ?, ?) ON CONFLICT DO NOTHING"""

# Which subscriber state may still receive each kind: a confirmation only while the request is pending
# (not after it expired or was confirmed), a notice only while confirmed (never after unsubscribing).
RECEIVES = {DeliveryKind.CONFIRMATION.value: "pending", DeliveryKind.NOTICE.value: "confirmed"}
NOT_NOW = "Not sent: the status page subscriber is no longer {state}."
PRIVATE_NOW = "Not sent: the incident is private now, and a status page subscriber never hears of one."


def recipient(subscriber_id: int) -> str:
    """How the outbox list names a status page subscriber (never by address)."""
    return f"Status page subscriber {subscriber_id}"


def queue(tx, *, kind: DeliveryKind, subscriber_id: int, title: str, body: str, headers: dict[str, str],
          now: dt.datetime, incident_id: int | None = None, update_id: int | None = None,
          dedupe_key: str | None = None) -> None:
    """One email to a status page subscriber, in the caller's transaction (``dedupe_key``: at most once)."""
    if kind.value not in RECEIVES:
        raise ValueError(f"{kind} is not a status page subscriber's kind")
    tx.execute(INSERT, [kind.value, incident_id, update_id, subscriber_id, recipient(subscriber_id), title, body,
                        json.dumps(headers), dedupe_key, now, now])


def queue_many(tx, rows: list[list]) -> None:
    """Many ``queue`` rows at once: [kind, incident_id, update_id, subscriber_id, title, body, headers, now].

    One bulk append (``insert_frame``): an update reaching 1,000 subscribers queues 1,000 emails, and a
    statement per row took seconds on DuckDB. The rows carry no ``dedupe_key``, so nothing can conflict.
    """
    if len(rows) <= 1:
        for kind, inc, upd, sid, title, body, headers, now in rows:
            queue(tx, kind=DeliveryKind(kind), subscriber_id=sid, title=title, body=body, headers=headers, now=now,
                  incident_id=inc, update_id=upd)
        return
    import pandas as pd  # here, not at the top: the CLI's declare and update load no pandas

    kinds, incidents, updates, ids, titles, bodies, headers, times = zip(*rows)
    stamps = pd.Series(list(times), dtype="datetime64[us, UTC]")
    tx.insert_frame("outbox", pd.DataFrame({
        "kind": kinds, "incident_id": pd.array(incidents, dtype="Int64"), "update_id": pd.array(updates, dtype="Int64"),
        "public_subscriber_id": pd.array(ids, dtype="Int64"), "recipient": [recipient(i) for i in ids],
        "channel": "", "title": titles, "body": bodies, "headers": [json.dumps(h) for h in headers],
        "status": "pending", "attempts": 0, "next_attempt_at": stamps, "created_at": stamps}))


def withhold(tx, claimed: list[Claimed], facts: dict[int, tuple[bool, str | None]], *, worker: str,
             now: dt.datetime) -> list[Claimed]:
    """Settle as failed, at claim time, a subscriber's email that may no longer go (``facts``: id -> (incident
    public now, subscriber state)); the others come back as they were."""
    out = []
    for item in claimed:
        wanted = RECEIVES.get(item.kind)
        if wanted is not None and item.withheld is None:
            public, state = facts.get(item.id, (False, None))
            why = PRIVATE_NOW if not public else (NOT_NOW.format(state=wanted) if state != wanted else None)
            if why is not None:
                store.mark_unsent(tx, [(item.id, DeliveryStatus.FAILED, now, why)], worker=worker)
                item = replace(item, withheld=why)
        out.append(item)
    return out
