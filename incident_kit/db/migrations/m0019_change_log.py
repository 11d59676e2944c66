"""PostgreSQL: which incidents each transaction changed in the tables analytics read.

Why: analytics on PostgreSQL run over an in-process DuckDB copy (``db/pgcopy.py``). Copying every table
after each change cost ~1 s at 100k incidents and grows with the whole history; with this log the copy
refreshes only the incidents whose rows changed since it was taken.

How: statement-level triggers with transition tables append one row per (statement, incident) to
``incident_kit_changes.changes``, stamped with the writing transaction's 64-bit id (``xid8``, which never
wraps). A copy remembers the snapshot it was taken in; the rows to refresh are those whose transaction that
snapshot could not see (``pg_visible_in_snapshot``), whatever order transactions committed in. Deletes are
logged too (``update_facts`` rewrites an incident's facts on every post; a restore empties tables), so the
copy drops an incident's rows and reloads what the store holds for it.

The log lives in a schema of its own so exports, which list the store's schema, never see it. Cost per
write: one small insert per statement on a logged table (post_update: 3 rows). Rows older than a day are
pruned (``db/pgcopy.py`` ``prune``); ``pruned.upto`` keeps the newest transaction id pruned, so a copy older
than that knows rows it needs are gone and copies whole. DuckDB needs none of it: analytics read the DuckDB
file itself.
"""

STATEMENTS: list[str] = []

# (table, the column naming its incident)
LOGGED = (("incidents", "id"), ("incident_roles", "incident_id"), ("incident_members", "incident_id"),
          ("update_facts", "incident_id"), ("follow_ups", "incident_id"), ("reviews", "incident_id"))

# An insert logs the new rows' incidents, a delete the old rows', an update both (a row could change incident).
_FUNCTION = """CREATE OR REPLACE FUNCTION incident_kit_changes.log_{column}_{event}() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO incident_kit_changes.changes (table_name, incident_id)
    SELECT TG_TABLE_NAME, {column} FROM {rows};
    RETURN NULL;
END $$"""
_ROWS = {"insert": "(SELECT DISTINCT {column} FROM after) AS r",
         "delete": "(SELECT DISTINCT {column} FROM before) AS r",
         "update": "(SELECT {column} FROM before UNION SELECT {column} FROM after) AS r"}
_REFERENCING = {"insert": "NEW TABLE AS after", "delete": "OLD TABLE AS before",
                "update": "OLD TABLE AS before NEW TABLE AS after"}

POSTGRES_STATEMENTS = [
    "CREATE SCHEMA IF NOT EXISTS incident_kit_changes",
    """CREATE TABLE IF NOT EXISTS incident_kit_changes.changes (
        xid xid8 NOT NULL DEFAULT pg_current_xact_id(),  -- the writing transaction
        table_name TEXT NOT NULL,
        incident_id BIGINT NOT NULL,
        at TIMESTAMPTZ NOT NULL DEFAULT now()            -- the transaction's start: what pruning goes by
    )""",
    "CREATE INDEX IF NOT EXISTS changes_xid ON incident_kit_changes.changes (xid)",
    # rows arrive in time order, so a BRIN index finds the old ones for pruning at almost no cost per write
    "CREATE INDEX IF NOT EXISTS changes_at ON incident_kit_changes.changes USING brin (at)",
    "CREATE TABLE IF NOT EXISTS incident_kit_changes.pruned (upto xid8 NOT NULL)",
    "INSERT INTO incident_kit_changes.pruned (upto) SELECT '0'::xid8 WHERE NOT EXISTS "
    "(SELECT 1 FROM incident_kit_changes.pruned)",
] + [
    _FUNCTION.format(column=column, event=event, rows=_ROWS[event].format(column=column))
    for column in ("id", "incident_id") for event in _ROWS
] + [
    f"CREATE TRIGGER {table}_log_{event} AFTER {event.upper()} ON {table} REFERENCING {_REFERENCING[event]} "
    f"FOR EACH STATEMENT EXECUTE FUNCTION incident_kit_changes.log_{column}_{event}()"
    for table, column in LOGGED for event in _ROWS
]
