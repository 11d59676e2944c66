"""SQL for similar incidents: the text of each incident, and related links.

Values are always bound. The text is read in four plain queries and joined in pandas, which keeps
the SQL standard (no dialect-specific string aggregation) for the PostgreSQL store as well.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

INCIDENTS = """
SELECT id, reference, title, coalesce(summary, '') AS summary, tags, private, mode, status, started_at,
       declared_at
FROM incidents ORDER BY id"""
# The facts an index answers with, read afresh while a rebuilt index is on its way (``Index.with_rows``).
ROWS = "SELECT id, reference, title, private, mode, status, started_at, declared_at FROM incidents ORDER BY id"
UPDATES = "SELECT incident_id, message FROM updates ORDER BY incident_id, posted_at, id"
# The current text of each review section is its highest version.
SECTIONS = """
SELECT r.incident_id, s.body
FROM review_sections s JOIN reviews r ON r.id = s.review_id
WHERE NOT EXISTS (SELECT 1 FROM review_sections n
                  WHERE n.review_id = s.review_id AND n.section = s.section AND n.version > s.version)
ORDER BY r.incident_id, s.section"""
FACTORS = "SELECT incident_id, contributing_factors FROM reviews"

LINK = "INSERT INTO related_incidents (incident_id, related_id, linked_at, linked_by) VALUES (?, ?, ?, ?)"
UNLINK = """
UPDATE related_incidents SET unlinked_at = ?, unlinked_by = ?
WHERE unlinked_at IS NULL AND ((incident_id = ? AND related_id = ?) OR (incident_id = ? AND related_id = ?))"""
# Links count both ways: linking B to A makes A related to B too.
LINKED = """
SELECT CASE WHEN l.incident_id = ? THEN l.related_id ELSE l.incident_id END AS other, l.linked_at, l.linked_by
FROM related_incidents l
WHERE l.unlinked_at IS NULL AND (l.incident_id = ? OR l.related_id = ?)
ORDER BY l.linked_at"""


def rows(tx) -> pd.DataFrame:
    """Every incident's current reference, title, privacy, mode, status and times (no text)."""
    return tx.df(ROWS)


def texts(tx) -> pd.DataFrame:
    """One row per incident: its fields and one searchable text (title counted twice: it says the most)."""
    inc = tx.df(INCIDENTS)
    extra: dict[int, list[str]] = {}
    for frame in (tx.df(UPDATES), tx.df(SECTIONS)):
        for iid, text in frame.itertuples(index=False, name=None):
            if text:
                extra.setdefault(int(iid), []).append(str(text))
    factors: dict[int, list[str]] = {}
    for iid, labels in tx.df(FACTORS).itertuples(index=False, name=None):
        factors.setdefault(int(iid), []).extend(list(labels) if labels is not None else [])
    inc["factors"] = [factors.get(int(i), []) for i in inc["id"]]
    inc["tags"] = inc["tags"].map(lambda t: [] if t is None else list(t))
    inc["text"] = [" ".join([r.title, r.title, r.summary, *r.tags, *r.factors, *extra.get(int(r.id), [])])
                   for r in inc.itertuples(index=False)]
    return inc


def link(tx, incident_id: int, related_id: int, *, by: str, now: dt.datetime) -> None:
    tx.execute(LINK, [incident_id, related_id, now, by])


def unlink(tx, incident_id: int, related_id: int, *, by: str, now: dt.datetime) -> int:
    before = len(linked(tx, incident_id))
    tx.execute(UNLINK, [now, by, incident_id, related_id, related_id, incident_id])
    return before - len(linked(tx, incident_id))


def linked(tx, incident_id: int) -> pd.DataFrame:
    return tx.df(LINKED, [incident_id, incident_id, incident_id])
