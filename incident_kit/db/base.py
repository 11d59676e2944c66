"""The small interface every store implements.

Services never talk to a driver. They hand a unit of work (a function of a
``Tx``) to ``Database.write`` or ``Database.read``; the database decides how to
make it atomic (DuckDB: a process-wide write lock around one transaction;
PostgreSQL: a SERIALIZABLE transaction, re-run on serialisation failures). SQL lives as named constants in each domain's ``store.py`` and
always binds values as ``?`` parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:  # pandas loads only where a frame is built, so write commands start fast
    import pandas as pd

T = TypeVar("T")


class Tx(Protocol):
    """One open transaction (or consistent read)."""

    dialect: str  # "duckdb" | "postgres": a store picks SQL[tx.dialect] where a statement differs
    memo: Any  # per-database cache: memo.get(key, compute); memo.bump() after changing cached data

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None: ...

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> tuple | None: ...

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]: ...

    def df(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame: ...

    def insert_frame(self, table: str, frame: pd.DataFrame) -> None:
        """Bulk-append a DataFrame whose columns are a subset of the table's."""


class Database(Protocol):
    path: str
    read_only: bool

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

    def analytics_read(self, work: Callable[[Tx], T], tables: Sequence[str], names=None) -> T:
        """Run DuckDB analytics SQL over one consistent view of ``tables`` (PostgreSQL: an in-process copy
        of the columns whose name is in ``names``, when given)."""

    def close(self) -> None: ...
