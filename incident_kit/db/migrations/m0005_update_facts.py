"""Facts about updates that insights aggregate, maintained at write time (``incident.facts``).

One row per update: minutes since the incident's previous update and since its
previous update to the same audience (NULL for the first), and whether it is the
incident's latest. Filled from the existing updates when the migration runs, by the SQL below: a copy
of ``incident.facts.INSERT_ALL`` as it was, frozen here so that what this migration does never follows
later changes to that module (which keeps the table up to date after it).
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


# Updates at the same instant are ordered by id: the later one gets a 0-minute gap. The CAST keeps
# PostgreSQL's numeric EXTRACT a double, as the column is.
FILL = """
INSERT INTO update_facts (update_id, incident_id, posted_at, audience, gap_minutes, audience_gap_minutes, is_last)
SELECT u.id AS update_id, u.incident_id, u.posted_at, u.audience,
       CAST(EXTRACT(EPOCH FROM u.posted_at - lag(u.posted_at) OVER (
           PARTITION BY u.incident_id ORDER BY u.posted_at, u.id)) / 60 AS DOUBLE PRECISION) AS gap_minutes,
       CAST(EXTRACT(EPOCH FROM u.posted_at - lag(u.posted_at) OVER (
           PARTITION BY u.incident_id, u.audience ORDER BY u.posted_at, u.id)) / 60 AS DOUBLE PRECISION)
           AS audience_gap_minutes,
       row_number() OVER (PARTITION BY u.incident_id ORDER BY u.posted_at DESC, u.id DESC) = 1 AS is_last
FROM updates u"""


def seed(tx) -> None:
    tx.execute(FILL)
