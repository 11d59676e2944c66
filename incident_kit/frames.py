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
