"""Small helpers for DataFrames crossing a boundary."""

from __future__ import annotations

import pandas as pd


def utc_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Normalise every tz-aware column to the 'UTC' zone name (DuckDB says 'Etc/UTC')."""
    for col in frame.columns:
        dtype = frame[col].dtype
        if isinstance(dtype, pd.DatetimeTZDtype):
            frame[col] = frame[col].dt.tz_convert("UTC").astype("datetime64[us, UTC]")
    return frame


UTC_TS = pd.DatetimeTZDtype("us", "UTC")


def normalise(frame: pd.DataFrame, *, times=(), texts=()) -> pd.DataFrame:
    """Make a frame from the store ready for pandera: UTC time columns, str text columns.

    An empty result comes back with object columns, and DuckDB names the zone
    'Etc/UTC'; both would otherwise fail a schema that is right about the data.
    """
    frame = utc_columns(frame)
    for col in times:
        if col in frame and not isinstance(frame[col].dtype, pd.DatetimeTZDtype):
            frame[col] = pd.to_datetime(frame[col], utc=True).astype(UTC_TS)
    for col in texts:
        if col in frame and frame[col].dtype == object:
            frame[col] = frame[col].astype("str")
    return frame
