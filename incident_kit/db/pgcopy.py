"""Analytics on PostgreSQL: the same DuckDB SQL over an in-process copy, refreshed by what changed.

Why not port the analytics SQL: the figures must match DuckDB's to the last
printed digit, and one SQL text for both stores cannot drift. The cost is the
copy: kept under the store's data version (the reads of one Insights view share
it), taken whole once per process, then refreshed after each change with only
the incidents whose rows changed (``benchmarks/bench_scale.py`` measures both).

How: one REPEATABLE READ transaction streams each table the analytics read
with ``COPY (SELECT ...) TO STDOUT (FORMAT CSV)`` (arrays as JSON text, which
DuckDB casts back to lists) into a temporary file, and DuckDB's CSV reader
loads it into a schema built by the same migrations as a DuckDB store. The copy
remembers that transaction's snapshot; the next refresh asks the change log
(migration 19: which incidents each transaction changed, per table) for the
incidents of every transaction that snapshot could not see, drops the copy's
rows of those incidents and loads the store's rows of them. The small catalog
tables (settings, severities, types) are copied whole each time.

The copy is kept in a DuckDB file between processes (``db/pgcache.py``: where, how private, what it must
match): it remembers its snapshot and shape, so a new process refreshes only what changed since, and its
memory is capped. Without a usable file (turned off, every slot busy) the copy is taken in memory.

``AnalyticsMirror`` is that copy: a ``PostgresDatabase`` owns one and hands it every ``analytics_read``;
it reads the store only through the store's public interface (``read``, ``data_version``, ``PgTx.copy_out``).
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
import threading
from collections.abc import Callable, Collection, Hashable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from ..clock import utcnow
from . import pgcache
from .duckdb import DuckDBDatabase, DuckTx, quote_ident

if TYPE_CHECKING:
    from .postgres import PgTx, PostgresDatabase

T = TypeVar("T")
log = logging.getLogger(__name__)

SELECT_COLUMNS = """
SELECT column_name, data_type FROM information_schema.columns
WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position"""
DUCK_COLUMNS = "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position"
TRUNCATE = "DELETE FROM {table}"
LOAD_CSV = ("COPY {table} ({cols}) FROM '{file}' (FORMAT CSV, AUTO_DETECT false, HEADER false, DELIM ',', "
            "NULL '', ALLOW_QUOTED_NULLS false, QUOTE '\"', ESCAPE '\"')")
# The snapshot of the copying transaction (REPEATABLE READ: the one every statement in it sees).
SNAPSHOT = "SELECT pg_current_snapshot()::text"
# Incidents changed, per table, by every transaction the last copy's snapshot could not see (committed
# since, or running then). The xid bound lets the index skip the log's history.
CHANGED_SINCE = """
SELECT table_name, array_agg(DISTINCT incident_id ORDER BY incident_id) FROM incident_kit_changes.changes
WHERE xid >= pg_snapshot_xmin(CAST(? AS pg_snapshot)) AND NOT pg_visible_in_snapshot(xid, CAST(? AS pg_snapshot))
GROUP BY table_name"""
# Whether rows a copy taken in this snapshot could need were pruned from the log, or the server's transaction
# ids went back behind it (a restore of the cluster): then it copies whole.
PRUNED_SINCE = """
SELECT upto >= pg_snapshot_xmin(CAST(? AS pg_snapshot))
       OR pg_snapshot_xmax(pg_current_snapshot()) < pg_snapshot_xmax(CAST(? AS pg_snapshot))
FROM incident_kit_changes.pruned"""
# Drop log rows older than a cut-off and remember the newest transaction id dropped; returns how many.
PRUNE = """
WITH gone AS (DELETE FROM incident_kit_changes.changes WHERE at < ? RETURNING xid),
     newest AS (SELECT xid FROM gone ORDER BY xid DESC LIMIT 1),
     noted AS (UPDATE incident_kit_changes.pruned SET upto = newest.xid FROM newest WHERE newest.xid > upto
               RETURNING 1)
