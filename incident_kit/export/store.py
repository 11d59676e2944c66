"""SQL for exporting and restoring whole tables. Table and column names come from the
catalog (information_schema) and are quoted by ``db.duckdb.quote_ident``; values are bound.

Column types are reported in DuckDB's names on both stores, so an export's manifest
is the same whichever store wrote it and either store can restore it."""

from __future__ import annotations

from ..db.duckdb import local_df, quote_ident

SELECT_TABLES = """
SELECT table_name FROM information_schema.tables
WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"""
SELECT_COLUMNS = """
SELECT column_name, data_type, column_default FROM information_schema.columns
WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position"""
# PostgreSQL's type names mapped to DuckDB's (the export's vocabulary).
SELECT_COLUMNS_SQL = {"duckdb": SELECT_COLUMNS, "postgres": """
SELECT column_name,
       CASE udt_name WHEN 'int2' THEN 'SMALLINT' WHEN 'int4' THEN 'INTEGER' WHEN 'int8' THEN 'BIGINT'
                     WHEN 'bool' THEN 'BOOLEAN' WHEN 'timestamptz' THEN 'TIMESTAMP WITH TIME ZONE'
                     WHEN 'varchar' THEN 'VARCHAR' WHEN 'text' THEN 'VARCHAR' WHEN '_varchar' THEN 'VARCHAR[]'
                     WHEN '_text' THEN 'VARCHAR[]' WHEN 'float8' THEN 'DOUBLE' WHEN 'float4' THEN 'FLOAT'
                     WHEN 'json' THEN 'JSON' WHEN 'jsonb' THEN 'JSON' WHEN 'date' THEN 'DATE'
                     ELSE upper(data_type) END,
       column_default
FROM information_schema.columns
WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position"""}
SELECT_PRIVATE_INCIDENT_IDS = "SELECT id FROM incidents WHERE private"
COUNT_INCIDENTS = "SELECT count(*) FROM incidents"
SELECT_MIGRATIONS = "SELECT version FROM schema_migrations ORDER BY version"
READ_CSV = """
SELECT * FROM read_csv(?, all_varchar = true, allow_quoted_nulls = false, header = true, delim = ',',
                       quote = '"', escape = '"', strict_mode = true)"""
ADVANCE_SEQUENCE = "SELECT max(nextval(?)) FROM generate_series(1, ?)"
SKIP_ON_RESTORE = ("schema_migrations",)


def tables(tx) -> list[str]:
    return [r[0] for r in tx.fetchall(SELECT_TABLES)]


def columns(tx, table: str) -> list[tuple[str, str, str | None]]:
    return [tuple(r) for r in tx.fetchall(SELECT_COLUMNS_SQL[tx.dialect], [table])]


def read_table(tx, table: str):
    """Every row, in a stable order (all columns; PostgreSQL cannot order JSON, so those are left out)."""
    if tx.dialect == "duckdb":
        return tx.df(f"SELECT * FROM {quote_ident(table)} ORDER BY ALL")
    order = ", ".join(str(i + 1) for i, (_, typ, _) in enumerate(columns(tx, table)) if typ != "JSON")
    return tx.df(f"SELECT * FROM {quote_ident(table)}" + (f" ORDER BY {order}" if order else ""))


def clear_table(tx, table: str) -> None:
    """Only used on a store with no incidents: drops the seeded catalog rows the export replaces."""
    tx.execute(f"DELETE FROM {quote_ident(table)}")


# fetchall (not fetchone) so no result is left open before the bulk insert that follows.
def count_rows(tx, table: str) -> int:
    return tx.fetchall(f"SELECT count(*) FROM {quote_ident(table)}")[0][0]


def max_of(tx, table: str, column: str):
    return tx.fetchall(f"SELECT max({quote_ident(column)}) FROM {quote_ident(table)}")[0][0]


def private_incident_ids(tx) -> set[int]:
    return {r[0] for r in tx.fetchall(SELECT_PRIVATE_INCIDENT_IDS)}


def incident_count(tx) -> int:
    return tx.fetchall(COUNT_INCIDENTS)[0][0]


def migrations(tx) -> list[int]:
    return [r[0] for r in tx.fetchall(SELECT_MIGRATIONS)]


def read_csv(tx, path: str):
    """DuckDB's CSV reader, on PostgreSQL too (an in-process DuckDB): one reader, one set of rules."""
    if tx.dialect == "duckdb":
        return tx.df(READ_CSV, [path])
    return local_df(READ_CSV, [path])


def advance_sequence(tx, sequence: str, n: int) -> None:
    tx.fetchall(ADVANCE_SEQUENCE, [sequence, n])
