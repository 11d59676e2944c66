"""SQL for subscriptions, contacts and the outbox. Values are always bound (``?``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import datetime as dt

if TYPE_CHECKING:  # pandas loads only where a frame is built, so write commands start fast
    import pandas as pd

from ..incident.models import Audience, Status, Update
from ..incident.visibility import visible_sql
from .models import Claimed, DeliveryStatus, Subscription

SUBSCRIPTION_COLUMNS = """
s.id, s.person, s.channel, (SELECT i.reference FROM incidents i WHERE i.id = s.incident_id) AS incident,
s.min_severity, s.type, s.created_at, s.created_by, s.ended_at, s.ended_by"""
INSERT_SUBSCRIPTION = """
INSERT INTO subscriptions (person, channel, incident_id, min_severity, type, created_at, created_by)
VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id"""
SELECT_SUBSCRIPTION = f"SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions s WHERE s.id = ?"
SELECT_SUBSCRIPTION_ROW = "SELECT person, incident_id, ended_at FROM subscriptions WHERE id = ?"
SELECT_SUBSCRIPTIONS = f"""
SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions s
WHERE (? OR s.ended_at IS NULL)
  AND (? IS NULL OR s.person = ?)
  AND (? IS NULL OR s.incident_id = ?)
ORDER BY s.created_at, s.id"""
FIND_SAME_SUBSCRIPTION = """
SELECT id FROM subscriptions
WHERE ended_at IS NULL AND person = ? AND channel = ?
  AND incident_id IS NOT DISTINCT FROM ? AND min_severity IS NOT DISTINCT FROM ? AND type IS NOT DISTINCT FROM ?"""
END_SUBSCRIPTION = "UPDATE subscriptions SET ended_at = ?, ended_by = ? WHERE id = ? AND ended_at IS NULL"

INSERT_CONTACT = "INSERT INTO contacts (person, channel, set_at, set_by) VALUES (?, ?, ?, ?)"
# The newest contact row wins; else the channel of the person's newest active subscription.
SELECT_CHANNEL_FOR = """
SELECT channel FROM (
    SELECT channel, 1 AS pref, set_at AS ts FROM contacts WHERE person = ?
    UNION ALL
    SELECT channel, 2 AS pref, created_at AS ts FROM subscriptions WHERE person = ? AND ended_at IS NULL
) AS channels ORDER BY pref, ts DESC LIMIT 1"""

# One pending delivery per (person, channel) whose subscription matches the incident:
# the incident itself, or a rule (severity rank at or above the threshold, and/or the type).
# A private incident reaches only subscribers who may see it: participants and admins.
QUEUE_UPDATE_DELIVERIES = f"""
INSERT INTO outbox (kind, incident_id, update_id, subscription_id, recipient, channel, title, body,
                    status, attempts, next_attempt_at, created_at)
SELECT 'update', i.id, CAST(? AS BIGINT), min(sub.id), sub.person, sub.channel, CAST(? AS VARCHAR),
       CAST(? AS VARCHAR), 'pending', 0, CAST(? AS TIMESTAMPTZ), CAST(? AS TIMESTAMPTZ)
FROM subscriptions sub
JOIN incidents i ON i.id = ?
LEFT JOIN severities si ON si.name = i.severity
LEFT JOIN severities sm ON sm.name = sub.min_severity
WHERE sub.ended_at IS NULL
  AND (sub.incident_id = i.id
       OR (sub.incident_id IS NULL
           AND (sub.min_severity IS NULL OR si.rank >= sm.rank)
           AND (sub.type IS NULL OR sub.type = i.type)))
  AND {visible_sql(see_all="list_contains(CAST(? AS VARCHAR[]), sub.person)", who="sub.person")}
GROUP BY i.id, sub.person, sub.channel"""

ANY_ACTIVE_SUBSCRIPTION = "SELECT EXISTS (SELECT 1 FROM subscriptions WHERE ended_at IS NULL)"
REMINDER_EXISTS = "SELECT count(*) FROM outbox WHERE dedupe_key = ?"
INSERT_REMINDER = """
INSERT INTO outbox (kind, incident_id, recipient, channel, title, body, dedupe_key, status, attempts,
                    next_attempt_at, last_error, created_at)
VALUES ('reminder', ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?) ON CONFLICT DO NOTHING"""

# Claiming: due pending rows, and rows whose claim expired (their worker died mid-delivery).
# The claim re-checks that each row is still claimable, so a row another worker claimed in between
# is left alone. On PostgreSQL the SELECT also locks the rows it returns and skips rows another
# worker's claim holds (DuckDB has no row locks; its one writer at a time gives the same guarantee).
_DUE = "(status = 'pending' AND next_attempt_at <= ?) OR (status = 'sending' AND claimed_until < ?)"
SELECT_DUE = f"""
SELECT id FROM outbox
WHERE {_DUE}
ORDER BY next_attempt_at, id LIMIT ?"""
SELECT_DUE_SQL = {"duckdb": SELECT_DUE, "postgres": SELECT_DUE + " FOR UPDATE SKIP LOCKED"}
CLAIM = f"""
UPDATE outbox SET status = 'sending', attempts = attempts + 1, claimed_by = ?, claimed_until = ?
WHERE list_contains(?, id) AND ({_DUE})"""
SELECT_CLAIMED = """
SELECT id, kind, channel, title, body, attempts FROM outbox
WHERE list_contains(?, id) AND claimed_by = ? AND status = 'sending' ORDER BY id"""
MARK_SENT = """
UPDATE outbox SET status = 'sent', sent_at = ?, claimed_by = NULL, claimed_until = NULL
WHERE list_contains(?, id) AND claimed_by = ? AND status = 'sending'"""
MARK_UNSENT = """
UPDATE outbox SET status = ?, next_attempt_at = ?, last_error = ?, claimed_by = NULL, claimed_until = NULL
WHERE id = ? AND claimed_by = ? AND status = 'sending'"""

SELECT_OUTBOX = """
SELECT o.id, o.kind, i.reference, o.recipient, o.channel, o.title, o.status, o.attempts, o.next_attempt_at,
       o.last_error, o.created_at, o.sent_at, o.update_id
