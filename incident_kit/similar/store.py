"""SQL for similar incidents: the text of each incident, and related links.

Values are always bound. Each incident's searchable text is joined by the database, one page of
incidents per query (``string_agg``, ``concat_ws``, ``array_to_string``: DuckDB and PostgreSQL spell
them alike). BM25 counts words, not their order; joining 600k messages row by row in Python took 2.8 s
of a 6.6 s index build at 200k incidents. Reading every incident's text in one query held it all at
once: at 1M incidents the process asking peaked at 3.1 GiB on DuckDB and 4.9 GiB on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pandas as pd

# One row per incident of a range of ids: its fields, its ``headline`` (what it asks when it looks for its
# likes, after its title: its summary, labels and review contributing factors) and one searchable text (the
# title counted twice: it says the most), joined by the database. concat_ws skips NULLs and array_to_string
# a list's NULL labels, in both. Each joined table is cut to the range inside its subquery, so a page reads
# its incidents' rows only (through the incident_id indexes).
TEXTS = """
SELECT i.id, i.reference, i.title, i.private, i.mode, i.status, i.started_at, i.declared_at,
       concat_ws(' ', nullif(i.summary, ''), array_to_string(i.tags, ' '), f.text) AS headline,
       concat_ws(' ', i.title, i.title, i.summary, array_to_string(i.tags, ' '), f.text, u.text, s.text) AS text
FROM incidents i
LEFT JOIN (SELECT incident_id, string_agg(message, ' ') AS text FROM updates
           WHERE incident_id >= ? AND incident_id < ? GROUP BY incident_id) AS u
       ON u.incident_id = i.id
LEFT JOIN (SELECT incident_id, string_agg(array_to_string(contributing_factors, ' '), ' ') AS text
           FROM reviews WHERE incident_id >= ? AND incident_id < ? GROUP BY incident_id) AS f ON f.incident_id = i.id
LEFT JOIN (SELECT r.incident_id, string_agg(s.body, ' ') AS text  -- each section's current (highest) version
           FROM review_sections s JOIN reviews r ON r.id = s.review_id
           WHERE r.incident_id >= ? AND r.incident_id < ?
             AND NOT EXISTS (SELECT 1 FROM review_sections n
                             WHERE n.review_id = s.review_id AND n.section = s.section AND n.version > s.version)
           GROUP BY r.incident_id) AS s ON s.incident_id = i.id
WHERE i.id >= ? AND i.id < ?
ORDER BY i.id"""
IDS = "SELECT count(*), coalesce(max(id), 0) FROM incidents"
# The facts an index answers with, read afresh while a rebuilt index is on its way (``Index.with_rows``).
ROWS = """SELECT id, reference, title, private, mode, status, started_at, declared_at FROM incidents
WHERE id >= ? AND id < ? ORDER BY id"""
# The facts a question shows or filters on, read afresh for its best matches while the index rebuilds.
FACTS_OF = """SELECT id, reference, title, private, mode FROM incidents
WHERE id IN (SELECT unnest(CAST(? AS BIGINT[])))"""
# Incidents per page of texts: ~25 MB of text at the scale set's ~1 KB per incident, a few seconds of
# tokenising; a million incidents are read in 20 queries.
PAGE = 50_000
NO_END = 2**62  # the last page's end: incidents declared while the pages are read are in it

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
    """Every incident's current reference, title, privacy, mode, status and times (no text), read ``PAGE``
    ids at a time: PostgreSQL's driver holds a whole result as Python tuples (1.5 GiB for 1M rows)."""
    _, top = tx.fetchone(IDS)
    frames = [tx.df(ROWS, [start, start + PAGE if start + PAGE <= top else NO_END])
              for start in range(0, int(top) + 1, PAGE)]
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def facts_of(tx, ids: list[int]) -> dict[int, tuple]:
    """``{id: (reference, title, private, mode)}`` as the store holds them now, for the incidents found."""
    return {int(row[0]): tuple(row[1:]) for row in tx.fetchall(FACTS_OF, [[int(i) for i in ids]])}


def texts(tx, start: int = 0, end: int = NO_END) -> pd.DataFrame:
    """One row per incident whose id is in [start, end): its fields, ``headline`` and searchable ``text``."""
    frame = tx.df(TEXTS, [start, end] * 4)
    frame["text"] = frame["text"].fillna("")
    frame["headline"] = frame["headline"].fillna("")
    return frame


@dataclass(frozen=True)
class Pages:
    """Every incident's ``texts``, ``PAGE`` ids at a time, each page in a read of its own (``read``: a
    ``db.read``, or one transaction's ``lambda work: work(tx)``), so no read lasts while the words are
    indexed. ``size`` incidents were counted first; pages read later may hold a few declared since, which
    only makes the index newer than the data version it is kept under, never older."""

    read: Callable
    size: int
    top: int

    def __iter__(self) -> Iterator[pd.DataFrame]:
        for start in range(0, self.top + 1, PAGE):
            end = start + PAGE if start + PAGE <= self.top else NO_END
            yield self.read(lambda tx, start=start, end=end: texts(tx, start, end))


def pages(read: Callable) -> Pages:
    size, top = read(lambda tx: tx.fetchone(IDS))
    return Pages(read, int(size), int(top))


def link(tx, incident_id: int, related_id: int, *, by: str, now: dt.datetime) -> None:
    tx.execute(LINK, [incident_id, related_id, now, by])


def unlink(tx, incident_id: int, related_id: int, *, by: str, now: dt.datetime) -> int:
    before = len(linked(tx, incident_id))
    tx.execute(UNLINK, [now, by, incident_id, related_id, related_id, incident_id])
    return before - len(linked(tx, incident_id))


def linked(tx, incident_id: int) -> pd.DataFrame:
    return tx.df(LINKED, [incident_id, incident_id, incident_id])
