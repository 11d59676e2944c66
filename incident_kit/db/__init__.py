"""Storage: a small Database interface, the embedded DuckDB store and the PostgreSQL store."""

from __future__ import annotations

from pathlib import Path

from ..config import is_url
from .base import Database, Tx
from .duckdb import DuckDBDatabase


def open_database(target: str | Path, *, read_only: bool = False, write_strategy: str = "lock") -> Database:
    """Open a store and bring its schema up to date (read-write only).

    ``target`` is a ``postgresql://`` URL or the path of a DuckDB file.
    """
    from .migrate import check_current, migrate

    db: Database
    if is_url(target):
        from .postgres import PostgresDatabase

        db = PostgresDatabase(str(target), read_only=read_only)
    else:
        db = DuckDBDatabase(target, read_only=read_only, write_strategy=write_strategy)
    try:
        if read_only:
            check_current(db)
        else:
            migrate(db)
    except BaseException:
        db.close()
        raise
    return db


__all__ = ["Database", "Tx", "DuckDBDatabase", "open_database"]
