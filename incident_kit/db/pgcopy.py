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

``AnalyticsMirror`` is that copy: a ``PostgresDatabase`` owns one and hands it every ``analytics_read``;
it reads the store only through the store's public interface (``read``, ``data_version``, ``PgTx.copy_out``).
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable, Collection, Hashable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from .duckdb import DuckDBDatabase, DuckTx, quote_ident

if TYPE_CHECKING:
    from .postgres import PgTx, PostgresDatabase

T = TypeVar("T")

SELECT_COLUMNS = """
SELECT column_name, data_type FROM information_schema.columns
WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position"""
DUCK_COLUMNS = "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position"
TRUNCATE = "DELETE FROM {table}"
LOAD_CSV = ("COPY {table} ({cols}) FROM '{file}' (FORMAT CSV, AUTO_DETECT false, HEADER false, DELIM ',', "
            "NULL '', ALLOW_QUOTED_NULLS false, QUOTE '\"', ESCAPE '\"')")


class AnalyticsMirror:
    """An in-process DuckDB holding a copy of a PostgreSQL store's analytics tables, refreshed on demand.

    ``run`` copies afresh only when the store changed since the last copy. The Insights page makes several
    analytics reads per view (the bundle, each period of the comparison, XmR, survival); each copied every
    table again (~1.4 s at 100k incidents). The copy is kept under ``source.data_version()`` read *before*
    it: the same version later means no transaction has committed since, so the mirror (taken at or after
    that version) still holds exactly the store's data. One read at a time (a lock): the copy is shared.
    """

    def __init__(self, source: PostgresDatabase):
        self._source = source
        self._db: DuckDBDatabase | None = None
        self._key: Hashable | None = None  # what the mirror holds: (data version, tables, names)
        self._lock = threading.Lock()
        self.copies = 0  # copies taken (tests and benchmarks check that unchanged data is not copied again)

    def run(self, work: Callable[[DuckTx], T], tables: Sequence[str],
            names: Collection[str] | None = None) -> T:
        """``work`` (DuckDB SQL) over a copy of ``tables`` as the store holds them now; with ``names``, only
        the columns named there are copied (the rest read as NULL)."""
        with self._lock:
            mirror = self._mirror(tables)
            key = (self._source.data_version(), tuple(tables), None if names is None else frozenset(names))
            if self._key != key:
                self._key = None  # a copy that fails half-way leaves no key to trust
                self._copy(mirror, tables, names)
                self._key = key
                self.copies += 1
            return mirror.read(work)

    def forget(self) -> None:
        """Copy afresh at the next ``run`` even if the store has not changed (a benchmark times the copy)."""
        with self._lock:
            self._key = None

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db, self._key = None, None

    def _mirror(self, tables: Sequence[str]) -> DuckDBDatabase:
        """The in-process DuckDB with the current schema (built once per PostgreSQL store).

        The copied tables lose their constraints (a column left out of the copy reads as NULL,
        even where the store says NOT NULL); the types stay DuckDB's own.
        """
        if self._db is None:
            from .migrate import migrate

            mirror = DuckDBDatabase(":memory:")
            migrate(mirror)

            def loosen(tx: DuckTx) -> None:
                for table in tables:
                    name = quote_ident(table)
                    tx.execute(f"CREATE TABLE {quote_ident(table + '__copy')} AS SELECT * FROM {name} LIMIT 0")
                    tx.execute(f"DROP TABLE {name}")
                    tx.execute(f"ALTER TABLE {quote_ident(table + '__copy')} RENAME TO {name}")

            mirror.write(loosen)
            self._db = mirror
        return self._db

    def _copy(self, mirror: DuckDBDatabase, tables: Sequence[str], names: Collection[str] | None) -> None:
        """Replace the mirror's rows of ``tables`` with the store's, from one consistent snapshot."""
        with tempfile.TemporaryDirectory(prefix="ik-analytics-") as tmp:
            files: dict[str, tuple[Path, list[str]]] = {}

            def pull(tx: PgTx) -> None:
                for table in tables:
                    duck_cols = [r[0] for r in mirror.read(lambda t: t.fetchall(DUCK_COLUMNS, [table]))]  # runs now
                    pg_cols = dict(tx.fetchall(SELECT_COLUMNS, [table]))
                    cols = [c for c in duck_cols if c in pg_cols and (names is None or c in names)]
                    select = ", ".join(f"to_json({quote_ident(c)})::text" if pg_cols[c] == "ARRAY"
                                       else quote_ident(c) for c in cols)
                    path = Path(tmp) / f"{table}.csv"
                    with open(path, "wb") as out:
                        tx.copy_out(f"COPY (SELECT {select} FROM {quote_ident(table)}) TO STDOUT (FORMAT CSV)", out)
                    files[table] = (path, cols)

            self._source.read(pull)

            def load(tx: DuckTx) -> None:
                for table, (path, cols) in files.items():
                    tx.execute(TRUNCATE.format(table=quote_ident(table)))
                    if path.stat().st_size == 0:
                        continue
                    tx.execute(LOAD_CSV.format(table=quote_ident(table),
                                               cols=", ".join(quote_ident(c) for c in cols),
                                               file=str(path).replace("'", "''")))
                # The copy replaced the catalog and settings rows too: the mirror's catalog memo (admins,
                # trust_typed_names, which the visibility rule reads in Python) must not answer from the last copy.
                tx.memo.bump()

            mirror.write(load)