FROM outbox o LEFT JOIN incidents i ON i.id = o.incident_id
WHERE (? IS NULL OR o.status = ?) AND (? IS NULL OR o.incident_id = ?) AND (? IS NULL OR o.kind = ?)
ORDER BY o.id DESC LIMIT ?"""
SELECT_UPDATE = """
SELECT id, incident_id, posted_at, author, audience, message, status, impact, doing, next_update_at
FROM updates WHERE id = ?"""
SELECT_BODY = "SELECT body FROM outbox WHERE id = ?"
COUNT_BY_STATUS = "SELECT status, count(*) FROM outbox GROUP BY status"


def _subscription(row: tuple) -> Subscription:
    return Subscription(*row)


def insert_subscription(tx, *, person: str, channel: str, incident_id: int | None, min_severity: str | None,
                        type: str | None, now: dt.datetime, by: str) -> int:
    return tx.fetchone(INSERT_SUBSCRIPTION, [person, channel, incident_id, min_severity, type, now, by])[0]


def get_subscription(tx, subscription_id: int) -> Subscription | None:
    row = tx.fetchone(SELECT_SUBSCRIPTION, [subscription_id])
    return None if row is None else _subscription(row)


def subscription_row(tx, subscription_id: int) -> tuple | None:
    return tx.fetchone(SELECT_SUBSCRIPTION_ROW, [subscription_id])


def find_same(tx, *, person, channel, incident_id, min_severity, type) -> int | None:
    row = tx.fetchone(FIND_SAME_SUBSCRIPTION, [person, channel, incident_id, min_severity, type])
    return None if row is None else row[0]


def end_subscription(tx, subscription_id: int, *, now: dt.datetime, by: str) -> None:
    tx.execute(END_SUBSCRIPTION, [now, by, subscription_id])


def subscriptions(tx, *, include_ended: bool, person: str | None, incident_id: int | None) -> list[Subscription]:
    rows = tx.fetchall(SELECT_SUBSCRIPTIONS, [include_ended, person, person, incident_id, incident_id])
    return [_subscription(r) for r in rows]


def insert_contact(tx, person: str, channel: str, *, now: dt.datetime, by: str) -> None:
    tx.execute(INSERT_CONTACT, [person, channel, now, by])


def channel_for(tx, person: str) -> str | None:
    row = tx.fetchone(SELECT_CHANNEL_FOR, [person, person])
    return None if row is None else row[0]


def queue_update_deliveries(tx, *, incident_id: int, update_id: int, title: str, body: str,
                            now: dt.datetime, admins: list[str]) -> None:
    tx.execute(QUEUE_UPDATE_DELIVERIES, [update_id, title, body, now, now, incident_id, admins])


def any_active_subscription(tx) -> bool:
    return bool(tx.fetchone(ANY_ACTIVE_SUBSCRIPTION)[0])


def reminder_exists(tx, dedupe_key: str) -> bool:
    return tx.fetchone(REMINDER_EXISTS, [dedupe_key])[0] > 0


def insert_reminder(tx, *, incident_id: int, recipient: str, channel: str, title: str, body: str,
                    dedupe_key: str, status: DeliveryStatus, last_error: str | None, now: dt.datetime) -> None:
    tx.execute(INSERT_REMINDER, [incident_id, recipient, channel, title, body, dedupe_key, status.value,
                                 now, last_error, now])


def claim(tx, *, worker: str, now: dt.datetime, lease_until: dt.datetime, limit: int) -> list[Claimed]:
    ids = [r[0] for r in tx.fetchall(SELECT_DUE_SQL[tx.dialect], [now, now, limit])]
    if not ids:
        return []
    tx.execute(CLAIM, [worker, lease_until, ids, now, now])
    return [Claimed(*row) for row in tx.fetchall(SELECT_CLAIMED, [ids, worker])]


def mark_sent(tx, ids: list[int], *, worker: str, now: dt.datetime) -> None:
    if ids:
        tx.execute(MARK_SENT, [now, ids, worker])


def mark_unsent(tx, rows: list[tuple[int, DeliveryStatus, dt.datetime, str]], *, worker: str) -> None:
    """``rows``: (id, pending|failed, next attempt at, error)."""
    for id_, status, next_at, error in rows:
        tx.execute(MARK_UNSENT, [status.value, next_at, error, id_, worker])


def outbox(tx, *, status: str | None, incident_id: int | None, kind: str | None, limit: int) -> pd.DataFrame:
    return tx.df(SELECT_OUTBOX, [status, status, incident_id, incident_id, kind, kind, limit])


def get_update(tx, update_id: int) -> Update | None:
    """One update by id (the incident store lists them all; the hook needs just the new one)."""
    row = tx.fetchone(SELECT_UPDATE, [update_id])
    if row is None:
        return None
    id_, inc, posted, author, audience, message, status, impact, doing, nxt = row
    return Update(id_, inc, posted, author, Audience(audience), message, Status(status) if status else None,
                  impact or "", doing or "", nxt)


def body(tx, delivery_id: int) -> str | None:
    row = tx.fetchone(SELECT_BODY, [delivery_id])
    return None if row is None else row[0]


def counts(tx) -> dict[str, int]:
    found = dict(tx.fetchall(COUNT_BY_STATUS))
    return {s.value: int(found.get(s.value, 0)) for s in DeliveryStatus}

