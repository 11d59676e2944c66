"""SQL for status page subscribers, their chosen components, link digests and events. Values are bound."""

from __future__ import annotations

from ..incident.models import Mode
from ..incident.visibility import public_sql
from .models import HOLDS_ADDRESS, Event, Subscriber

INSERT = """
INSERT INTO public_subscribers (email, email_key, state, created_at, expires_at) VALUES (?, ?, 'pending', ?, ?)
RETURNING id"""
INSERT_COMPONENT = "INSERT INTO public_subscriber_components (subscriber_id, component_id) VALUES (?, ?)"
INSERT_LINK = "INSERT INTO public_subscriber_links (digest, subscriber_id, purpose, created_at) VALUES (?, ?, ?, ?)"
FIND_LINK = "SELECT subscriber_id, purpose FROM public_subscriber_links WHERE digest = ?"
INSERT_EVENT = """
INSERT INTO public_subscriber_events (subscriber_id, kind, actor, occurred_at, detail) VALUES (?, ?, ?, ?, ?)"""
SELECT_EVENTS = """
SELECT subscriber_id, kind, actor, occurred_at, detail FROM public_subscriber_events
WHERE subscriber_id = ? ORDER BY occurred_at, kind"""
_COLUMNS = "s.id, s.email, s.state, s.created_at, s.expires_at, s.confirmed_at, s.ended_at"
SELECT_ONE = f"SELECT {_COLUMNS} FROM public_subscribers s WHERE s.id = ?"
_HOLDING = ", ".join(f"'{state.value}'" for state in HOLDS_ADDRESS)
SELECT_ALL = f"""
SELECT {_COLUMNS} FROM public_subscribers s
WHERE (? IS NULL OR s.state = ?) AND (NOT ? OR s.state IN ({_HOLDING}))
ORDER BY s.created_at, s.id LIMIT ?"""
SELECT_COMPONENT_NAMES = """
SELECT sc.subscriber_id, c.name FROM public_subscriber_components sc JOIN components c ON c.id = sc.component_id
ORDER BY sc.subscriber_id, c.name_key"""
COUNT_BY_STATE = "SELECT state, count(*) FROM public_subscribers GROUP BY state"
CONFIRM = """
UPDATE public_subscribers SET state = 'confirmed', confirmed_at = ? WHERE id = ? AND state = 'pending'
  AND expires_at > ?"""
# Ending a subscription, however it ends, forgets the address (the row stays, for counts and events).
END = f"""
UPDATE public_subscribers SET state = ?, ended_at = ?, email = NULL, email_key = NULL
WHERE id = ? AND state IN ({_HOLDING})"""
SAME_ADDRESS = f"""
SELECT id FROM public_subscribers
WHERE email_key = ? AND id <> ? AND state IN ({_HOLDING}) ORDER BY id"""
EXPIRED_DUE = "SELECT id FROM public_subscribers WHERE state = 'pending' AND expires_at <= ? ORDER BY id"
# Who hears of an incident's external update: confirmed subscribers who chose none of the components (they
# follow the whole page), or one the incident affects now; and only while the incident is one the public
# page shows (not private: the one visibility rule with nobody watching; not a test).
INCIDENT_IS_PUBLIC = f"""
SELECT 1 FROM incidents i WHERE i.id = ? AND i.mode <> '{Mode.TEST.value}' AND {public_sql(incident="i")}"""
_CHOSE_NONE = "NOT EXISTS (SELECT 1 FROM public_subscriber_components sc WHERE sc.subscriber_id = s.id)"


def _recipients_sql(covered: str) -> str:
    """Confirmed subscribers who chose no component, or one that ``covered`` (a join on ``x.component_id``
    with one bound value) names."""
    return f"""
SELECT s.id FROM public_subscribers s
WHERE s.state = 'confirmed'
  AND ({_CHOSE_NONE}
       OR EXISTS (SELECT 1 FROM public_subscriber_components sc
                  JOIN {covered}
                  WHERE sc.subscriber_id = s.id))
ORDER BY s.id"""


INCIDENT_RECIPIENTS = _recipients_sql(
    "incident_components x ON x.component_id = sc.component_id AND x.incident_id = ? AND x.impact IS NOT NULL")
