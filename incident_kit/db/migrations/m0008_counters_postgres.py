"""Counters that cannot collide across processes, and what PostgreSQL needs to share SQL with DuckDB.

``counters``: the next incident id (and so its reference, ``INC-<id>``) comes
from ``UPDATE counters ... RETURNING`` instead of ``max(id) + 1``. Why a
counter row and not a sequence: a sequence advances even when the transaction
rolls back (a failed check, a serialization retry on PostgreSQL), so
references would have gaps and "INC-41, INC-43" reads like a lost incident; a
row update is undone with its transaction, and the row lock makes concurrent
declarations take turns for the few milliseconds of one insert. It also works
the same on DuckDB.

``POSTGRES_STATEMENTS``: the DuckDB built-ins the shared statements call,
defined as SQL functions, so one statement serves both stores.
"""

STATEMENTS = [
    """CREATE TABLE counters (
        name VARCHAR PRIMARY KEY,
        value BIGINT NOT NULL          -- the last value handed out
    )""",
]

POSTGRES_STATEMENTS = [
    # Point lookups by incident that DuckDB answers by scanning a column in ~1 ms, but that PostgreSQL would
    # answer with a sequential scan growing with the table (post_update at 100k incidents: 13 ms -> see README).
    "CREATE INDEX IF NOT EXISTS incident_roles_incident ON incident_roles (incident_id)",
    "CREATE INDEX IF NOT EXISTS incident_members_incident ON incident_members (incident_id)",
    "CREATE INDEX IF NOT EXISTS review_sections_review ON review_sections (review_id)",
    "CREATE INDEX IF NOT EXISTS subscriptions_person ON subscriptions (person)",
    "CREATE INDEX IF NOT EXISTS outbox_due ON outbox (status, next_attempt_at)",
    "CREATE INDEX IF NOT EXISTS outbox_incident ON outbox (incident_id)",
    # DuckDB: list_contains(list, element). Same NULL behaviour: a NULL list gives NULL.
    """CREATE OR REPLACE FUNCTION list_contains(anycompatiblearray, anycompatible) RETURNS BOOLEAN
       LANGUAGE SQL IMMUTABLE PARALLEL SAFE AS $$ SELECT $2 = ANY($1) $$""",
    # DuckDB: to_minutes(integer) -> INTERVAL.
    """CREATE OR REPLACE FUNCTION to_minutes(BIGINT) RETURNS INTERVAL
       LANGUAGE SQL IMMUTABLE PARALLEL SAFE AS $$ SELECT make_interval(mins => $1::INTEGER) $$""",
]

SEED_COUNTERS = "INSERT INTO counters (name, value) SELECT 'incidents', coalesce(max(id), 0) FROM incidents"


def seed(tx) -> None:
    tx.execute(SEED_COUNTERS)
