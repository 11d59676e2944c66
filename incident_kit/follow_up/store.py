"""SQL for follow-ups. Values are always bound; the only identifiers spliced in
come from the fixed EDITABLE_COLUMNS allow-list."""

from __future__ import annotations

from typing import TYPE_CHECKING

import datetime as dt

if TYPE_CHECKING:  # pandas loads only where a frame is built, so write commands start fast
    import pandas as pd

from ..clock import utcnow
from ..incident.visibility import public_sql, visible_sql
from .models import FollowUp, FollowUpStatus, Priority

COLUMNS = (
    "f.id, f.incident_id, i.reference, f.title, coalesce(f.description, ''), f.owner, f.priority, f.status, "
    "f.wont_do_reason, f.due_at, f.tracker_url, f.created_at, f.created_by, f.completed_at, f.updated_at"
)
INSERT = """
INSERT INTO follow_ups (incident_id, title, description, owner, priority, status, due_at, tracker_url,
    created_at, created_by, updated_at)
VALUES (?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?) RETURNING id"""
SELECT_ONE = f"SELECT {COLUMNS} FROM follow_ups f JOIN incidents i ON i.id = f.incident_id WHERE f.id = ?"
SET_STATUS = """
UPDATE follow_ups SET status = ?, wont_do_reason = ?, completed_at = ?, updated_at = ? WHERE id = ?"""
EDITABLE_COLUMNS = ("title", "description", "owner", "priority", "due_at", "tracker_url")
UPDATE_COLUMN = {col: f"UPDATE follow_ups SET {col} = ?, updated_at = ? WHERE id = ?" for col in EDITABLE_COLUMNS}
COUNT_STILL_OPEN = """
SELECT count(*) FROM follow_ups WHERE incident_id = ? AND status IN ('open', 'in_progress')"""

# The list behind kit.follow_ups(), the Follow-ups page, the CLI and the exports.
# Visibility follows the incident: a private incident's follow-ups show only to
# its participants, or when the caller may see everything.
_FILTERED = f"""
FROM follow_ups f
JOIN incidents i ON i.id = f.incident_id
WHERE {visible_sql()}
  AND {public_sql(include_private="?")}
  AND (? IS NULL OR i.id = ?)
  AND (? IS NULL OR f.owner = ?)
  AND (? IS NULL OR list_contains(?, f.status))
  AND (NOT ? OR (f.status IN ('open', 'in_progress') AND f.due_at IS NOT NULL AND f.due_at < ?))"""
LIST = f"""
SELECT f.id, 'FU-' || f.id AS reference, i.reference AS incident, i.title AS incident_title,
       i.severity AS incident_severity, i.status AS incident_status,
       f.title, coalesce(f.description, '') AS description, f.owner, f.priority, f.status, f.wont_do_reason,
       f.due_at, f.tracker_url, f.created_at, f.created_by, f.completed_at, f.updated_at,
       (f.status IN ('open', 'in_progress') AND f.due_at IS NOT NULL AND f.due_at < ?) AS overdue
{_FILTERED}
ORDER BY (f.status IN ('open', 'in_progress')) DESC, f.due_at NULLS LAST, f.id
LIMIT ?"""
# The same filters counted (the Follow-ups page's totals), so a count and its list never disagree.
COUNT = f"""
SELECT count(*), count(*) FILTER (WHERE f.status IN ('open', 'in_progress') AND f.due_at IS NOT NULL AND f.due_at < ?)
{_FILTERED}"""


def _follow_up(row: tuple) -> FollowUp:
    (id_, incident_id, ref, title, description, owner, priority, status, reason, due_at, url, created_at,
     created_by, completed_at, updated_at) = row
    return FollowUp(id=id_, incident_id=incident_id, incident=ref, title=title, description=description or "",
                    owner=owner, priority=Priority(priority), status=FollowUpStatus(status),
                    wont_do_reason=reason, due_at=due_at, tracker_url=url, created_at=created_at,
                    created_by=created_by, completed_at=completed_at, updated_at=updated_at)


def insert(tx, *, incident_id: int, title: str, description: str, owner: str | None, priority: Priority,
           due_at: dt.datetime | None, tracker_url: str | None, created_at: dt.datetime, created_by: str) -> int:
    return tx.fetchone(INSERT, [incident_id, title, description, owner, priority.value, due_at, tracker_url,
                                created_at, created_by, created_at])[0]


def get(tx, follow_up_id: int) -> FollowUp | None:
    row = tx.fetchone(SELECT_ONE, [follow_up_id])
    return None if row is None else _follow_up(row)


def set_status(tx, follow_up_id: int, status: FollowUpStatus, *, reason: str | None,
               completed_at: dt.datetime | None) -> None:
    tx.execute(SET_STATUS, [status.value, reason, completed_at, utcnow(), follow_up_id])


def set_column(tx, follow_up_id: int, column: str, value) -> None:
    tx.execute(UPDATE_COLUMN[column], [value, utcnow(), follow_up_id])


def count_still_open(tx, incident_id: int) -> int:
    return tx.fetchone(COUNT_STILL_OPEN, [incident_id])[0]


def list_params(*, now: dt.datetime, see_all: bool, viewer: str | None, incident_id: int | None,
                owner: str | None, statuses: list[str] | None, overdue_only: bool,
                include_private: bool = True) -> list:
    return [now,
            see_all, viewer, viewer, viewer,
            include_private,
            incident_id, incident_id,
            owner, owner,
            statuses, statuses,
            overdue_only, now]


def list_follow_ups(tx, *, limit: int | None = None, **filters) -> pd.DataFrame:
    return tx.df(LIST, [*list_params(**filters), limit if limit is not None else 2**62])


def count_follow_ups(tx, **filters) -> dict[str, int]:
    total, overdue = tx.fetchone(COUNT, list_params(**filters))
    return {"total": int(total), "overdue": int(overdue)}
