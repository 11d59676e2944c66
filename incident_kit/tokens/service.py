"""API tokens: create, list, revoke (admin actions, audited in their own table) and check a presented token.

Creating and revoking append a row to ``api_token_events`` and nothing to any incident. A checked actor
(a ``Person`` from the app) must be an admin (``catalog.access.require_admin``); a plain ``str`` is the
trusted local operator (the CLI). ``authenticate`` answers ``None`` for every kind of bad token alike,
so a caller learns nothing about which names or prefixes exist.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

from ..catalog import access
from ..clock import utcnow
from ..errors import IncidentKitError, NotFound
from ..identity import clean_person
from . import store
from .models import LAST_USED_EVERY, ApiToken, NewToken, clean_name, clean_scopes, digest, expires_at, lookup_prefix
from .models import matches, new_secret


def create(db, name: str, scopes, *, by, expires=None, now: dt.datetime | None = None) -> NewToken:
    """A new token; its secret is in the answer and nowhere else. ``expires``: ``90d``, ``12h``, ``never``..."""
    by = clean_person(by, "Created by")
    name_ = clean_name(name)
    scopes_ = clean_scopes(scopes)
    now = now or utcnow()
    until = expires_at(expires, now)
    secret = new_secret()

    def work(tx) -> NewToken:
        access.require_admin(tx, by, "create API tokens")
        if store.by_name(tx, name_) is not None:
            raise IncidentKitError(f"A token named {name_} exists already (names are never reused, so the "
                                   "timeline stays unambiguous); choose another name.")
        prefix = lookup_prefix(secret)
        assert prefix is not None  # new_secret() always makes one of ours
        token_id = store.insert(tx, name=name_, prefix=prefix, digest=digest(secret),
                                scopes=scopes_, now=now, by=by, expires_at=until)
        store.record_event(tx, token_id, now=now, actor=by, kind="created", detail=" ".join(scopes_))
        token = ApiToken(id=token_id, name=name_, scopes=scopes_, created_at=now, created_by=str(by),
                         expires_at=until, last_used_at=None, revoked_at=None, revoked_by=None)
        return NewToken(token=token, secret=secret)

    return db.write(work)


def tokens(db, *, viewer) -> list[ApiToken]:
    """Every token, oldest first (revoked and expired ones too: they explain old timeline entries)."""

    def work(tx):
        access.require_admin(tx, viewer, "see API tokens")
        return store.all_tokens(tx)

    return db.read(work)


def revoke(db, name: str, *, by, now: dt.datetime | None = None) -> ApiToken:
    by = clean_person(by, "Revoked by")
    name_ = str(name or "").strip().lower()
    now = now or utcnow()

    def work(tx) -> ApiToken:
        access.require_admin(tx, by, "revoke API tokens")
        token = store.by_name(tx, name_)
        if token is None:
            raise NotFound(f"There is no API token named {name_[:63]}; `api-token list` shows them.",
                           in_app=f"There is no API token named {name_[:63]}; the list above shows them.")
        if token.revoked_at is not None:
            raise IncidentKitError(f"The token {token.name} was already revoked.")
        store.revoke(tx, token.id, now=now, by=by)
        store.record_event(tx, token.id, now=now, actor=by, kind="revoked")
        revoked = store.by_name(tx, name_)
        assert revoked is not None  # found above, in this transaction, and never deleted
        return revoked

    return db.write(work)


def audit(db, *, viewer) -> list[dict]:
    """Who created and revoked which token, and when."""

    def work(tx):
        access.require_admin(tx, viewer, "see API tokens")
        return [{"token": n, "occurred_at": at, "actor": a, "kind": k, "detail": d} for n, at, a, k, d in store.events(tx)]

    return db.read(work)


# -- checking a presented token -----------------------------------------------------------------------
_TOUCHED: dict[tuple[str, int], float] = {}  # (database path, token id) -> monotonic time of the last write here
_TOUCHED_LOCK = threading.Lock()


def authenticate(db, secret: str, *, now: dt.datetime | None = None) -> ApiToken | None:
    """The live token ``secret`` is, or None (unknown, wrong, expired or revoked: all alike).

    One indexed read; ``last_used_at`` is written at most once a minute per token and process
    (``LAST_USED_EVERY``), and the store skips it when another process wrote it within the minute.
    """
    prefix = lookup_prefix(secret)
    if prefix is None:
        return None
    now = now or utcnow()
    found = None
    for token, stored in db.read(lambda tx: store.candidates(tx, prefix)):
        if matches(secret, stored):
            found = token
    if found is None or found.revoked_at is not None or found.expired(now):
        return None
    _touch(db, found, now)
    return found


def _touch(db, token: ApiToken, now: dt.datetime) -> None:
    key, tick = (str(db.path), token.id), time.monotonic()
    with _TOUCHED_LOCK:
        last = _TOUCHED.get(key)
        if last is not None and tick - last < LAST_USED_EVERY.total_seconds():
            return
        _TOUCHED[key] = tick
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_EVERY:
        return
    db.write(lambda tx: store.touch(tx, token.id, now=now, before=now - LAST_USED_EVERY))
