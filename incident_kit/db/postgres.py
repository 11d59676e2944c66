"""The PostgreSQL store: many processes (app replicas, CLI hooks, workers) at once.

Same ``Database`` interface as the DuckDB store; services never know which one
they hold. What differs, and why:

* **Connections** come from a ``psycopg_pool.ConnectionPool`` (per process and
  URL): each unit of work borrows one, runs one transaction, gives it back.
* **Isolation.** ``write`` runs SERIALIZABLE: the services' rules were written for
  DuckDB's one-writer-at-a-time, and SERIALIZABLE makes every unit of work
  behave as if it ran alone. A serialization failure or deadlock re-runs the
  whole unit of work, at most ``MAX_ATTEMPTS`` times with jittered backoff.
  ``read`` runs REPEATABLE READ: one consistent snapshot, never aborted.
* **Placeholders.** Stores write ``?``; ``adapt`` turns them into psycopg's
  ``%s`` in this one place. Values are bound client-side (``ClientCursor``) so
  ``? IS NULL`` and list parameters type themselves the way they do in DuckDB.
* **Per-dialect SQL.** ``tx.dialect`` is ``"postgres"``; a store whose
  statement cannot be written once picks ``SQL[tx.dialect]``. The few DuckDB
  built-ins the shared statements use (``list_contains``, ``to_minutes``) are
  defined as SQL functions by migration 0008 (see ``POSTGRES_STATEMENTS`` there).
* **No memo.** The DuckDB store caches the catalog per process because it is the
  only writer; here another process may change it, so every read goes to the
  server (a primary-key lookup).
* **Data version** (``data_version``): the server's snapshot, read in a transaction of its own
  before the read it labels. Other processes write here, so nothing in-process can know.
* **Analytics** run the same DuckDB SQL over a copy pulled with ``COPY`` into an
  in-process DuckDB (``analytics_read``, the store's ``mirror``: ``db/pgcopy.py``), so both stores
  print the same figures.
* **A server that is down** is one sentence (``StoreUnavailable``): one plain connection is tried
  before the pool opens, so the sentence says why at once (refused, unknown host, bad password)
  instead of the pool retrying for seconds, and the pool's own log warnings are quieted (see
  ``_quiet_pool_log``): every failure they describe reaches the person as the store's sentence.
"""

from __future__ import annotations

import contextlib
import logging
import random
import time
from collections.abc import Callable, Collection, Hashable, Iterator, Sequence
from functools import lru_cache
from typing import IO, TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from ..errors import IncidentKitError, StoreUnavailable
from .pgcopy import AnalyticsMirror

if TYPE_CHECKING:  # pandas loads only where a frame is built, so write commands start fast
    import pandas as pd
    import psycopg

    from .duckdb import DuckTx

T = TypeVar("T")

SCHEMES = ("postgresql", "postgres")
MAX_ATTEMPTS = 40  # 8 processes declaring at once retry a handful of times each; 40 bounds a livelock
POOL_MAX = 8  # one app replica's concurrent page runs; the server's max_connections is shared by all replicas
MIGRATION_LOCK_KEY = 7_311_2024  # pg_advisory_lock key: one migrator at a time across processes
# What ``data_version`` reads. Two equal snapshots (xmin:xmax:in-progress xids) see exactly the same
# committed transactions, so equal text means equal data in every table; any transaction that writes
# (anywhere on the server) or finishes changes it, and it never returns to an earlier value: a
# transaction that took a lower xid but commits later leaves the in-progress list, which the text shows.
# Spurious changes (another database's writes) only cost a recomputation. The server's start time
# guards against xids counted again after a restore of the whole cluster to an earlier point.
DATA_VERSION = "SELECT pg_postmaster_start_time()::text, pg_current_snapshot()::text"
CONNECT_TIMEOUT_S = 5  # an unreachable server is reported quickly instead of hanging the CLI
POOL_LOGGER = "psycopg.pool"


def _quiet_pool_log() -> None:
    """Keep psycopg_pool's warnings ("error connecting in 'incident-kit': ...", three or more per failed
    open) off the terminal: each failure they describe reaches the person as one ``StoreUnavailable``
    sentence, and with no logging configured Python prints every warning to stderr. Errors still show.
    An application that set the pool logger's level itself keeps its choice."""
    log = logging.getLogger(POOL_LOGGER)
    if log.level == logging.NOTSET:
        log.setLevel(logging.ERROR)


def check_url(url: str) -> None:
    """One clear sentence for a URL this toolkit cannot open."""
    scheme = urlsplit(url).scheme
    if scheme not in SCHEMES:
        raise StoreUnavailable(
            f"'{scheme}://' is not a store incident-kit knows; give a postgresql://user@host:port/database URL "
            "or the path of a DuckDB file.")


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url


