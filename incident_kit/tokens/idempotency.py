"""Declaring once per ``Idempotency-Key``: a client that retries (a timeout, a lost answer) gets the same incident.

The key is claimed first, in its own short transaction, under the primary key (token, key) of
``api_idempotency_keys``: of two requests racing with one key, exactly one claims it. The holder
declares (the incident service's own transaction) and then records which incident the key made. Any
other request with the key gets that incident back, or, while the holder is still declaring, a
``Conflict`` (try again in a moment). A declaration that fails releases the key, so a corrected retry
may use it. A holder that stopped half-way (the process died between the declaration and recording
it) leaves a pending key, taken over after ``STALE``; that one case can declare twice, and only after
a crash at that exact point.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid

from ..clock import utcnow
from ..errors import Conflict, IncidentKitError
from ..incident import service as incidents
from ..incident.models import Incident
from . import store

KEY_MAX = 255  # the IETF Idempotency-Key draft's examples are UUIDs; 255 leaves room for any client's scheme
STALE = dt.timedelta(minutes=5)  # far beyond one declaration (milliseconds): its holder has died


def clean_key(value) -> str:
    key = str(value or "").strip()
    if not key or len(key) > KEY_MAX or not key.isascii() or not key.isprintable():
        raise IncidentKitError(f"The Idempotency-Key must be 1 to {KEY_MAX} printable ASCII characters "
                               "(a UUID is a good choice).")
    return key


def request_hash(fields: dict) -> str:
    """The same declaration, however its JSON was spaced or ordered, hashes the same."""
    return hashlib.sha256(json.dumps(fields, sort_keys=True, default=str).encode()).hexdigest()


def declare_once(db, key: str, title: str, *, declared_by, **fields) -> tuple[Incident, bool]:
    """(the incident, True) when this call declared it; (the incident the key declared before, False)."""
    key_ = clean_key(key)
    owner = str(declared_by)
    wanted = request_hash({"title": title, **fields})
    claim, now = uuid.uuid4().hex, utcnow()

    def take(tx) -> str | None:
        """None when this request holds the key now; else the reference the key already declared."""
        store.claim_key(tx, owner, key_, wanted, claim, now)
        held_hash, holder, state, updated_at, reference = store.key_row(tx, owner, key_)
        if holder == claim:
            return None
        if held_hash != wanted and state != "failed":
            raise IncidentKitError("This Idempotency-Key was used for a different declaration; use a new key "
                                   "for a new incident.")
        if state == "done":
            return reference
        if state == "failed" or now - updated_at > STALE:
            store.reclaim_key(tx, owner, key_, old_claim=holder, claim=claim, request_hash=wanted, now=now)
            if store.key_row(tx, owner, key_)[1] == claim:
                return None
        raise Conflict("A request with this Idempotency-Key is still being processed; retry in a moment.")

    # READ COMMITTED: on PostgreSQL a racing claim waits for the first to commit, then reads its row.
    done = db.write(take, isolation="read committed")
    if done is not None:
        return incidents.get(db, done, viewer=declared_by), False
    try:
        incident = incidents.declare(db, title, declared_by=declared_by, **fields)
    except BaseException:
        db.write(lambda tx: store.release_key(tx, owner, key_, claim, utcnow()))
        raise
    db.write(lambda tx: store.finish_key(tx, owner, key_, claim, incident.reference, utcnow()))
    return incident, True
