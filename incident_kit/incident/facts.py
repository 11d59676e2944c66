"""Facts about updates that metrics aggregate, kept up to date in the writer's transaction.

``update_facts`` holds one row per update: the minutes since the incident's
previous update (any audience) and since its previous update to the same
audience (NULL for the first one), and whether it is the incident's latest.
Insights read these columns instead of sorting every update on each view.

Every write that adds or moves updates calls ``refresh(tx, incident_ids)`` in
its own transaction (posting, importing, the demo, restoring an export). It
recomputes the facts of those incidents only, with the same SQL that
``rebuild`` runs over everything, so the two can never disagree (the property
test in ``tests/test_incident_facts.py`` checks it after random operations).

The SQL is standard (window functions, ``EXTRACT(EPOCH FROM …)``, ``unnest`` of
a bound array), so a PostgreSQL store can run it as it is.
"""

from __future__ import annotations

from collections.abc import Iterable

COLUMNS = "update_id, incident_id, posted_at, audience, gap_minutes, audience_gap_minutes, is_last"
# Updates at the same instant are ordered by id: the later one gets a 0-minute gap. The CAST keeps
# PostgreSQL's numeric EXTRACT a double, as the column is.
_COMPUTE = """
SELECT u.id AS update_id, u.incident_id, u.posted_at, u.audience,
       CAST(EXTRACT(EPOCH FROM u.posted_at - lag(u.posted_at) OVER (
           PARTITION BY u.incident_id ORDER BY u.posted_at, u.id)) / 60 AS DOUBLE PRECISION) AS gap_minutes,
       CAST(EXTRACT(EPOCH FROM u.posted_at - lag(u.posted_at) OVER (
           PARTITION BY u.incident_id, u.audience ORDER BY u.posted_at, u.id)) / 60 AS DOUBLE PRECISION)
           AS audience_gap_minutes,
       row_number() OVER (PARTITION BY u.incident_id ORDER BY u.posted_at DESC, u.id DESC) = 1 AS is_last
FROM updates u"""
_SOME = "\nWHERE u.incident_id IN (SELECT unnest(CAST(? AS INTEGER[])))"

DELETE_SOME = "DELETE FROM update_facts WHERE incident_id IN (SELECT unnest(CAST(? AS INTEGER[])))"
INSERT_SOME = f"INSERT INTO update_facts ({COLUMNS}){_COMPUTE}{_SOME}"
# One incident (every post): an equality the indexes serve; the list form scans (~1.5x slower per post).
DELETE_ONE = "DELETE FROM update_facts WHERE incident_id = ?"
INSERT_ONE = f"INSERT INTO update_facts ({COLUMNS}){_COMPUTE}\nWHERE u.incident_id = ?"
DELETE_ALL = "DELETE FROM update_facts"
INSERT_ALL = f"INSERT INTO update_facts ({COLUMNS}){_COMPUTE}"
# For checks: the maintained facts, and the same recomputed from scratch, in one order.
SELECT_ALL = f"SELECT {COLUMNS} FROM update_facts ORDER BY update_id"
RECOMPUTE = f"SELECT {COLUMNS} FROM ({_COMPUTE}) AS f ORDER BY update_id"


def refresh(tx, incident_ids: Iterable[int]) -> None:
    """Recompute the facts of these incidents' updates (call in the transaction that changed them)."""
    ids = sorted({int(i) for i in incident_ids})
    if len(ids) == 1:
        tx.execute(DELETE_ONE, ids)
        tx.execute(INSERT_ONE, ids)
    elif ids:
        tx.execute(DELETE_SOME, [ids])
        tx.execute(INSERT_SOME, [ids])


def rebuild(tx) -> None:
    """Recompute every fact (after bulk loads that bypass the services, and in the migration)."""
    tx.execute(DELETE_ALL)
    tx.execute(INSERT_ALL)


def maintained(tx) -> list[tuple]:
    return tx.fetchall(SELECT_ALL)


def from_scratch(tx) -> list[tuple]:
    return tx.fetchall(RECOMPUTE)
