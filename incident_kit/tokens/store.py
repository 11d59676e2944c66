"""SQL for API tokens, their audit trail and idempotency keys (migration 13); values always bound."""

from __future__ import annotations

from .models import ApiToken, parse_scopes

_COLUMNS = "id, name, scopes, created_at, created_by, expires_at, last_used_at, revoked_at, revoked_by"

INSERT_TOKEN = """
INSERT INTO api_tokens (name, prefix, digest, scopes, created_at, created_by, expires_at)
VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id"""
SELECT_BY_NAME = f"SELECT {_COLUMNS} FROM api_tokens WHERE name = ?"
SELECT_ALL = f"SELECT {_COLUMNS} FROM api_tokens ORDER BY created_at, id"
# Candidates for a presented token: same lookup prefix (a collision of 48 random bits is possible, so all).
SELECT_BY_PREFIX = f"SELECT {_COLUMNS}, digest FROM api_tokens WHERE prefix = ?"
REVOKE = "UPDATE api_tokens SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL"
# Skips the write when another process (or request) touched it within the interval.
TOUCH = "UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)"
INSERT_EVENT = "INSERT INTO api_token_events (token_id, occurred_at, actor, kind, detail) VALUES (?, ?, ?, ?, ?)"
SELECT_EVENTS = """
SELECT t.name, e.occurred_at, e.actor, e.kind, e.detail
FROM api_token_events e JOIN api_tokens t ON t.id = e.token_id
ORDER BY e.occurred_at, t.name"""

# -- idempotency keys ------------------------------------------------------------------------------
CLAIM_KEY = """
INSERT INTO api_idempotency_keys (owner, key, request_hash, claim, state, created_at, updated_at)
VALUES (?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT DO NOTHING"""
SELECT_KEY = """
SELECT request_hash, claim, state, updated_at, reference FROM api_idempotency_keys WHERE owner = ? AND key = ?"""
# Take over a key left pending or failed by the earlier three-transaction design (no request holds it).
RECLAIM_KEY = """
UPDATE api_idempotency_keys SET claim = ?, state = 'pending', request_hash = ?, updated_at = ?
WHERE owner = ? AND key = ? AND claim = ? AND state <> 'done'"""
FINISH_KEY = """
UPDATE api_idempotency_keys SET state = 'done', reference = ?, updated_at = ?
WHERE owner = ? AND key = ? AND claim = ?"""


def _token(row) -> ApiToken:
    (id_, name, scopes, created_at, created_by, expires_at, last_used_at, revoked_at, revoked_by) = row[:9]
    return ApiToken(id=id_, name=name, scopes=parse_scopes(scopes), created_at=created_at, created_by=created_by,
                    expires_at=expires_at, last_used_at=last_used_at, revoked_at=revoked_at, revoked_by=revoked_by)


def insert(tx, *, name: str, prefix: str, digest: str, scopes: tuple[str, ...], now, by: str, expires_at) -> int:
    return tx.fetchone(INSERT_TOKEN, [name, prefix, digest, " ".join(scopes), now, str(by), expires_at])[0]


def by_name(tx, name: str) -> ApiToken | None:
    row = tx.fetchone(SELECT_BY_NAME, [name])
    return None if row is None else _token(row)


def all_tokens(tx) -> list[ApiToken]:
    return [_token(row) for row in tx.fetchall(SELECT_ALL)]


def candidates(tx, prefix: str) -> list[tuple[ApiToken, str]]:
    """(token, stored digest) of every token with this lookup prefix."""
    return [(_token(row), row[9]) for row in tx.fetchall(SELECT_BY_PREFIX, [prefix])]


def revoke(tx, token_id: int, *, now, by: str) -> None:
    tx.execute(REVOKE, [now, str(by), token_id])


def touch(tx, token_id: int, *, now, before) -> None:
    tx.execute(TOUCH, [now, token_id, before])


def record_event(tx, token_id: int, *, now, actor: str, kind: str, detail: str | None = None) -> None:
    tx.execute(INSERT_EVENT, [token_id, now, str(actor), kind, detail])


def events(tx) -> list[tuple]:
    return tx.fetchall(SELECT_EVENTS)


def claim_key(tx, owner: str, key: str, request_hash: str, claim: str, now) -> None:
    tx.execute(CLAIM_KEY, [owner, key, request_hash, claim, now, now])


def key_row(tx, owner: str, key: str) -> tuple | None:
    """(request_hash, claim, state, updated_at, incident reference) of a key, or None."""
    return tx.fetchone(SELECT_KEY, [owner, key])


def reclaim_key(tx, owner: str, key: str, *, old_claim: str, claim: str, request_hash: str, now) -> None:
    tx.execute(RECLAIM_KEY, [claim, request_hash, now, owner, key, old_claim])


def finish_key(tx, owner: str, key: str, claim: str, reference: str, now) -> None:
    tx.execute(FINISH_KEY, [reference, now, owner, key, claim])

