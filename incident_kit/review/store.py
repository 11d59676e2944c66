"""SQL for reviews, their append-only section history and hint dismissals. Values are always bound."""

from __future__ import annotations

from typing import TYPE_CHECKING

import datetime as dt

if TYPE_CHECKING:  # pandas loads only where a frame is built, so write commands start fast
    import pandas as pd

from ..db.dialect import arg_max, per_dialect
from ..incident.visibility import visible_sql
from .models import AWAITS_REVIEW_SQL, Depth, Review, ReviewStatus, queue_sql

COLUMNS = (
    "r.id, r.incident_id, i.reference, r.depth, r.status, r.waived_reason, r.created_at, r.created_by, "
    "r.published_at, r.scheduled_for, r.contributing_factors, r.updated_at"
)
INSERT = """
INSERT INTO reviews (incident_id, depth, status, waived_reason, created_at, created_by, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id"""
# One review per incident (a unique index since migration 9).
SELECT_FOR_INCIDENT = f"""
SELECT {COLUMNS} FROM reviews r JOIN incidents i ON i.id = r.incident_id WHERE r.incident_id = ?"""
SELECT_BY_ID = f"SELECT {COLUMNS} FROM reviews r JOIN incidents i ON i.id = r.incident_id WHERE r.id = ?"
SET_DEPTH = "UPDATE reviews SET depth = ?, status = ?, waived_reason = ?, published_at = ?, updated_at = ? WHERE id = ?"
SET_STATUS = "UPDATE reviews SET status = ?, published_at = ?, updated_at = ? WHERE id = ?"
SET_SCHEDULED = "UPDATE reviews SET scheduled_for = ?, updated_at = ? WHERE id = ?"
SET_FACTORS = "UPDATE reviews SET contributing_factors = ?, updated_at = ? WHERE id = ?"
NEXT_VERSION = "SELECT coalesce(max(version), 0) + 1 FROM review_sections WHERE review_id = ? AND section = ?"
INSERT_SECTION = """
INSERT INTO review_sections (review_id, section, version, body, edited_at, edited_by) VALUES (?, ?, ?, ?, ?, ?)"""
# The current text of each section is its highest version (the table is append-only).
SELECT_CURRENT_SECTIONS = """
SELECT section, arg_max(body, version) FROM review_sections WHERE review_id = ? GROUP BY section"""
SELECT_CURRENT_SECTIONS_SQL = per_dialect(SELECT_CURRENT_SECTIONS, arg_max("body", "version"))
SELECT_HISTORY = """
SELECT section, version, body, edited_at, edited_by FROM review_sections
WHERE review_id = ? AND (? IS NULL OR section = ?) ORDER BY section, version"""
INSERT_DISMISSAL = """
INSERT INTO review_hint_dismissals (review_id, section, hint_key, dismissed_at, dismissed_by) VALUES (?, ?, ?, ?, ?)"""
SELECT_DISMISSALS = "SELECT section, hint_key FROM review_hint_dismissals WHERE review_id = ?"

# The list behind kit.reviews() and the Reviews page (one review per incident); visibility follows the incident.
LIST = f"""
WITH still_open AS (
    SELECT incident_id, count(*) AS n FROM follow_ups WHERE status IN ('open', 'in_progress') GROUP BY incident_id
)
SELECT i.reference AS incident, i.title, i.severity, i.status AS incident_status, r.depth, r.status,
       r.waived_reason, r.created_at, r.created_by, r.published_at, r.scheduled_for, r.contributing_factors,
       r.updated_at, coalesce(o.n, 0) AS open_follow_ups
FROM reviews r
JOIN incidents i ON i.id = r.incident_id
LEFT JOIN still_open o ON o.incident_id = i.id
WHERE {visible_sql()}
  AND (? IS NULL OR r.status = ?)
  AND (? IS NULL OR r.depth = ?)
ORDER BY (r.status IN ('draft', 'in_review')) DESC, r.updated_at DESC, i.id DESC
LIMIT ?"""

# Reviews to do: incidents that await a review nobody has started (resolved or post-incident, no
# review row), newest resolved first, with the people the Reviews page puts first (declarer, lead).
TO_DO = f"""
SELECT i.reference AS incident, i.title, i.severity, i.status AS incident_status, i.declared_by,
       lead.person AS lead, i.resolved_at
FROM incidents i
LEFT JOIN incident_roles lead ON lead.incident_id = i.id AND lead.role = 'lead' AND lead.unassigned_at IS NULL
WHERE i.status IN {AWAITS_REVIEW_SQL}
  AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.incident_id = i.id)
  AND {visible_sql()}
ORDER BY i.resolved_at DESC NULLS LAST, i.id DESC
LIMIT ?"""

