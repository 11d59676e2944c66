"""Each incident's first update, maintained at write time (``incident.facts``), as ``update_facts`` is.

One row per incident with updates: when its first update was posted, and its first internal and first
external one. The time to first update then reads one row per incident instead of picking the first of
every update on each Insights view. Filled from the existing updates when the migration runs.
"""

STATEMENTS = [
    """CREATE TABLE first_updates (
        incident_id INTEGER NOT NULL,
        first_update_at TIMESTAMPTZ NOT NULL,
        first_internal_update_at TIMESTAMPTZ,   -- NULL: no internal update yet
        first_external_update_at TIMESTAMPTZ    -- NULL: no external update yet
    )""",
    # refresh() deletes and rewrites one incident's row on every post; without this it would scan them all
    "CREATE INDEX first_updates_incident ON first_updates (incident_id)",
]


def seed(tx) -> None:
    from ...incident import facts

    tx.execute(facts.INSERT_FIRST_ALL)