@lru_cache(maxsize=2048)
def adapt(sql: str) -> str:
    """``?`` placeholders outside quotes become ``%s``; a literal ``%`` becomes ``%%``."""
    out = []
    quote = None
    comment = False
    for i, ch in enumerate(sql):
        if comment:  # a -- comment runs to the end of the line; a "?" or "'" in it means nothing
            comment = ch != "\n"
            out.append("%%" if ch == "%" else ch)
        elif quote:
            if ch == quote:
                quote = None
            out.append("%%" if ch == "%" else ch)
        elif ch == "-" and sql[i + 1:i + 2] == "-":
            comment = True
            out.append(ch)
        elif ch in ("'", '"'):
            quote = ch
            out.append(ch)
        elif ch == "?":
            out.append("%s")
        elif ch == "%":
            out.append("%%")
        else:
            out.append(ch)
    return "".join(out)


class NoMemo:
    """The catalog cache is off on PostgreSQL: another process may change it at any time."""

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        return compute()

    def bump(self) -> None:
        pass


_MISSING = ("NaTType", "NAType")  # pandas' missing time and missing value


def _plain(value: Any) -> Any:
    """A value (a parameter or a DataFrame cell) as psycopg wants it: NaN/NaT/NA -> NULL, numpy -> Python."""
    if value is None or type(value).__name__ in _MISSING:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        return None if value != value else value  # NaN is the one value unequal to itself
    if hasattr(value, "to_pydatetime"):  # a pandas Timestamp
        return value.to_pydatetime()
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return _plain(value.tolist()) if getattr(value, "ndim", 0) else _plain(value.item())
    return value


def _python_column(series: pd.Series) -> list[Any]:
    """One DataFrame column as Python values for COPY, converted a column at a time (not a cell at a time)."""
    import pandas as pd

    missing = series.isna().to_numpy()
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        values = list(series.dt.to_pydatetime())
    elif series.dtype == object:
        return [v if type(v) is str else _plain(v) for v in series.tolist()]
    else:
        values = series.astype(object).tolist()
        values = [v.item() if hasattr(v, "item") else v for v in values]
    if missing.any():
        values = [None if m else v for v, m in zip(values, missing)]
    return values


