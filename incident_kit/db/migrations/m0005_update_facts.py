"""Facts about updates that insights aggregate, maintained at write time (``incident.facts``).

One row per update: minutes since the incident's previous update and since its
previous update to the same audience (NULL for the first), and whether it is the
incident's latest. Filled from the existing updates when the migration runs.
"""

STATEMENTS = [
    """CREATE TABLE update_facts (
        update_id BIGINT NOT NULL,
        incident_id INTEGER NOT NULL,
        posted_at TIMESTAMPTZ NOT NULL,
        audience VARCHAR NOT NULL,
        gap_minutes DOUBLE PRECISION,            -- since the incident's previous update; NULL for the first
        audience_gap_minutes DOUBLE PRECISION,   -- since its previous update to the same audience
        is_last BOOLEAN NOT NULL                 -- the incident's latest update
    )""",
    # refresh() deletes and rewrites one incident's rows on every post; without this it would scan them all
    "CREATE INDEX update_facts_incident ON update_facts (incident_id)",
]


def seed(tx) -> None:
    from ...incident import facts

    facts.rebuild(tx)
