"""SQL for imports. Values are always bound; lists of ids are bound as one list parameter."""

from __future__ import annotations

SELECT_EXISTING = """
SELECT id, reference, external_id, title, summary, severity, status, mode, declared_at, started_at,
       resolved_at, closed_at, tags
FROM incidents WHERE source = ? AND list_contains(?::VARCHAR[], external_id)"""
SELECT_EXISTING_UPDATES = """
SELECT u.id, u.incident_id, u.external_id, u.posted_at, u.status, u.message
FROM updates u JOIN incidents i ON i.id = u.incident_id
WHERE i.source = ? AND list_contains(?::VARCHAR[], i.external_id) AND u.external_id IS NOT NULL"""
ALLOCATE_UPDATE_IDS = "SELECT nextval('updates_id_seq') FROM generate_series(1, ?)"
ALLOCATE_EVENT_IDS = "SELECT nextval('events_id_seq') FROM generate_series(1, ?)"
UPDATE_INCIDENT = """
UPDATE incidents SET title = ?, summary = ?, severity = ?, status = ?, mode = ?, declared_at = ?,
    started_at = ?, resolved_at = ?, closed_at = ?, tags = ?, updated_at = ?
WHERE id = ?"""
UPDATE_UPDATE = "UPDATE updates SET posted_at = ?, status = ?, message = ? WHERE id = ?"


def existing(tx, source: str, ids: list[str]):
    return tx.df(SELECT_EXISTING, [source, ids])


def existing_updates(tx, source: str, ids: list[str]):
    return tx.df(SELECT_EXISTING_UPDATES, [source, ids])


def allocate_update_ids(tx, n: int) -> list[int]:
    return [r[0] for r in tx.fetchall(ALLOCATE_UPDATE_IDS, [n])] if n else []


def allocate_event_ids(tx, n: int) -> list[int]:
    return [r[0] for r in tx.fetchall(ALLOCATE_EVENT_IDS, [n])] if n else []


def update_incidents(tx, rows: list[list]) -> None:
    tx.executemany(UPDATE_INCIDENT, rows)


def update_updates(tx, rows: list[list]) -> None:
    tx.executemany(UPDATE_UPDATE, rows)