MAINTENANCE_RECIPIENTS = _recipients_sql(
    "maintenance_components x ON x.component_id = sc.component_id AND x.maintenance_id = ?")


def _names(tx) -> dict[int, tuple[str, ...]]:
    out: dict[int, list[str]] = {}
    for subscriber_id, name in tx.fetchall(SELECT_COMPONENT_NAMES):
        out.setdefault(int(subscriber_id), []).append(name)
    return {k: tuple(v) for k, v in out.items()}


def _subscriber(row, names) -> Subscriber:
    return Subscriber(id=int(row[0]), email=row[1], state=row[2], components=names.get(int(row[0]), ()),
                      created_at=row[3], expires_at=row[4], confirmed_at=row[5], ended_at=row[6])


def insert(tx, *, email: str, key: str, now, expires_at, component_ids) -> int:
    row = tx.fetchone(INSERT, [email, key, now, expires_at])
    assert row is not None
    for component_id in component_ids:
        tx.execute(INSERT_COMPONENT, [row[0], component_id])
    return int(row[0])


def insert_links(tx, rows: list[tuple[str, int, str]], *, now) -> None:
    """(digest, subscriber id, purpose) rows, in one bulk append: an update reaching 1,000 subscribers
    adds 1,000 links, and a statement per row took seconds on DuckDB."""
    if len(rows) == 1:
        tx.execute(INSERT_LINK, [*rows[0], now])
    elif rows:
        import pandas as pd  # here, not at the top: the CLI's declare and update load no pandas

        digests, ids, purposes = zip(*rows)
        tx.insert_frame("public_subscriber_links", pd.DataFrame(
            {"digest": digests, "subscriber_id": pd.array(ids, dtype="Int64"), "purpose": purposes,
             "created_at": pd.Series([now] * len(rows), dtype="datetime64[us, UTC]")}))


def find_link(tx, digest: str) -> tuple[int, str] | None:
    row = tx.fetchone(FIND_LINK, [digest])
    return None if row is None else (int(row[0]), row[1])


def record_event(tx, subscriber_id: int, *, kind: str, actor: str, now, detail: str = "") -> None:
    tx.execute(INSERT_EVENT, [subscriber_id, kind, actor, now, detail])


def events(tx, subscriber_id: int) -> list[Event]:
    return [Event(int(r[0]), r[1], r[2], r[3], r[4]) for r in tx.fetchall(SELECT_EVENTS, [subscriber_id])]


def one(tx, subscriber_id: int) -> Subscriber | None:
    row = tx.fetchone(SELECT_ONE, [subscriber_id])
    return None if row is None else _subscriber(row, _names(tx))


def all_(tx, *, state: str | None = None, holding: bool = False, limit: int | None = None) -> list[Subscriber]:
    """Oldest first; ``holding``: only those whose address is kept; ``limit``: at most that many (None: all)."""
    names = _names(tx)
    return [_subscriber(r, names) for r in tx.fetchall(SELECT_ALL, [state, state, holding, limit])]


def counts(tx) -> dict[str, int]:
    return {state: int(n) for state, n in tx.fetchall(COUNT_BY_STATE)}


def confirm(tx, subscriber_id: int, *, now) -> None:
    tx.execute(CONFIRM, [now, subscriber_id, now])


def end(tx, subscriber_id: int, *, state, now) -> None:
    tx.execute(END, [state.value, now, subscriber_id])


def same_address(tx, key: str, *, besides: int) -> list[int]:
    return [int(r[0]) for r in tx.fetchall(SAME_ADDRESS, [key, besides])]


def expired_due(tx, now) -> list[int]:
    return [int(r[0]) for r in tx.fetchall(EXPIRED_DUE, [now])]


def incident_is_public(tx, incident_id: int) -> bool:
    return tx.fetchone(INCIDENT_IS_PUBLIC, [incident_id]) is not None


def incident_recipients(tx, incident_id: int) -> list[int]:
    return [int(r[0]) for r in tx.fetchall(INCIDENT_RECIPIENTS, [incident_id])]


def maintenance_recipients(tx, maintenance_id: int) -> list[int]:
    return [int(r[0]) for r in tx.fetchall(MAINTENANCE_RECIPIENTS, [maintenance_id])]
