"""Declaring once per ``Idempotency-Key``: a client that retries (a timeout, a lost answer) gets the same incident.

One transaction claims the key, declares and records which incident the key made, so there is no moment
at which a key is claimed but its incident not recorded (an earlier design used three transactions, and
a crash between them could declare twice). The primary key (token, key) of ``api_idempotency_keys``
orders racing requests: on PostgreSQL a second request's claim waits for the first transaction and then
reads the key it committed; on DuckDB one writer runs at a time. Either way every request with the key
gets the same incident, and a declaration that fails leaves no key behind, so a corrected retry may use it.
"""

from __future__ import annotations

import hashlib
import json
import uuid

from ..clock import utcnow
from ..db.base import Joined
from ..errors import IncidentKitError
from ..incident import service as incidents
from ..incident.models import Incident
from . import store

KEY_MAX = 255  # the IETF Idempotency-Key draft's examples are UUIDs; 255 leaves room for any client's scheme


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

    def work(tx) -> tuple[Incident | str, bool]:
        store.claim_key(tx, owner, key_, wanted, claim, now)
        held_hash, holder, state, _, reference = store.key_row(tx, owner, key_)
        if holder != claim and state == "done":
            if held_hash != wanted:
                raise IncidentKitError("This Idempotency-Key was used for a different declaration; use a new "
                                       "key for a new incident.")
            return reference, False
        if holder != claim:
            # Left "pending" or "failed" by the earlier three-transaction design: no request holds it now.
            store.reclaim_key(tx, owner, key_, old_claim=holder, claim=claim, request_hash=wanted, now=now)
        incident = incidents.declare(Joined(tx, db), title, declared_by=declared_by, **fields)
        store.finish_key(tx, owner, key_, claim, incident.reference, now)
        return incident, True

    # READ COMMITTED: on PostgreSQL a racing claim waits for the first to commit, then reads its row.
    made, created = db.write(work, isolation="read committed")
    if isinstance(made, str):
        return incidents.get(db, made, viewer=declared_by), False
    return made, created
