"""SQL for exporting and restoring whole tables. Table and column names come from the
catalog (information_schema) and are quoted by ``db.duckdb.quote_ident``; values are bound."""

from __future__ import annotations

from ..db.duckdb import quote_ident

SELECT_TABLES = """
SELECT table_name FROM information_schema.tables
WHERE table_schema = 'main' AND table_type = 'BASE TABLE' ORDER BY table_name"""
SELECT_COLUMNS = """
SELECT column_name, data_type, column_default FROM information_schema.columns
WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position"""
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
    return [tuple(r) for r in tx.fetchall(SELECT_COLUMNS, [table])]


def read_table(tx, table: str):
    return tx.df(f"SELECT * FROM {quote_ident(table)} ORDER BY ALL")


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
    return tx.df(READ_CSV, [path])


def advance_sequence(tx, sequence: str, n: int) -> None:
    tx.fetchall(ADVANCE_SEQUENCE, [sequence, n])
