"""The small interface every store implements: the whole of it, nothing reached around it.

Services never talk to a driver. They hand a unit of work (a function of a
``Tx``) to ``Database.write`` or ``Database.read``; the database decides how to
make it atomic (DuckDB: a process-wide write lock around one transaction;
PostgreSQL: a SERIALIZABLE transaction, re-run on serialisation failures). SQL lives as named constants in each domain's ``store.py`` and
always binds values as ``?`` parameters.

Everything a caller outside ``db/`` uses is declared here, and mypy (``.ci/run``) checks that both
stores satisfy these protocols, so a new store built from this file has all it needs.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:  # pandas loads only where a frame is built, so write commands start fast
    import numpy as np
    import pandas as pd

T = TypeVar("T")


class Memo(Protocol):
    """A per-database cache for rarely changing data (the catalog); a store that cannot know every change
    (PostgreSQL: other processes write) computes every time."""

    def get(self, key: Hashable, compute: Callable[[], T]) -> T: ...

    def bump(self) -> None:
        """Forget every entry (after a commit that changed cached data)."""


class Tx(Protocol):
    """One open transaction (or consistent read)."""

    @property
    def dialect(self) -> str:
        """``"duckdb"`` or ``"postgres"``: a store picks ``SQL[tx.dialect]`` where a statement differs."""

    @property
    def memo(self) -> Memo:
        """The database's ``Memo``: ``memo.get(key, compute)``; ``memo.bump()`` after changing cached data."""

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None: ...

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> tuple | None: ...

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]: ...

    def df(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame: ...

    def insert_frame(self, table: str, frame: pd.DataFrame) -> None:
        """Bulk-append a DataFrame whose columns are a subset of the table's."""


class AnalyticsTx(Tx, Protocol):
    """What ``Database.analytics_read`` hands its work: a DuckDB transaction on every store (analytics SQL is
    DuckDB SQL), which can also return columns as numpy arrays."""

    def fetchnumpy(self, sql: str, params: Sequence[Any] = ()) -> dict[str, np.ndarray]:
        """Each column as a numpy array (a LIST column: an array of arrays), without pandas or Python tuples."""


class Database(Protocol):
    @property
    def path(self) -> str:
        """Where the data is, fit to show a person: a file path, or a URL without its password."""

    @property
    def target(self) -> str:
        """What the store was opened from, as given (a URL keeps its password: never show it; use ``path``)."""

    @property
    def read_only(self) -> bool: ...

    @property
    def dialect(self) -> str:
        """``"duckdb"`` or ``"postgres"``, as ``Tx.dialect`` (what migrations build, whether snapshots apply)."""

    @property
    def memo(self) -> Memo:
        """The catalog cache its transactions share (``Tx.memo``); ``bump()`` it after changing the catalog."""

    def write(self, work: Callable[[Tx], T], *, isolation: str = "serializable") -> T:
        """Run ``work`` as one atomic change; all of it commits or none of it.

        ``isolation="read committed"`` is for work that takes row locks itself (the outbox claim).
        """

    def read(self, work: Callable[[Tx], T]) -> T:
        """Run ``work`` against one consistent view of the data."""

    def data_version(self) -> Hashable:
        """A value that changes after every committed change to anything the store holds.

        The one rule for "has anything changed?" (analytics.memo, the similar index, snapshots). Equal
        versions mean equal data; read it *before* the read whose answer is kept under it. DuckDB: a
        per-file write generation in this process; PostgreSQL: the server's snapshot.
        """

    def table_versions(self, tables: Sequence[str], names: Collection[str] | None = None) -> dict[str, Hashable]:
        """Per table, a value that changes whenever that table may have changed (a finer ``data_version``:
        kept analytics answers reuse a query's result while none of the tables it reads has changed). Read
        it before the read it labels. DuckDB: per-table write generations in this process; PostgreSQL: what
        the analytics copy's refreshes moved (``analytics_read`` with the same ``tables`` and ``names``)."""

    def analytics_read(self, work: Callable[[AnalyticsTx], T], tables: Sequence[str],
                       names: Collection[str] | None = None) -> T:
        """Run DuckDB analytics SQL over one consistent view of ``tables`` (PostgreSQL: an in-process copy
        of the columns whose name is in ``names``, when given)."""

    def migration_lock(self) -> AbstractContextManager[None]:
        """Held around a migration run, so two processes starting at once do not both migrate."""

    def close(self) -> None: ...


class Joined:
    """A ``Database`` whose units of work run in a transaction that is already open.

    Services take a database and open a transaction of their own. A service that must compose another's
    change into its own atomic one (alert intake declaring an incident with its alert group's row; an
    Idempotency-Key recorded with the incident it declared) hands the other service ``Joined(tx, db)``:
    that service's checks, writes and hooks then commit in the caller's transaction, or not at all.
    """

    def __init__(self, tx: Tx, db: Database):
        self._tx = tx
        self.path = db.path
        self.memo = tx.memo
        self.dialect = tx.dialect

    def write(self, work: Callable[[Tx], T], *, isolation: str | None = None) -> T:
        return work(self._tx)  # the open transaction's isolation already applies

    def read(self, work: Callable[[Tx], T]) -> T:
        return work(self._tx)
