"""SQL for alert groups and their alerts (migration 14). Values are always bound.

Every change is a compare-and-set (``... WHERE status = 'firing' RETURNING``, ``ON CONFLICT DO NOTHING
RETURNING``): of two deliveries racing to make the same change, only one gets rows back, so only one
writes a timeline entry, on DuckDB and on PostgreSQL (where alert intake runs READ COMMITTED).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# The group's newest generation: the one whose incident alerts go to.
SELECT_LATEST_GROUP = """
SELECT id, generation, incident_id, status FROM alert_groups
WHERE source = ? AND group_hash = ? ORDER BY generation DESC LIMIT 1"""
# The unique key (source, group_hash, generation) decides a race: the loser gets no row back.
INSERT_GROUP = """
INSERT INTO alert_groups (source, group_hash, generation, incident_id, status, opened_at, opened_by)
VALUES (?, ?, ?, ?, 'firing', ?, ?)
ON CONFLICT DO NOTHING RETURNING id"""
RESOLVE_GROUP = """
UPDATE alert_groups SET status = 'resolved', resolved_at = ? WHERE id = ? AND status = 'firing' RETURNING id"""
REFIRE_GROUP = """
UPDATE alert_groups SET status = 'firing', resolved_at = NULL WHERE id = ? AND status = 'resolved' RETURNING id"""
SELECT_ALERTS = """
SELECT fingerprint, status FROM alert_group_alerts WHERE alert_group_id = ? AND list_contains(CAST(? AS VARCHAR[]), fingerprint)"""
INSERT_ALERTS = """
INSERT INTO alert_group_alerts (alert_group_id, fingerprint, status, first_fired_at, changed_at)
SELECT ?, fp, 'firing', ?, ? FROM unnest(CAST(? AS VARCHAR[])) AS given(fp)
ON CONFLICT DO NOTHING RETURNING fingerprint"""
SET_ALERTS = """
UPDATE alert_group_alerts SET status = ?, changed_at = ?
WHERE alert_group_id = ? AND status = ? AND list_contains(CAST(? AS VARCHAR[]), fingerprint) RETURNING fingerprint"""
RESOLVE_ALL_ALERTS = """
UPDATE alert_group_alerts SET status = 'resolved', changed_at = ?
WHERE alert_group_id = ? AND status = 'firing' RETURNING fingerprint"""
COUNT_FIRING = "SELECT count(*) FROM alert_group_alerts WHERE alert_group_id = ? AND status = 'firing'"


@dataclass(frozen=True)
class Group:
    id: int
    generation: int
    incident_id: int
    status: str


def latest_group(tx, source: str, group_hash: str) -> Group | None:
    row = tx.fetchone(SELECT_LATEST_GROUP, [source, group_hash])
    return None if row is None else Group(*row)


def insert_group(tx, *, source: str, group_hash: str, generation: int, incident_id: int, now: dt.datetime,
                 by: str) -> int | None:
    """The new group's id, or None when a concurrent delivery took this generation first."""
    rows = tx.fetchall(INSERT_GROUP, [source, group_hash, generation, incident_id, now, by])
    return rows[0][0] if rows else None


def resolve_group(tx, group_id: int, now: dt.datetime) -> bool:
    """True if this call resolved the group (it was firing)."""
    return bool(tx.fetchall(RESOLVE_GROUP, [now, group_id]))


def refire_group(tx, group_id: int) -> bool:
    return bool(tx.fetchall(REFIRE_GROUP, [group_id]))


def alert_states(tx, group_id: int, fingerprints: list[str]) -> dict[str, str]:
    """fingerprint -> firing | resolved, for those of ``fingerprints`` the group has seen."""
    if not fingerprints:
        return {}
    return dict(tx.fetchall(SELECT_ALERTS, [group_id, fingerprints]))


def start_firing(tx, group_id: int, fingerprints: list[str], now: dt.datetime) -> set[str]:
    """Mark ``fingerprints`` firing; the set of those this call changed (new, or back from resolved)."""
    if not fingerprints:
        return set()
    added = {r[0] for r in tx.fetchall(INSERT_ALERTS, [group_id, now, now, fingerprints])}
    back = {r[0] for r in tx.fetchall(SET_ALERTS, ["firing", now, group_id, "resolved", fingerprints])}
    return added | back


def stop_firing(tx, group_id: int, fingerprints: list[str] | None, now: dt.datetime) -> set[str]:
    """Mark ``fingerprints`` (None: every alert of the group) resolved; those this call changed."""
    if fingerprints is None:
        return {r[0] for r in tx.fetchall(RESOLVE_ALL_ALERTS, [now, group_id])}
    if not fingerprints:
        return set()
    return {r[0] for r in tx.fetchall(SET_ALERTS, ["resolved", now, group_id, "firing", fingerprints])}


def firing_count(tx, group_id: int) -> int:
    return tx.fetchone(COUNT_FIRING, [group_id])[0]