SELECT count(*) FROM gone"""
KEEP = dt.timedelta(days=1)  # a copy idle longer than this (a quiet night) copies whole when next used
PRUNE_EVERY = dt.timedelta(hours=1)  # each copy prunes at most this often: one small delete
SOME_ROWS = " WHERE {column} = ANY(CAST(? AS BIGINT[]))"
DROP_SOME = "DELETE FROM {table} WHERE {column} IN (SELECT unnest(CAST(? AS BIGINT[])))"
# The tables the change log covers, and the column naming each row's incident (migration 19 ``LOGGED``).
BY_INCIDENT = {"incidents": "id", "incident_roles": "incident_id", "incident_members": "incident_id",
               "update_facts": "incident_id", "follow_ups": "incident_id", "reviews": "incident_id"}


def _digest(path: Path) -> str:
    import hashlib

    h = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def prune(source: PostgresDatabase, *, before: dt.datetime | None = None) -> int:
    """Drop change-log rows written before ``before`` (default: ``KEEP`` ago); returns how many."""
    cutoff = before or utcnow() - KEEP

    def work(tx: PgTx) -> int:
        row = tx.fetchone(PRUNE, [cutoff])
        return int(row[0]) if row else 0

    return source.write(work, isolation="read committed")


class AnalyticsMirror:
    """An in-process DuckDB holding a copy of a PostgreSQL store's analytics tables, refreshed on demand.

    ``run`` refreshes only when the store changed since the last copy. The Insights page makes several
    analytics reads per view (the bundle, each period of the comparison, XmR, survival); each copied every
    table again (~1.4 s at 100k incidents). The copy is kept under ``source.data_version()`` read *before*
    it: the same version later means no transaction has committed since, so the mirror (taken at or after
    that version) still holds exactly the store's data. One read at a time (a lock): the copy is shared.

    The first copy (and one with other tables or columns) is whole, unless a file kept by an earlier process
    holds one (``db/pgcache.py``); later ones move only the rows of the incidents changed since
    (``CHANGED_SINCE``). ``refreshes`` counts refreshes, ``copies`` those that changed
    the copy's rows (whole, moved rows, or a catalog that differs), ``whole_copies`` the whole ones and
    ``rows_moved`` the rows the last refresh loaded, per table (tests and benchmarks check them).

    The data version is the server's snapshot, so a commit that touches none of these tables (another
    database on the server, autovacuum's ANALYZE) also triggers a refresh. That refresh asks the change log,
    finds nothing and moves nothing; ``versions`` (what answers are kept under) stays the same.
    """

    def __init__(self, source: PostgresDatabase):
        self._source = source
        self._db: DuckDBDatabase | None = None
        self._kept: pgcache.KeptCopy | None = None  # the file the copy is kept in, when there is one
        self._key: Hashable | None = None  # what the mirror holds: (data version, tables, names)
        self._snapshot: str | None = None  # the snapshot the mirror's rows were read in
        self._shape: str | None = None  # a digest of (tables, names) of those rows
        self._lock = threading.Lock()
        self._pruned_at: dt.datetime | None = None
        self._changes: dict[str, int] = {}  # per table, the refreshes that changed its rows (``versions``)
        self._digests: dict[str, str] = {}  # per table copied whole, a digest of what was copied
        self.refreshes = 0
        self.copies = 0
        self.whole_copies = 0
        self.rows_moved: dict[str, int] = {}

    def run(self, work: Callable[[DuckTx], T], tables: Sequence[str],
            names: Collection[str] | None = None) -> T:
        """``work`` (DuckDB SQL) over a copy of ``tables`` as the store holds them now; with ``names``, only
        the columns named there are copied (the rest read as NULL)."""
        with self._lock:
            return self._refreshed(tables, names).read(work)

    def versions(self, tables: Sequence[str], names: Collection[str] | None = None) -> dict[str, Hashable]:
        """Per table, a value that changes whenever the copy's rows of it change (refreshed first): whole
        copies change every table's; a refresh those of the tables it moved rows in, and of the small
        catalog tables whose content differs from the last copy's."""
        with self._lock:
            self._refreshed(tables, names)
            return {t: (self.whole_copies, self._changes.get(t, 0)) for t in tables}

    def _refreshed(self, tables: Sequence[str], names: Collection[str] | None) -> DuckDBDatabase:
        mirror = self._mirror(tables)
        shape = _shape(tables, names)
        key = (self._source.data_version(), shape)
        if self._key != key:
            since = self._snapshot if self._shape == shape else None  # else copy whole
            self._key = self._snapshot = None  # a copy that fails half-way leaves nothing to trust
            self._snapshot, changed = self._copy(mirror, tables, names, since=since, shape=shape)
            self._shape, self._key = shape, key
            self.refreshes += 1
            self.copies += changed
            self._prune_now_and_then()
        return mirror

    def _prune_now_and_then(self) -> None:
        """Keep the change log to about ``KEEP`` of changes: at most every ``PRUNE_EVERY`` per copy. Never fails
        a read: a prune that fails is tried again later."""
        now = utcnow()
        if self._source.read_only or (self._pruned_at is not None and now - self._pruned_at < PRUNE_EVERY):
            return
        self._pruned_at = now
        try:
            prune(self._source)
        except Exception:
            log.warning("Pruning the analytics change log failed; it will be tried again.", exc_info=True)

    def forget(self) -> None:
        """Copy whole at the next ``run`` even if the store has not changed (a benchmark times the copy)."""
        with self._lock:
            self._key, self._snapshot = None, None

    @property
    def file(self) -> Path | None:
        """The DuckDB file the copy is kept in, or None (in memory)."""
        return None if self._kept is None else self._kept.path

    def close(self) -> None:
        with self._lock:
            if self._kept is not None:
                self._kept.release()
            elif self._db is not None:
                self._db.close()
            self._db, self._kept, self._key, self._snapshot, self._shape = None, None, None, None, None

    def _mirror(self, tables: Sequence[str]) -> DuckDBDatabase:
        """The DuckDB the copy is in: the kept file (with the snapshot and shape it remembers) or, without
        one, a new in-memory database. Opened once per PostgreSQL store."""
        if self._db is None:
            self._kept = pgcache.open_kept(self._source, lambda db: _build(db, tables))
            if self._kept is not None:
                self._db = self._kept.db
                self._snapshot = self._kept.meta.get("snapshot")
                self._shape = self._kept.meta.get("shape")
            else:
                self._db = DuckDBDatabase(":memory:")
                _build(self._db, tables)
        return self._db

    def _copy(self, mirror: DuckDBDatabase, tables: Sequence[str], names: Collection[str] | None,
              *, since: str | None, shape: str) -> tuple[str, bool]:
        """Bring the mirror's rows of ``tables`` to the store's, from one consistent snapshot; returns it and
        whether any table's rows changed.

        ``since`` (the snapshot of the rows the mirror holds): move only the incidents changed after it.
        """
        with tempfile.TemporaryDirectory(prefix="ik-analytics-") as tmp:
            files: dict[str, tuple[Path, list[str], list[int] | None]] = {}  # table: (csv, columns, incidents)

            def pull(tx: PgTx) -> tuple[str, bool]:
                row = tx.fetchone(SNAPSHOT)
                assert row is not None
                pruned = None if since is None else tx.fetchone(PRUNED_SINCE, [since, since])
                whole = pruned is None or bool(pruned[0])  # no copy yet, or rows it would need were pruned
                changed = {} if whole else dict(tx.fetchall(CHANGED_SINCE, [since, since]))
                for table in tables:
                    only = changed.get(table, []) if not whole and table in BY_INCIDENT else None
                    if only == []:
                        continue  # nothing of this table changed
                    duck_cols = [r[0] for r in mirror.read(lambda t: t.fetchall(DUCK_COLUMNS, [table]))]  # runs now
                    pg_cols = dict(tx.fetchall(SELECT_COLUMNS, [table]))
                    cols = [c for c in duck_cols if c in pg_cols and (names is None or c in names)]
                    select = ", ".join(f"to_json({quote_ident(c)})::text" if pg_cols[c] == "ARRAY"
                                       else quote_ident(c) for c in cols)
                    sql = f"SELECT {select} FROM {quote_ident(table)}"
                    params: list = []
                    if only is not None:
                        sql += SOME_ROWS.format(column=quote_ident(BY_INCIDENT[table]))
                        params = [only]
                    path = Path(tmp) / f"{table}.csv"
                    with open(path, "wb") as out:
                        tx.copy_out(f"COPY ({sql}) TO STDOUT (FORMAT CSV)", out, params)
                    files[table] = (path, cols, only)
                return row[0], whole

            snapshot, whole = self._source.read(pull)

            def load(tx: DuckTx) -> dict[str, int]:
                moved = {}
                for table, (path, cols, only) in files.items():
                    name = quote_ident(table)
                    if only is None:
                        tx.execute(TRUNCATE.format(table=name))
                    else:
                        tx.execute(DROP_SOME.format(table=name, column=quote_ident(BY_INCIDENT[table])), [only])
                    moved[table] = 0
                    if only is None and table not in BY_INCIDENT:  # the catalog, copied whole every time
                        digest = _digest(path)
                        if self._digests.get(table) != digest:
                            self._changes[table] = self._changes.get(table, 0) + 1
                        self._digests[table] = digest
                    else:
                        self._changes[table] = self._changes.get(table, 0) + 1
                    if path.stat().st_size == 0:
                        continue
                    loaded = tx.fetchone(LOAD_CSV.format(table=name, cols=", ".join(quote_ident(c) for c in cols),
                                                         file=str(path).replace("'", "''")))
                    moved[table] = int(loaded[0]) if loaded else 0
                if self._kept is not None:  # the rows and the snapshot they were read in persist together
                    self._kept.remember(tx, snapshot=snapshot, shape=shape)
                # The copy replaced the catalog and settings rows too: the mirror's catalog memo (admins,
                # trust_typed_names, which the visibility rule reads in Python) must not answer from the last copy.
                tx.memo.bump()
                return moved

            before = sum(self._changes.values())
            self.rows_moved = mirror.write(load)
            if self._kept is not None:
                pgcache.make_private(self._kept.path)  # DuckDB may have made its log file since
            if whole:
                self.whole_copies += 1
            return snapshot, whole or sum(self._changes.values()) != before


def _shape(tables: Sequence[str], names: Collection[str] | None) -> str:
    """A digest of which tables and columns a copy holds (a kept file remembers it)."""
    import hashlib
    import json

    text = json.dumps([list(tables), None if names is None else sorted(names)])
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _build(db: DuckDBDatabase, tables: Sequence[str]) -> None:
    """An empty copy's schema: the migrations of a DuckDB store, then ``tables`` without their constraints (a
    column left out of the copy reads as NULL, even where the store says NOT NULL); the types stay DuckDB's."""
    from .migrate import migrate

    migrate(db)

    def loosen(tx: DuckTx) -> None:
        for table in tables:
            name = quote_ident(table)
            tx.execute(f"CREATE TABLE {quote_ident(table + '__copy')} AS SELECT * FROM {name} LIMIT 0")
            tx.execute(f"DROP TABLE {name}")
            tx.execute(f"ALTER TABLE {quote_ident(table + '__copy')} RENAME TO {name}")

    db.write(loosen)
