"""SQL for subscriptions, contacts and the outbox. Values are always bound (``?``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import datetime as dt

if TYPE_CHECKING:  # pandas loads only where a frame is built, so write commands start fast
    import pandas as pd

from ..catalog import access
from ..incident.models import Audience, Status, Update
from ..incident.visibility import public_sql, scope_params, visible_sql
from .models import Claimed, DeliveryKind, DeliveryStatus, Subscription

SUBSCRIPTION_COLUMNS = """
s.id, s.person, s.channel, (SELECT i.reference FROM incidents i WHERE i.id = s.incident_id) AS incident,
s.min_severity, s.type, s.created_at, s.created_by, s.ended_at, s.ended_by, coalesce(s.verified, FALSE)"""
INSERT_SUBSCRIPTION = """
INSERT INTO subscriptions (person, channel, incident_id, min_severity, type, created_at, created_by, verified,
                           signing_secret)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"""
SELECT_SUBSCRIPTION = f"SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions s WHERE s.id = ?"
SELECT_SUBSCRIPTION_ROW = """
SELECT person, incident_id, ended_at, coalesce(verified, FALSE) FROM subscriptions WHERE id = ?"""
# Each row says whether its incident is visible to the viewer (the one rule, bound by ``scope_params``);
# whether the row is the viewer's own is the service's to say.
SELECT_SUBSCRIPTIONS = f"""
SELECT {SUBSCRIPTION_COLUMNS}, (vis_i.id IS NOT NULL AND {visible_sql(incident="vis_i")}) AS incident_visible
FROM subscriptions s LEFT JOIN incidents vis_i ON vis_i.id = s.incident_id
WHERE (? OR s.ended_at IS NULL)
  AND (? IS NULL OR s.person = ?)
  AND (? IS NULL OR s.incident_id = ?)
ORDER BY s.created_at, s.id"""
FIND_SAME_SUBSCRIPTION = """
SELECT id, coalesce(verified, FALSE) FROM subscriptions
WHERE ended_at IS NULL AND person = ? AND channel = ?
  AND incident_id IS NOT DISTINCT FROM ? AND min_severity IS NOT DISTINCT FROM ? AND type IS NOT DISTINCT FROM ?"""
END_SUBSCRIPTION = "UPDATE subscriptions SET ended_at = ?, ended_by = ? WHERE id = ? AND ended_at IS NULL"

INSERT_CONTACT = "INSERT INTO contacts (person, channel, set_at, set_by, verified) VALUES (?, ?, ?, ?, ?)"
# Where reminders to a person go, and whether that row was verified when it was made (never a signed
# webhook: it takes incident events, not text). A believed row
# (verified, or any row while typed names are believed: the bound flag) comes before one that is not,
# so a name typed later never takes over a signed-in person's channel; then the newest contact row;
# else the channel of the person's newest active subscription.
SELECT_CHANNEL_FOR = """
SELECT channel, verified FROM (
    SELECT channel, coalesce(verified, FALSE) AS verified, 1 AS pref, set_at AS ts FROM contacts WHERE person = ?
    UNION ALL
    SELECT channel, coalesce(verified, FALSE), 2, created_at FROM subscriptions
    WHERE person = ? AND ended_at IS NULL AND signing_secret IS NULL
) AS channels ORDER BY (verified OR CAST(? AS BOOLEAN)) DESC, pref, ts DESC LIMIT 1"""

# Whether subscription ``sub`` follows incident ``i`` (with ``si``/``sm`` its and the threshold's severity
# rows): the incident itself, or a rule (severity rank at or above the threshold, and/or the type).
_FOLLOWS = """(sub.incident_id = i.id
       OR (sub.incident_id IS NULL
           AND (sub.min_severity IS NULL OR si.rank >= sm.rank)
           AND (sub.type IS NULL OR sub.type = i.type)))"""
# One pending delivery per (person, channel) whose subscription follows the incident (not a signed webhook's:
# those receive events, below).
# A private incident reaches only subscribers who may see it (the one rule, ``visible_sql``), judged
# on the name only when it is believed: a subscription made by a verified person (or the local
# operator), or any while typed names are believed (the bound flag). An unbelieved name is NULL, so
# it is neither an admin nor a participant, as ``visibility.scope`` treats an unverified viewer.
QUEUE_UPDATE_DELIVERIES = f"""
INSERT INTO outbox (kind, incident_id, update_id, subscription_id, recipient, channel, title, body,
                    status, attempts, next_attempt_at, created_at)
