"""The embedded default store: one DuckDB connection per process.

* One connection per process (DuckDB lets only one process open a file
  read-write), and a fresh ``cursor()`` for every unit of work, so any number
  of threads can share the connection safely.
* Writes are serialised by a process-wide lock ("lock" strategy, the default).
  DuckDB's optimistic concurrency would otherwise abort one of two
  transactions that touch the same rows; the alternative "retry" strategy
  re-runs the unit of work with a bounded backoff instead.
  ``benchmarks/bench_store.py`` measures both; see benchmarks/README.md.
* ``read`` runs its unit of work in one transaction: every statement in it sees
  the same snapshot, even while a writer commits.
* Every timestamp is TIMESTAMPTZ and the session time zone is UTC.
* ``data_version()`` is a per-file write generation kept in this process and bumped
  after every ``write``: exact, because only this process can change the file.
* Every connection is made by ``connect`` with ``CONFIG``: DuckDB never downloads or loads an
  extension by itself (a SQLite file given as --db would otherwise fetch ``sqlite_scanner``).
* A failure of the file itself (full disk, damage, another format) is one sentence: ``db/duckfaults.py``.
"""

from __future__ import annotations

import contextlib
import re
import random
import threading
import time
from collections.abc import Callable, Collection, Hashable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import duckdb

if TYPE_CHECKING:  # pandas loads only where a frame is built, so write commands start fast
    import numpy as np
    import pandas as pd

from ..errors import StoreUnavailable
from .duckfaults import explain_open_error, maps_file_failures

T = TypeVar("T")

# DuckDB reports write-write conflicts as TransactionException and, for unique
# keys taken by a concurrent commit, ConstraintException; both are safe to retry.
_RETRYABLE = (duckdb.TransactionException, duckdb.ConstraintException)
MAX_RETRIES = 200  # bounded; 16 threads racing for the next reference can need dozens
# Everything this package runs is built into the DuckDB wheel (core functions, icu for time zones, json,
# parquet). A file of another kind (SQLite) or an unknown function would otherwise make DuckDB download
# an extension from the internet and run it: an install must make no request off the machine.
CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}


