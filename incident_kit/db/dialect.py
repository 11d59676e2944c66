"""Statements that cannot be written once for both stores.

A store keeps its DuckDB statement as the named constant and derives the
PostgreSQL one with ``per_dialect``; callers use ``SQL[tx.dialect]`` and never
know which store they hold. Each replacement must occur in the DuckDB text, so
a later edit of the DuckDB statement that drops it fails at import instead of
silently running DuckDB SQL on PostgreSQL.
"""

from __future__ import annotations

# DuckDB's arg_max(x, y) skips rows where x is NULL; this is the same in standard SQL (both stores accept it,
# but DuckDB's own aggregate is several times faster, so DuckDB keeps it).
LAST_NOT_NULL = "(array_agg({x} ORDER BY {y} DESC) FILTER (WHERE {x} IS NOT NULL))[1]"


def arg_max(x: str, y: str) -> tuple[str, str]:
    """The (DuckDB, PostgreSQL) spellings of ``arg_max(x, y)``."""
    return f"arg_max({x}, {y})", LAST_NOT_NULL.format(x=x, y=y)


def per_dialect(duckdb_sql: str, *replacements: tuple[str, str]) -> dict[str, str]:
    """``{"duckdb": sql, "postgres": sql with each (old, new) replaced}``."""
    pg = duckdb_sql
    for old, new in replacements:
        if old not in pg:
            raise AssertionError(f"per_dialect: {old!r} is not in the statement any more; port it again")
        pg = pg.replace(old, new)
    return {"duckdb": duckdb_sql, "postgres": pg}
