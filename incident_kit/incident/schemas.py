"""What a valid incident list looks like at the API boundary (pandera)."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from ..frames import UTC_TS, normalise
from .models import Mode, Status


class IncidentListModel(pa.DataFrameModel):
    id: Series[int] = pa.Field(ge=1, unique=True, coerce=True)
    reference: Series[str] = pa.Field(str_startswith="INC-", unique=True)
    title: Series[str] = pa.Field(str_length={"min_value": 1})
    severity: Series[str]
    severity_rank: Series[float] = pa.Field(ge=1, nullable=True, coerce=True)
    status: Series[str] = pa.Field(isin=[s.value for s in Status])
    mode: Series[str] = pa.Field(isin=[m.value for m in Mode])
    private: Series[bool]
    declared_by: Series[str]
    declared_at: Series[UTC_TS]
    started_at: Series[UTC_TS]
    resolved_at: Series[UTC_TS] = pa.Field(nullable=True)
    next_update_due: Series[UTC_TS] = pa.Field(nullable=True)

    @pa.dataframe_check
    def started_not_after_declared(cls, df: pd.DataFrame) -> Series[bool]:
        return df["started_at"] <= df["declared_at"] + pd.Timedelta(minutes=1)

    class Config:
        strict = False
        coerce = True  # an empty result comes back with object columns


class _IncidentList:
    """Validate (lazily, so every problem is reported at once) after normalising time zones."""

    @staticmethod
    def validate(frame: pd.DataFrame) -> pd.DataFrame:
        frame = normalise(frame, times=("declared_at", "started_at", "resolved_at", "next_update_due", "closed_at",
                                        "last_update_at"))
        return IncidentListModel.validate(frame, lazy=True)


IncidentList = _IncidentList