class PgTx:
    """One open transaction on one pooled connection."""

    __slots__ = ("_con", "_cur", "memo")
    dialect = "postgres"

    def __init__(self, con: psycopg.Connection, memo: NoMemo):
        self._con = con
        self._cur = con.cursor()
        self.memo = memo

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self._cur.execute(adapt(sql), [_plain(p) for p in params])

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self._cur.executemany(adapt(sql), [[_plain(v) for v in r] for r in rows])

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> tuple | None:
        self.execute(sql, params)
        return self._cur.fetchone()

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        self.execute(sql, params)
        return self._cur.fetchall()

    def df(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        from .pgframes import to_frame

        self.execute(sql, params)
        return to_frame(self._cur.description or [], self._cur.fetchall())

    def insert_frame(self, table: str, frame: pd.DataFrame) -> None:
        if frame.empty:
            return
        from .duckdb import quote_ident

        cols = ", ".join(quote_ident(c) for c in frame.columns)
        columns = [_python_column(frame[c]) for c in frame.columns]
        with self._cur.copy(f"COPY {quote_ident(table)} ({cols}) FROM STDIN") as copy:
            for row in zip(*columns):
                copy.write_row(row)

    def copy_out(self, sql: str, out: IO[bytes], params: Sequence[Any] = ()) -> None:
        """Stream ``COPY (...) TO STDOUT`` into a binary file (the analytics copy, ``db/pgcopy.py``); values
        are bound client-side (COPY takes no server-side parameters)."""
        with self._cur.copy(adapt(sql) if params else sql, [_plain(p) for p in params] or None) as copy:
            for chunk in copy:
                out.write(chunk)


class PostgresDatabase:
    """One per process and URL; obtain it through ``open_database``."""

    dialect = "postgres"

    def __init__(self, url: str, *, read_only: bool = False, pool_max: int = POOL_MAX):
        check_url(url)
        try:
            import psycopg
            from psycopg_pool import ConnectionPool
        except ImportError:
            raise StoreUnavailable(
                "PostgreSQL support is not installed; run: pip install 'incident-kit[postgres]'.",
                in_app="This app is set to use PostgreSQL, but PostgreSQL support is not installed; ask whoever "
                       "runs it to install it.") from None
        self._psycopg = psycopg
        self.path = redact(url)
        self.url = url
        self.read_only = read_only
        self.memo = NoMemo()
        self.retries = 0  # serialization failures absorbed (for benchmarks and tests)
        self._retryable = (psycopg.errors.SerializationFailure, psycopg.errors.DeadlockDetected)
        self.mirror = AnalyticsMirror(self)  # the in-process DuckDB copy analytics run on (db/pgcopy.py)
        _quiet_pool_log()
        connect_kwargs: dict[str, Any] = {"cursor_factory": psycopg.ClientCursor,
                                          "connect_timeout": CONNECT_TIMEOUT_S,
                                          "application_name": "incident-kit"}
        try:
            # One plain connection first: a refused or misnamed server fails here at once with its own
            # reason; the pool would retry it for the whole open timeout and then say only "incomplete".
            psycopg.connect(url, **connect_kwargs).close()
        except psycopg.Error as exc:
            raise self._unreachable(exc) from None
        self._pool = ConnectionPool(url, min_size=1, max_size=pool_max, open=False, configure=self._configure,
                                    kwargs=connect_kwargs, name="incident-kit")
        try:
            self._pool.open(wait=True, timeout=CONNECT_TIMEOUT_S + 1)
        except Exception as exc:
            self._pool.close()
            raise self._unreachable(exc) from None

    def _unreachable(self, exc: Exception) -> StoreUnavailable:
        return StoreUnavailable(
            f"Cannot reach the PostgreSQL server at {self.path}: {_first_line(exc)}; check that it is "
            "running and that the URL (host, port, database, user) is right.")

    @property
    def target(self) -> str:
        """The URL as given, password included: for comparing stores, never for messages (``path`` is)."""
        return self.url

    def _configure(self, con: psycopg.Connection) -> None:
        from psycopg.types.string import TextLoader

        # JSON comes back as text, as DuckDB returns it; callers json.loads it themselves.
        for name in ("json", "jsonb"):
            con.adapters.register_loader(name, TextLoader)
        con.execute("SET TIME ZONE 'UTC'")
        con.commit()

    # -- units of work -------------------------------------------------
    def write(self, work: Callable[[PgTx], T], *, isolation: str = "serializable") -> T:
        if self.read_only:
            raise StoreUnavailable(f"The database {self.path} is open read-only; changes must go through a "
                                   "read-write connection.")
        level = {"serializable": self._psycopg.IsolationLevel.SERIALIZABLE,
                 "read committed": self._psycopg.IsolationLevel.READ_COMMITTED}[isolation]
        for attempt in range(MAX_ATTEMPTS):
            try:
                return self._run(work, level)
            except self._retryable:
                self.retries += 1
                if attempt == MAX_ATTEMPTS - 1:
                    raise
                time.sleep(min(0.2, 0.002 * 2 ** min(attempt, 8)) * random.random())
        raise AssertionError("unreachable")

    def data_version(self) -> tuple[str, str, str]:
        """Changes after every committed change by any process (see ``DATA_VERSION``); one round trip.

        Read it *before* the read whose answer is kept under it: then an answer can only be filed
        under a version older than its data, never newer.
        """
        row = self.read(lambda tx: tx.fetchone(DATA_VERSION))
        assert row is not None  # a SELECT without FROM returns one row
        started, snapshot = row
        return ("postgres", started, snapshot)

    def read(self, work: Callable[[PgTx], T]) -> T:
        try:
            return self._run(work, self._psycopg.IsolationLevel.REPEATABLE_READ)
        except _ConnectionLost:  # the server dropped pooled connections (restart, failover): once more, afresh
            return self._run(work, self._psycopg.IsolationLevel.REPEATABLE_READ)

    def _run(self, work: Callable[[PgTx], T], isolation: psycopg.IsolationLevel) -> T:
        from psycopg_pool import PoolTimeout

        try:
            with self._pool.connection() as con:
                con.isolation_level = isolation
                with con.transaction():
                    return work(PgTx(con, self.memo))
        except self._retryable:
            raise
        except self._psycopg.DataError as exc:
            if "NUL" not in str(exc):
                raise
            # The services drop NUL from what people type (bounds.without_nul); any other text that carries one
            # (a file's field, a label) is one sentence here, on the one store that cannot hold it.
            raise IncidentKitError("Text with a NUL character (\\0) cannot be saved; remove it and try again.") \
                from None
        except (self._psycopg.OperationalError, PoolTimeout) as exc:
            self._pool.check()  # replace every idle connection the server dropped too, not just this one
            raise _ConnectionLost(
                f"Lost the connection to the PostgreSQL server at {self.path} ({_first_line(exc)}); check that "
                "it is running and try again (a change that was being saved may or may not have been).") from None

    def table_versions(self, tables: Sequence[str], names: Collection[str] | None = None) -> dict[str, Hashable]:
        """Per table, a value that changes whenever the analytics copy's rows of it change (the copy is
        refreshed first: ``AnalyticsMirror.versions``)."""
        return self.mirror.versions(tables, names)

    def analytics_read(self, work: Callable[[DuckTx], T], tables: Sequence[str],
                       names: Collection[str] | None = None) -> T:
        """Run ``work`` (written for DuckDB) over a consistent copy of ``tables`` in an in-process DuckDB;
        with ``names``, only the columns named there are copied (the rest read as NULL)."""
        return self.mirror.run(work, tables, names)

    @contextlib.contextmanager
    def migration_lock(self) -> Iterator[None]:
        """Hold a session advisory lock so only one process migrates at a time."""
        with self._pool.connection() as con:
            con.autocommit = True
            con.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK_KEY])
            try:
                yield
            finally:
                con.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK_KEY])
                con.autocommit = False

    def close(self) -> None:
        self._pool.close()
        self.mirror.close()


class _ConnectionLost(StoreUnavailable):
    """The server went away during a unit of work (it is reported to the person as a StoreUnavailable)."""


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0].rstrip(".") if text else type(exc).__name__