SELECT 'update', i.id, CAST(? AS BIGINT), min(sub.id), sub.person, sub.channel, CAST(? AS VARCHAR),
       CAST(? AS VARCHAR), 'pending', 0, CAST(? AS TIMESTAMPTZ), CAST(? AS TIMESTAMPTZ)
FROM (SELECT s.id, s.person, s.channel, s.incident_id, s.min_severity, s.type, s.ended_at,
             CASE WHEN coalesce(s.verified, FALSE) OR CAST(? AS BOOLEAN) THEN s.person END AS believed
      FROM subscriptions s WHERE s.signing_secret IS NULL) AS sub
JOIN incidents i ON i.id = ?
LEFT JOIN severities si ON si.name = i.severity
LEFT JOIN severities sm ON sm.name = sub.min_severity
WHERE sub.ended_at IS NULL
  AND {_FOLLOWS}
  AND {visible_sql(see_all=access.admin_sql("sub.believed"), who="sub.believed")}
GROUP BY i.id, sub.person, sub.channel"""

ANY_ACTIVE_SUBSCRIPTION = "SELECT EXISTS (SELECT 1 FROM subscriptions WHERE ended_at IS NULL)"

# Signed webhooks: one pending event per active signed subscription that follows the incident, and never
# about a private incident, whoever subscribed (``public_sql``: the visibility rule with nobody watching).
# Each row gets its own message id (its ``webhook-id``, kept across retries so a receiver can dedupe).
ANY_SIGNED_SUBSCRIPTION = """
SELECT EXISTS (SELECT 1 FROM subscriptions WHERE ended_at IS NULL AND signing_secret IS NOT NULL)"""
QUEUE_WEBHOOK_EVENTS = f"""
INSERT INTO outbox (kind, incident_id, update_id, subscription_id, recipient, channel, title, body, dedupe_key,
                    status, attempts, next_attempt_at, created_at)
SELECT 'webhook', i.id, CAST(? AS BIGINT), sub.id, sub.person, sub.channel, CAST(? AS VARCHAR), CAST(? AS VARCHAR),
       'msg_' || replace(CAST(gen_random_uuid() AS VARCHAR), '-', ''), 'pending', 0, CAST(? AS TIMESTAMPTZ),
       CAST(? AS TIMESTAMPTZ)
FROM subscriptions sub
JOIN incidents i ON i.id = ?
LEFT JOIN severities si ON si.name = i.severity
LEFT JOIN severities sm ON sm.name = sub.min_severity
WHERE sub.ended_at IS NULL AND sub.signing_secret IS NOT NULL
  AND {_FOLLOWS}
  AND {public_sql(incident="i")}
ORDER BY sub.id"""
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
# With a webhook's message id and secret, and whether it may still go: its incident not private now
# (``public_sql``; a delivery about no incident counts as public), its subscription not ended. A status page
# subscriber's delivery goes to the address that subscriber holds now (kept in one place, and gone once the
# subscription ends), with its subscriber's state for ``public.withhold``.
SELECT_CLAIMED = f"""
SELECT o.id, o.kind, coalesce(ps.email, o.channel), o.title, o.body, o.attempts, o.subscription_id, o.dedupe_key,
       s.signing_secret, (o.incident_id IS NULL OR coalesce({public_sql(incident="i")}, FALSE)) AS public,
       s.ended_at IS NOT NULL AS ended, ps.state, o.headers
FROM outbox o LEFT JOIN incidents i ON i.id = o.incident_id LEFT JOIN subscriptions s ON s.id = o.subscription_id
LEFT JOIN public_subscribers ps ON ps.id = o.public_subscriber_id
WHERE list_contains(?, o.id) AND o.claimed_by = ? AND o.status = 'sending' ORDER BY o.id"""
MARK_SENT = """
UPDATE outbox SET status = 'sent', sent_at = ?, claimed_by = NULL, claimed_until = NULL
WHERE list_contains(?, id) AND claimed_by = ? AND status = 'sending'"""
MARK_UNSENT = """
UPDATE outbox SET status = ?, next_attempt_at = ?, last_error = ?, claimed_by = NULL, claimed_until = NULL
WHERE id = ? AND claimed_by = ? AND status = 'sending'"""

# What a viewer may see of the outbox: deliveries about incidents they may see (the one rule, bound by
# ``scope_params``), and their own (recipient = the viewer's name, bound only when it is believed). A status
# page subscriber's email only a viewer who sees everything sees: its body holds the subscriber's unsubscribe
# link, which would let anyone who reads it end a customer's subscription.
_OUTBOX_VISIBLE = f"""(CASE WHEN o.public_subscriber_id IS NULL THEN ({visible_sql()} OR o.recipient = ?)
                       ELSE CAST(? AS BOOLEAN) END)"""
SELECT_OUTBOX = f"""
SELECT o.id, o.kind, i.reference, o.recipient, o.channel, o.title, o.status, o.attempts, o.next_attempt_at,
       o.last_error, o.created_at, o.sent_at, o.update_id
