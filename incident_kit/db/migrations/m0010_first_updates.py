"""Each incident's first update, maintained at write time (``incident.facts``), as ``update_facts`` is.

One row per incident with updates: when its first update was posted, and its first internal and first
external one. The time to first update then reads one row per incident instead of picking the first of
every update on each Insights view. Filled from the existing updates when the migration runs.

Restored as released: the change was reverted (it cost every posted update ~1-1.6 ms) and this file
deleted, which made databases created in between "newer" than the code. Migrations are append-only;
migration 11 drops the table. The fill is the SQL ``incident.facts.INSERT_FIRST_ALL`` was then, frozen here.
"""

STATEMENTS = [
    """CREATE TABLE first_updates (
        incident_id INTEGER NOT NULL,
        first_update_at TIMESTAMPTZ NOT NULL,
        first_internal_update_at TIMESTAMPTZ,   -- NULL: no internal update yet
        first_external_update_at TIMESTAMPTZ    -- NULL: no external update yet
    )""",
    # refresh() deleted and rewrote one incident's row on every post; without this it would scan them all
    "CREATE INDEX first_updates_incident ON first_updates (incident_id)",
]

FILL = """
INSERT INTO first_updates (incident_id, first_update_at, first_internal_update_at, first_external_update_at)
SELECT u.incident_id, min(u.posted_at) AS first_update_at,
       min(u.posted_at) FILTER (WHERE u.audience = 'internal') AS first_internal_update_at,
       min(u.posted_at) FILTER (WHERE u.audience = 'external') AS first_external_update_at
FROM updates u
GROUP BY u.incident_id"""


def seed(tx) -> None:
    tx.execute(FILL)