# The Reviews page's lists (review/models.py QUEUES): incidents awaiting a review nobody started, and
# every review, each in its queue, the viewer's own marked (declarer or lead of a not-started one,
# author of a review). Binds: the viewer's name twice and the visibility four values, then the viewer's
# name once and the visibility again. Counted and paged in SQL, so a page reads what it shows.
_QUEUE = f"""
SELECT i.id, i.reference AS incident, i.title, 'to_do' AS queue, NULL AS depth, NULL AS status,
       coalesce(i.declared_by = ? OR lead.person = ?, FALSE) AS mine, i.resolved_at AS at
FROM incidents i
LEFT JOIN incident_roles lead ON lead.incident_id = i.id AND lead.role = 'lead' AND lead.unassigned_at IS NULL
WHERE i.status IN {AWAITS_REVIEW_SQL}
  AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.incident_id = i.id)
  AND {visible_sql()}
UNION ALL
SELECT i.id, i.reference, i.title, {queue_sql()}, r.depth, r.status, coalesce(r.created_by = ?, FALSE), r.updated_at
FROM reviews r
JOIN incidents i ON i.id = r.incident_id
WHERE {visible_sql()}"""
# One page of one queue, yours first then newest; open follow-ups counted for that page's incidents only.
QUEUE_PAGE = f"""
WITH page AS (
    SELECT * FROM ({_QUEUE}) q WHERE q.queue = ? ORDER BY q.mine DESC, q.at DESC NULLS LAST, q.id DESC LIMIT ?
), still_open AS (
    SELECT f.incident_id, count(*) AS n FROM follow_ups f
    WHERE f.incident_id IN (SELECT id FROM page) AND f.status IN ('open', 'in_progress') GROUP BY f.incident_id
)
SELECT page.incident, page.title, page.queue, page.depth, page.status, page.mine, page.at,
       coalesce(o.n, 0) AS open_follow_ups
FROM page LEFT JOIN still_open o ON o.incident_id = page.id
ORDER BY page.mine DESC, page.at DESC NULLS LAST, page.id DESC"""
QUEUE_COUNTS = f"SELECT q.queue, count(*) FROM ({_QUEUE}) q GROUP BY q.queue"


def _queue_params(seen: tuple[bool, str | None], person: str | None) -> list:
    see_all, who = seen
    visible = [see_all, who, who, who]
    return [person, person, *visible, person, *visible]


def queue_page(tx, queue: str, *, scope: tuple[bool, str | None], person: str | None, limit: int) -> pd.DataFrame:
    return tx.df(QUEUE_PAGE, [*_queue_params(scope, person), queue, limit])


def queue_counts(tx, *, scope: tuple[bool, str | None], person: str | None) -> dict[str, int]:
    return {q: int(n) for q, n in tx.fetchall(QUEUE_COUNTS, _queue_params(scope, person))}


def _review(tx, row: tuple) -> Review:
    (id_, incident_id, ref, depth, status, reason, created_at, created_by, published_at, scheduled_for,
     factors, updated_at) = row
    return Review(id=id_, incident_id=incident_id, incident=ref, depth=Depth(depth), status=ReviewStatus(status),
                  waived_reason=reason, created_at=created_at, created_by=created_by, published_at=published_at,
                  scheduled_for=scheduled_for, contributing_factors=tuple(factors or ()), updated_at=updated_at,
                  sections=current_sections(tx, id_))


def for_incident(tx, incident_id: int) -> Review | None:
    row = tx.fetchone(SELECT_FOR_INCIDENT, [incident_id])
    return None if row is None else _review(tx, row)


def get(tx, review_id: int) -> Review:
    return _review(tx, tx.fetchone(SELECT_BY_ID, [review_id]))


def insert(tx, *, incident_id: int, depth: Depth, status: ReviewStatus, waived_reason: str | None,
           created_at: dt.datetime, created_by: str) -> int:
    return tx.fetchone(INSERT, [incident_id, depth.value, status.value, waived_reason, created_at, created_by,
                                created_at])[0]


def set_depth(tx, review_id: int, depth: Depth, status: ReviewStatus, *, waived_reason: str | None,
              published_at: dt.datetime | None, now: dt.datetime) -> None:
    tx.execute(SET_DEPTH, [depth.value, status.value, waived_reason, published_at, now, review_id])


def set_status(tx, review_id: int, status: ReviewStatus, *, published_at: dt.datetime | None,
               now: dt.datetime) -> None:
    tx.execute(SET_STATUS, [status.value, published_at, now, review_id])


def set_scheduled(tx, review_id: int, when: dt.datetime | None, *, now: dt.datetime) -> None:
    tx.execute(SET_SCHEDULED, [when, now, review_id])


def set_factors(tx, review_id: int, factors: list[str], *, now: dt.datetime) -> None:
    tx.execute(SET_FACTORS, [factors, now, review_id])


def add_section_version(tx, review_id: int, section: str, body: str, *, by: str, now: dt.datetime) -> int:
    version = tx.fetchone(NEXT_VERSION, [review_id, section])[0]
    tx.execute(INSERT_SECTION, [review_id, section, version, body, now, by])
    return version


def current_sections(tx, review_id: int) -> dict[str, str]:
    return dict(tx.fetchall(SELECT_CURRENT_SECTIONS_SQL[tx.dialect], [review_id]))


def history(tx, review_id: int, section: str | None) -> pd.DataFrame:
    return tx.df(SELECT_HISTORY, [review_id, section, section])


def dismiss(tx, review_id: int, section: str, hint_key: str, *, by: str, now: dt.datetime) -> None:
    tx.execute(INSERT_DISMISSAL, [review_id, section, hint_key, now, by])


def dismissals(tx, review_id: int) -> set[tuple[str, str]]:
    return {(s, k) for s, k in tx.fetchall(SELECT_DISMISSALS, [review_id])}


def list_reviews(tx, *, see_all: bool, viewer: str | None, status: str | None, depth: str | None,
                 limit: int | None = None) -> pd.DataFrame:
    return tx.df(LIST, [see_all, viewer, viewer, viewer, status, status, depth, depth,
                        limit if limit is not None else 2**62])


def to_do(tx, *, see_all: bool, viewer: str | None, limit: int | None = None) -> pd.DataFrame:
    return tx.df(TO_DO, [see_all, viewer, viewer, viewer, limit if limit is not None else 2**62])