def connect(path: str = ":memory:", *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Every DuckDB connection this package opens (with ``CONFIG``: no extension is fetched or loaded)."""
    return duckdb.connect(path, read_only=read_only, config=dict(CONFIG))


# What a statement writes, from its text (``Writes.note``): the target of INSERT / UPDATE / DELETE.
_NAME = r"((?:\"?\w+\"?\.)*\"?\w+\"?)"  # a table name, maybe quoted, maybe schema-qualified
_TARGET = re.compile(r"^(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+" + _NAME, re.IGNORECASE)
_DML = re.compile(r"\b(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+" + _NAME, re.IGNORECASE)
_LEADING_COMMENTS = re.compile(r"^(?:\s+|--[^\n]*\n?)+")


class Writes:
    """The tables one unit of work wrote to (``tables``), or ``unknown`` when a statement's target could not be
    told from its text (DDL, COPY, anything new): then every table counts as written.

    Conservative by construction: a SELECT (``nextval`` only moves a sequence) writes nothing; INSERT, UPDATE and
    DELETE write their target; a WITH names every DML target in it; any other statement writes everything.
    """

    __slots__ = ("tables", "unknown")

    def __init__(self) -> None:
        self.tables: set[str] = set()
        self.unknown = False

    def note(self, sql: str) -> None:
        text = _LEADING_COMMENTS.sub("", sql)
        head = text[:6].upper()
        if head.startswith("SELECT"):
            return
        if head.startswith("WITH"):
            self.tables.update(_table(t) for t in _DML.findall(text))
            return
        found = _TARGET.match(text)
        if found:
            self.tables.add(_table(found.group(1)))
        else:
            self.unknown = True


def _table(name: str) -> str:
    """``"main"."Incidents"`` -> ``incidents``: the table part, unquoted, as the catalog spells it."""
    return name.rsplit(".", 1)[-1].strip('"').lower()


class DuckTx:
    __slots__ = ("_cur", "memo", "_writes")
    dialect = "duckdb"  # stores pick SQL[tx.dialect] where a statement differs between stores

    def __init__(self, cursor: duckdb.DuckDBPyConnection, memo: Memo, writes: Writes | None = None):
        self._cur = cursor
        self.memo = memo
        self._writes = writes  # a write transaction notes what it writes (``DuckDBDatabase.table_versions``)

    def _run(self, sql: str, params: Sequence[Any]) -> duckdb.DuckDBPyConnection:
        if self._writes is not None:
            self._writes.note(sql)
        return self._cur.execute(sql, list(params))

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self._run(sql, params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            if self._writes is not None:
                self._writes.note(sql)
            self._cur.executemany(sql, [list(r) for r in rows])

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> tuple | None:
        return self._run(sql, params).fetchone()

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        return self._run(sql, params).fetchall()

    def df(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        return self._run(sql, params).df()

    def fetchnumpy(self, sql: str, params: Sequence[Any] = ()) -> dict[str, np.ndarray]:
        """Each column as a numpy array (a LIST column: an array of arrays), without pandas or Python tuples.

        ``AnalyticsTx``: analytics reads (``analytics_read``) get a DuckTx on every store."""
        return self._run(sql, params).fetchnumpy()

    def insert_frame(self, table: str, frame: pd.DataFrame) -> None:
        if frame.empty:
            return
        if self._writes is not None:
            self._writes.tables.add(table.lower())
        name = f"_frame_{threading.get_ident()}"
        # A read earlier in the transaction may have left its result unread (``fetchone`` of several rows);
        # DuckDB then refuses to register a frame on the connection until that result is run to its end.
        finish = getattr(self._cur, "complete", None)  # DuckDB 2's streaming results; earlier ones had none
        if finish is not None:
            finish()
        self._cur.register(name, frame)
        try:
            cols = ", ".join(quote_ident(c) for c in frame.columns)
            self._cur.execute(f"INSERT INTO {quote_ident(table)} ({cols}) SELECT {cols} FROM {name}")
        finally:
            self._cur.unregister(name)


class Memo:
    """Per-database cache for rarely changing data (the catalog).

    Safe because DuckDB lets only one process open the file read-write, so every
    change to cached data goes through this object. ``bump()`` after a commit
    that changes it; an entry computed before the bump is never served after it.
    """

    def __init__(self) -> None:
        self._generation = 0
        self._entries: dict[Hashable, tuple[int, Any]] = {}

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        gen = self._generation
        hit = self._entries.get(key)
        if hit is not None and hit[0] == gen:
            return hit[1]
        value = compute()
        self._entries[key] = (gen, value)
        return value

    def bump(self) -> None:
        self._generation += 1


class WriteGeneration:
    """How many units of work have finished writing to one file in this process (``data_version``).

    Exact because DuckDB lets one process open a file read-write and every change in this package goes
    through ``DuckDBDatabase.write`` (migrations, imports, demo data and restores included). Shared by
    every ``DuckDBDatabase`` on the same file in this process (see ``_shared``), so a write through one
    of them is seen through the others.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.value = 0
        self.unknown = 0  # writes whose tables could not be told: they count for every table
        self.tables: dict[str, int] = {}  # per table, the writes that touched it

    def bump(self, writes: Writes | None = None) -> None:
        with self._lock:
            self.value += 1
            if writes is None or writes.unknown:
                self.unknown += 1
            else:
                for table in writes.tables:
                    self.tables[table] = self.tables.get(table, 0) + 1

    def of(self, tables: Sequence[str]) -> dict[str, tuple[int, int]]:
        with self._lock:
            return {t: (self.unknown, self.tables.get(t.lower(), 0)) for t in tables}


_SHARED: dict[str, tuple[WriteGeneration, Memo]] = {}  # resolved file path -> its generation and catalog memo
_SHARED_LOCK = threading.Lock()


def _shared(path: str) -> tuple[WriteGeneration, Memo]:
    """The write generation and catalog memo of ``path``, one pair per file in this process.

    DuckDB serves every connection to one file in a process from one database instance, so two
    ``DuckDBDatabase`` objects on it see each other's writes; their caches must too. ``:memory:`` is a
    new database each time, so it gets a pair of its own.
    """
    if path == ":memory:":
        return WriteGeneration(), Memo()
    key = str(Path(path).resolve())
    with _SHARED_LOCK:
        if key not in _SHARED:
            _SHARED[key] = (WriteGeneration(), Memo())
        return _SHARED[key]


def local_df(sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
    """Run DuckDB SQL (e.g. ``read_csv``) in a private in-memory DuckDB, whatever the store is."""
    with connect() as con:
        return con.execute(sql, list(params)).df()


def quote_ident(name: str) -> str:
    """The one place identifiers are quoted; values are always bound parameters."""
    return '"' + str(name).replace('"', '""') + '"'


class DuckDBDatabase:
    """One per process and file; obtain it through ``open_database``."""

    dialect = "duckdb"

    def __init__(self, path: str | Path, *, read_only: bool = False, write_strategy: str = "lock"):
        if write_strategy not in ("lock", "retry"):
            raise ValueError("write_strategy must be 'lock' or 'retry'")
        self.path = str(path)
        self.read_only = read_only
        self.write_strategy = write_strategy
        self._write_lock = threading.Lock()
        self.retries = 0  # conflicts absorbed by the retry strategy (for benchmarks)
        self._generation, self.memo = _shared(self.path)
        # Another process may have changed the file since this process last held it: nothing cached before
        # this opening may answer after it.
        self._generation.bump()
        self.memo.bump()
        p = Path(path)
        if str(path) != ":memory:" and not read_only:
            p.parent.mkdir(parents=True, exist_ok=True)
        if read_only and str(path) != ":memory:" and not p.exists():
            raise StoreUnavailable(f"There is no database at {p}; declare an incident or run `incident-kit demo` first.")
        try:
            self._con = connect(self.path, read_only=read_only)
        except duckdb.Error as exc:
            raise explain_open_error(p, exc) from None
        self._con.execute("SET GLOBAL TimeZone = 'UTC'")

    @property
    def target(self) -> str:
        """The file, as given (a DuckDB path holds no secret)."""
        return self.path

    # -- units of work -------------------------------------------------
    def write(self, work: Callable[[DuckTx], T], *, isolation: str = "serializable") -> T:
        """``isolation`` is for stores with concurrent writers; DuckDB's one writer at a time is serializable."""
        if self.read_only:
            raise StoreUnavailable(
                f"The database {self.path} is open read-only (a snapshot); changes must go through the app "
                "or a read-write connection."
            )
        writes = Writes()
        try:
            return self._write(work, writes)
        finally:
            # After the commit (or the failure): a reader that took the old version before this point may
            # file an answer computed from newer data under it, never an older answer under the new version.
            # A failed unit of work bumps too: a spurious miss costs one recomputation, a missed bump a
            # stale answer.
            self._generation.bump(writes)

    def _write(self, work: Callable[[DuckTx], T], writes: Writes) -> T:
        if self.write_strategy == "lock":
            with self._write_lock:
                return self._run(work, writes)
        for attempt in range(MAX_RETRIES):
            try:
                return self._run(work, writes)
            except _RETRYABLE:
                self.retries += 1
                if attempt == MAX_RETRIES - 1:
                    raise
                time.sleep(min(0.1, 0.0005 * 2 ** min(attempt, 10)) * random.random())
        raise AssertionError("unreachable")

    def data_version(self) -> tuple[str, int]:
        """Changes after every committed write to this file (see ``WriteGeneration``); free to read.

        Read it *before* the read whose answer is kept under it: then an answer can only be filed
        under a version older than its data, never newer.
        """
        return ("duckdb", self._generation.value)

    def table_versions(self, tables: Sequence[str], names: Collection[str] | None = None) -> dict[str, Hashable]:
        """Per table, a value that changes after every committed write that may have touched it (see
        ``Writes``: a statement whose target cannot be told counts for every table). Read it before the read
        whose answer it labels, as ``data_version``."""
        return dict(self._generation.of(tables))

    @maps_file_failures
    def read(self, work: Callable[[DuckTx], T]) -> T:
        cur = self._con.cursor()
        try:
            cur.execute("BEGIN TRANSACTION")  # one snapshot for every statement in ``work``
            try:
                result = work(DuckTx(cur, self.memo))
            except BaseException:
                try:
                    cur.execute("ROLLBACK")
                except duckdb.Error:
                    pass  # the transaction was already aborted by the error
                raise
            # Nothing was written to this database, so COMMIT only ends the snapshot; work that
            # copies into an ATTACHed file (snapshot.publish) keeps what it wrote there.
            cur.execute("COMMIT")
            return result
        finally:
            cur.close()

    def analytics_read(self, work: Callable[[DuckTx], T], tables: Sequence[str] = (),
                       names: Collection[str] | None = None) -> T:
        """Analytics SQL is DuckDB SQL: here it runs on the file itself."""
        return self.read(work)

    @contextlib.contextmanager
    def migration_lock(self) -> Iterator[None]:
        """One process holds a DuckDB file read-write, so migrations need no lock beyond that."""
        yield

    @maps_file_failures
    def _run(self, work: Callable[[DuckTx], T], writes: Writes | None = None) -> T:
        cur = self._con.cursor()
        try:
            cur.execute("BEGIN TRANSACTION")
            try:
                result = work(DuckTx(cur, self.memo, writes if writes is not None else Writes()))
                cur.execute("COMMIT")
            except BaseException:
                try:
                    cur.execute("ROLLBACK")
                except duckdb.Error:
                    pass  # a failed COMMIT has already rolled back
                raise
            return result
        finally:
            cur.close()

    @maps_file_failures
    def checkpoint(self) -> None:
        if not self.read_only:
            with self._write_lock:
                self._con.execute("CHECKPOINT")

    def close(self) -> None:
        self._con.close()


def open_database(path: str | Path, *, read_only: bool = False, write_strategy: str = "lock") -> DuckDBDatabase:
    """Open the file and bring its schema up to date (read-write only); see ``incident_kit.db.open_database``."""
    from . import open_database as open_any

    db = open_any(Path(path) if str(path) != ":memory:" else path, read_only=read_only,
                  write_strategy=write_strategy)
    assert isinstance(db, DuckDBDatabase)  # a path (not a URL) always opens a DuckDB store
    return db