FROM outbox o LEFT JOIN incidents i ON i.id = o.incident_id
WHERE (? IS NULL OR o.status = ?) AND (? IS NULL OR o.incident_id = ?) AND (? IS NULL OR o.kind = ?)
  AND {_OUTBOX_VISIBLE}
ORDER BY o.id DESC LIMIT ?"""
SELECT_UPDATE = """
SELECT id, incident_id, posted_at, author, audience, message, status, impact, doing, next_update_at
FROM updates WHERE id = ?"""
SELECT_BODY = f"""
SELECT o.body FROM outbox o LEFT JOIN incidents i ON i.id = o.incident_id WHERE o.id = ? AND {_OUTBOX_VISIBLE}"""
COUNT_BY_STATUS = f"""
SELECT o.status, count(*) FROM outbox o LEFT JOIN incidents i ON i.id = o.incident_id
WHERE {_OUTBOX_VISIBLE} GROUP BY o.status"""


def _subscription(row: tuple) -> Subscription:
    return Subscription(*row)


def _visible_params(tx, viewer) -> list:
    """The values ``_OUTBOX_VISIBLE`` binds: the one rule's, the viewer's believed name (or None), see-all."""
    params = scope_params(tx, viewer)
    return params + [params[1], params[0]]


def insert_subscription(tx, *, person: str, channel: str, incident_id: int | None, min_severity: str | None,
                        type: str | None, now: dt.datetime, by: str, verified: bool,
                        signing_secret: str | None = None) -> int:
    return tx.fetchone(INSERT_SUBSCRIPTION, [person, channel, incident_id, min_severity, type, now, by,
                                             verified, signing_secret])[0]


def get_subscription(tx, subscription_id: int) -> Subscription | None:
    row = tx.fetchone(SELECT_SUBSCRIPTION, [subscription_id])
    return None if row is None else _subscription(row)


def subscription_row(tx, subscription_id: int) -> tuple | None:
    return tx.fetchone(SELECT_SUBSCRIPTION_ROW, [subscription_id])


def find_same(tx, *, person, channel, incident_id, min_severity, type) -> tuple[int, bool] | None:
    """(id, verified) of an active subscription just like this one, or None."""
    row = tx.fetchone(FIND_SAME_SUBSCRIPTION, [person, channel, incident_id, min_severity, type])
    return None if row is None else (row[0], bool(row[1]))


def end_subscription(tx, subscription_id: int, *, now: dt.datetime, by: str) -> None:
    tx.execute(END_SUBSCRIPTION, [now, by, subscription_id])


def subscriptions(tx, *, viewer, include_ended: bool, person: str | None,
                  incident_id: int | None) -> list[tuple[Subscription, bool]]:
    """Each matching subscription with whether its incident (if it follows one) is visible to ``viewer``."""
    rows = tx.fetchall(SELECT_SUBSCRIPTIONS, [*scope_params(tx, viewer), include_ended, person, person,
                                              incident_id, incident_id])
    return [(_subscription(r[:-1]), bool(r[-1])) for r in rows]


def insert_contact(tx, person: str, channel: str, *, now: dt.datetime, by: str, verified: bool) -> None:
    tx.execute(INSERT_CONTACT, [person, channel, now, by, verified])


def channel_for(tx, person: str, *, typed_names_believed: bool) -> tuple[str, bool] | None:
    """(channel, verified) of where reminders to ``person`` go, or None."""
    row = tx.fetchone(SELECT_CHANNEL_FOR, [person, person, typed_names_believed])
    return None if row is None else (row[0], bool(row[1]))


def queue_update_deliveries(tx, *, incident_id: int, update_id: int, title: str, body: str,
                            now: dt.datetime, admins: list[str], typed_names_believed: bool) -> None:
    tx.execute(QUEUE_UPDATE_DELIVERIES, [update_id, title, body, now, now, typed_names_believed, incident_id,
                                         admins])


def any_active_subscription(tx) -> bool:
    return bool(tx.fetchone(ANY_ACTIVE_SUBSCRIPTION)[0])


def any_signed_subscription(tx) -> bool:
    """Kept in the database's memo (on DuckDB, where this process makes every change; PostgreSQL asks every
    time): the hook asks at every declaration and status change, and the query alone added ~0.4 ms to a
    2.5 ms ``declare``. The notify service bumps the memo after making or ending a signed subscription."""
    return tx.memo.get("signed_subscriptions", lambda: bool(tx.fetchone(ANY_SIGNED_SUBSCRIPTION)[0]))


def queue_webhook_events(tx, *, incident_id: int, update_id: int | None, event_type: str, body: str,
                         now: dt.datetime) -> None:
    tx.execute(QUEUE_WEBHOOK_EVENTS, [update_id, event_type, body, now, now, incident_id])


def reminder_exists(tx, dedupe_key: str) -> bool:
    return tx.fetchone(REMINDER_EXISTS, [dedupe_key])[0] > 0


def insert_reminder(tx, *, incident_id: int, recipient: str, channel: str, title: str, body: str,
                    dedupe_key: str, status: DeliveryStatus, last_error: str | None, now: dt.datetime) -> None:
    tx.execute(INSERT_REMINDER, [incident_id, recipient, channel, title, body, dedupe_key, status.value,
                                 now, last_error, now])


def claim(tx, *, worker: str, now: dt.datetime, lease_until: dt.datetime,
          limit: int) -> list[tuple[Claimed, bool, bool, str | None]]:
    """Each claimed delivery with whether its incident is public now, whether its subscription ended, and
    its status page subscriber's state (None for other deliveries)."""
    import json

    ids = [r[0] for r in tx.fetchall(SELECT_DUE_SQL[tx.dialect], [now, now, limit])]
    if not ids:
        return []
    tx.execute(CLAIM, [worker, lease_until, ids, now, now])
    claimed = []
    for id_, kind, channel, title, body, attempts, sub_id, key, secret, public, ended, state, headers in tx.fetchall(
            SELECT_CLAIMED, [ids, worker]):
        webhook = kind == DeliveryKind.WEBHOOK
        claimed.append((Claimed(id_, kind, channel, title, body, attempts, subscription_id=sub_id,
                                message_id=key if webhook else None, signing_secret=secret if webhook else None,
                                headers=json.loads(headers) if headers else {}),
                        bool(public), bool(ended), state))
    return claimed


