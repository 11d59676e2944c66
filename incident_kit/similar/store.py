"""SQL for similar incidents: the text of each incident, and related links.

Values are always bound. Each incident's searchable text is joined by the database in one query
(``string_agg``, ``concat_ws``, ``array_to_string``: DuckDB and PostgreSQL spell them alike). BM25
counts words, not their order; joining 600k messages row by row in Python took 2.8 s of a 6.6 s
index build at 200k incidents.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

# One row per incident: its fields and one searchable text (the title counted twice: it says the most),
# joined by the database. concat_ws skips NULLs and array_to_string a list's NULL labels, in both.
TEXTS = """
SELECT i.id, i.reference, i.title, coalesce(i.summary, '') AS summary, i.tags, i.private, i.mode, i.status,
       i.started_at, i.declared_at,
       concat_ws(' ', i.title, i.title, i.summary, array_to_string(i.tags, ' '), f.text, u.text, s.text) AS text
FROM incidents i
LEFT JOIN (SELECT incident_id, string_agg(message, ' ') AS text FROM updates GROUP BY incident_id) AS u
       ON u.incident_id = i.id
LEFT JOIN (SELECT incident_id, string_agg(array_to_string(contributing_factors, ' '), ' ') AS text
           FROM reviews GROUP BY incident_id) AS f ON f.incident_id = i.id
LEFT JOIN (SELECT r.incident_id, string_agg(s.body, ' ') AS text  -- each section's current (highest) version
           FROM review_sections s JOIN reviews r ON r.id = s.review_id
           WHERE NOT EXISTS (SELECT 1 FROM review_sections n
                             WHERE n.review_id = s.review_id AND n.section = s.section AND n.version > s.version)
           GROUP BY r.incident_id) AS s ON s.incident_id = i.id
ORDER BY i.id"""
# The facts an index answers with, read afresh while a rebuilt index is on its way (``Index.with_rows``).
ROWS = "SELECT id, reference, title, private, mode, status, started_at, declared_at FROM incidents ORDER BY id"
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
    """One row per incident: its fields, its ``factors`` (review contributing factors) and its searchable text."""
    inc = tx.df(TEXTS)
    factors: dict[int, list[str]] = {}
    frame = tx.df(FACTORS)
    for iid, labels in zip(frame["incident_id"].tolist(), frame["contributing_factors"].tolist()):
        factors.setdefault(int(iid), []).extend([] if labels is None else list(labels))
    inc["factors"] = [factors.get(i, []) for i in inc["id"].tolist()]
    inc["text"] = inc["text"].fillna("")  # tags stay as the store returns them (never NULL: NOT NULL DEFAULT [])
    return inc


def link(tx, incident_id: int, related_id: int, *, by: str, now: dt.datetime) -> None:
    tx.execute(LINK, [incident_id, related_id, now, by])


def unlink(tx, incident_id: int, related_id: int, *, by: str, now: dt.datetime) -> int:
    before = len(linked(tx, incident_id))
    tx.execute(UNLINK, [now, by, incident_id, related_id, related_id, incident_id])
    return before - len(linked(tx, incident_id))


def linked(tx, incident_id: int) -> pd.DataFrame:
    return tx.df(LINKED, [incident_id, incident_id, incident_id])
