"""What a valid follow-up list looks like at the API boundary (pandera)."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from ..frames import UTC_TS, normalise
from .models import FINISHED, FollowUpStatus, Priority


TIME_COLUMNS = ("due_at", "created_at", "completed_at", "updated_at")
TEXT_COLUMNS = ("reference", "incident", "incident_title", "title", "description", "owner", "priority", "status",
                "wont_do_reason", "tracker_url", "created_by")


class FollowUpListModel(pa.DataFrameModel):
    id: Series[int] = pa.Field(ge=1, unique=True, coerce=True)
    reference: Series[str] = pa.Field(str_startswith="FU-", unique=True)
    incident: Series[str] = pa.Field(str_startswith="INC-")
    title: Series[str] = pa.Field(str_length={"min_value": 1})
    owner: Series[str] = pa.Field(nullable=True)
    priority: Series[str] = pa.Field(isin=[p.value for p in Priority])
    status: Series[str] = pa.Field(isin=[s.value for s in FollowUpStatus])
    due_at: Series[UTC_TS] = pa.Field(nullable=True)
    created_at: Series[UTC_TS]
    completed_at: Series[UTC_TS] = pa.Field(nullable=True)
    overdue: Series[bool] = pa.Field(coerce=True)

    @pa.dataframe_check
    def only_unfinished_are_overdue(cls, df: pd.DataFrame) -> Series[bool]:
        return ~(df["overdue"] & df["status"].isin([s.value for s in FINISHED]))

    @pa.dataframe_check
    def completed_not_before_created(cls, df: pd.DataFrame) -> Series[bool]:
        return df["completed_at"].isna() | (df["completed_at"] >= df["created_at"])

    class Config:
        strict = False


def validate(frame: pd.DataFrame) -> pd.DataFrame:
    """Normalise time zones, then validate lazily so every problem is reported at once."""
    frame = normalise(frame, times=TIME_COLUMNS, texts=TEXT_COLUMNS)
    frame["overdue"] = frame["overdue"].fillna(False).astype(bool) if len(frame) else frame["overdue"].astype(bool)
    return FollowUpListModel.validate(frame, lazy=True)