def mark_sent(tx, ids: list[int], *, worker: str, now: dt.datetime) -> None:
    if ids:
        tx.execute(MARK_SENT, [now, ids, worker])


def mark_unsent(tx, rows: list[tuple[int, DeliveryStatus, dt.datetime, str]], *, worker: str) -> None:
    """``rows``: (id, pending|failed, next attempt at, error)."""
    for id_, status, next_at, error in rows:
        tx.execute(MARK_UNSENT, [status.value, next_at, error, id_, worker])


def outbox(tx, *, viewer, status: str | None, incident_id: int | None, kind: str | None,
           limit: int) -> pd.DataFrame:
    return tx.df(SELECT_OUTBOX, [status, status, incident_id, incident_id, kind, kind,
                                 *_visible_params(tx, viewer), limit])


def get_update(tx, update_id: int) -> Update | None:
    """One update by id (the incident store lists them all; the hook needs just the new one)."""
    row = tx.fetchone(SELECT_UPDATE, [update_id])
    if row is None:
        return None
    id_, inc, posted, author, audience, message, status, impact, doing, nxt = row
    return Update(id_, inc, posted, author, Audience(audience), message, Status(status) if status else None,
                  impact or "", doing or "", nxt)


def body(tx, delivery_id: int, *, viewer) -> str | None:
    row = tx.fetchone(SELECT_BODY, [delivery_id, *_visible_params(tx, viewer)])
    return None if row is None else row[0]


def counts(tx, *, viewer) -> dict[str, int]:
    found = dict(tx.fetchall(COUNT_BY_STATUS, _visible_params(tx, viewer)))
    return {s.value: int(found.get(s.value, 0)) for s in DeliveryStatus}

