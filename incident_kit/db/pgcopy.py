"""Analytics on PostgreSQL: the same DuckDB SQL over a fresh in-process copy.

Why not port the analytics SQL: the figures must match DuckDB's to the last
printed digit, and one SQL text for both stores cannot drift. The cost is a
copy per change to the store (kept under its data version, so the reads of one
Insights view share it); ``benchmarks/bench_postgres.py`` measures it against
running the same metrics on a DuckDB file (see the README).

How: one REPEATABLE READ transaction streams each table the analytics read
with ``COPY (SELECT ...) TO STDOUT (FORMAT CSV)`` (arrays as JSON text, which
DuckDB casts back to lists) into a temporary file, and DuckDB's CSV reader
loads it into a schema built by the same migrations as a DuckDB store.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from .duckdb import DuckDBDatabase, quote_ident

SELECT_COLUMNS = """
SELECT column_name, data_type FROM information_schema.columns
WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position"""
DUCK_COLUMNS = "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position"
TRUNCATE = "DELETE FROM {table}"
LOAD_CSV = ("COPY {table} ({cols}) FROM '{file}' (FORMAT CSV, AUTO_DETECT false, HEADER false, DELIM ',', "
            "NULL '', ALLOW_QUOTED_NULLS false, QUOTE '\"', ESCAPE '\"')")


def _mirror(pg, tables) -> DuckDBDatabase:
    """The in-process DuckDB with the current schema (built once per PostgreSQL store).

    The copied tables lose their constraints (a column left out of the copy reads as NULL,
    even where the store says NOT NULL); the types stay DuckDB's own.
    """
    mirror = pg._mirror
    if mirror is None:
        from .migrate import migrate

        mirror = DuckDBDatabase(":memory:")
        migrate(mirror)

        def loosen(tx):
            for table in tables:
                name = quote_ident(table)
                tx.execute(f"CREATE TABLE {quote_ident(table + '__copy')} AS SELECT * FROM {name} LIMIT 0")
                tx.execute(f"DROP TABLE {name}")
                tx.execute(f"ALTER TABLE {quote_ident(table + '__copy')} RENAME TO {name}")

        mirror.write(loosen)
        pg._mirror = mirror
    return mirror


def run_on_copy(pg, work, tables, names=None):
    """``work`` over the mirror, copied afresh only when the store changed since the last copy.

    The Insights page makes several analytics reads per view (the bundle, each period of the comparison,
    XmR, survival); each copied every table again (~1.4 s at 100k incidents). The copy is now kept under
    ``pg.data_version()`` read *before* it: the same version later means no transaction has committed
    since, so the mirror (taken at or after that version) still holds exactly the store's data.
    """
    mirror = _mirror(pg, tables)
    key = (pg.data_version(), tuple(tables), None if names is None else frozenset(names))
    if pg._mirror_key != key:
        pg._mirror_key = None  # a copy that fails half-way leaves no key to trust
        _copy(pg, mirror, tables, names)
        pg._mirror_key = key
        pg.mirror_copies += 1
    return mirror.read(work)


def _copy(pg, mirror, tables, names) -> None:
    """Replace the mirror's rows of ``tables`` with the store's, from one consistent snapshot."""
    with tempfile.TemporaryDirectory(prefix="ik-analytics-") as tmp:
        files = {}

        def pull(tx):
            cur = tx._cur
            for table in tables:
                duck_cols = [r[0] for r in mirror.read(lambda t, tb=table: t.fetchall(DUCK_COLUMNS, [tb]))]
                pg_cols = dict(tx.fetchall(SELECT_COLUMNS, [table]))
                cols = [c for c in duck_cols if c in pg_cols and (names is None or c in names)]
                select = ", ".join(f"to_json({quote_ident(c)})::text" if pg_cols[c] == "ARRAY" else quote_ident(c)
                                   for c in cols)
                path = Path(tmp) / f"{table}.csv"
                with open(path, "wb") as out, cur.copy(
                        f"COPY (SELECT {select} FROM {quote_ident(table)}) TO STDOUT (FORMAT CSV)") as copy:
                    for chunk in copy:
                        out.write(chunk)
                files[table] = (path, cols)

        pg.read(pull)

        def load(tx):
            for table, (path, cols) in files.items():
                tx.execute(TRUNCATE.format(table=quote_ident(table)))
                if path.stat().st_size == 0:
                    continue
                tx.execute(LOAD_CSV.format(table=quote_ident(table), cols=", ".join(quote_ident(c) for c in cols),
                                           file=str(path).replace("'", "''")))
            # The copy replaced the catalog and settings rows too: the mirror's catalog memo (admins,
            # trust_typed_names, which the visibility rule reads in Python) must not answer from the last copy.
            tx.memo.bump()

        mirror.write(load)
