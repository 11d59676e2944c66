"""Storage: a small Database interface and its embedded DuckDB implementation."""

from .base import Database, Tx
from .duckdb import DuckDBDatabase, open_database

__all__ = ["Database", "Tx", "DuckDBDatabase", "open_database"]
