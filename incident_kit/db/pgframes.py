"""PostgreSQL rows as the DataFrame DuckDB's ``.df()`` would have given.

Services and pandera schemas were written against DuckDB frames (int32 for
INTEGER, float64 for a nullable integer, ``datetime64[us, UTC]`` for
TIMESTAMPTZ, lists for arrays). Rather than re-implement those rules, the rows
go into an Arrow table typed from the cursor's column types, and DuckDB turns
that into pandas: the same conversion code, so the same dtypes.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from .duckdb import connect

# PostgreSQL type OIDs (pg_type.oid, stable across versions) -> the Arrow type DuckDB would read.
_ARROW = {
    16: pa.bool_(),
    20: pa.int64(), 21: pa.int16(), 23: pa.int32(), 26: pa.int64(),
    700: pa.float32(), 701: pa.float64(), 1700: pa.float64(),
    25: pa.string(), 1043: pa.string(), 1042: pa.string(), 19: pa.string(), 705: pa.string(),
    114: pa.string(), 3802: pa.string(),
    1184: pa.timestamp("us", tz="UTC"), 1114: pa.timestamp("us"), 1082: pa.date32(),
    1186: pa.month_day_nano_interval(),
    1009: pa.list_(pa.string()), 1015: pa.list_(pa.string()),
    1005: pa.list_(pa.int16()), 1007: pa.list_(pa.int32()), 1016: pa.list_(pa.int64()),
    1022: pa.list_(pa.float64()),
}

_local = threading.local()


def _duck() -> duckdb.DuckDBPyConnection:
    con = getattr(_local, "con", None)
    if con is None:
        con = _local.con = connect()
        con.execute("SET TimeZone = 'UTC'")
    return con


def _column(values: list[Any], oid: int) -> pa.Array:
    typ = _ARROW.get(oid)
    if typ is None:
        return pa.array(values)
    if oid == 1700:
        values = [None if v is None else float(v) for v in values]
    elif oid == 1186:
        values = [None if v is None else (0, v.days, (v.seconds * 1_000_000 + v.microseconds) * 1000)
                  for v in values]
    return pa.array(values, type=typ)


def to_frame(description: Sequence[Any], rows: list[tuple]) -> pd.DataFrame:
    """``description``: the cursor's (psycopg ``Column``s: ``name``, ``type_code``)."""
    names = [d.name for d in description]
    columns: list[Sequence[Any]] = list(zip(*rows)) if rows else [[] for _ in names]
    arrays = [_column(list(col), d.type_code) for col, d in zip(columns, description)]
    # unique names for Arrow; DuckDB's frame keeps them in order
    table = pa.Table.from_arrays(arrays, names=[f"c{i}" for i in range(len(names))])
    frame = _duck().from_arrow(table).df()
    frame.columns = names
    return frame

