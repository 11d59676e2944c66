"""Cadence: which active incidents are overdue for an update, and by how much. Pure functions."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from ..incident.models import ACTIVE_ORDER
from .messages import late_text

from ..frames import UTC_TS  # noqa: E402


class NeedsUpdateModel(pa.DataFrameModel):
    reference: Series[str] = pa.Field(str_startswith="INC-", unique=True)
    id: Series[int] = pa.Field(ge=1, coerce=True)
    title: Series[str]
    severity: Series[str]
    status: Series[str] = pa.Field(isin=[s.value for s in ACTIVE_ORDER])
    accountable: Series[str]
    comms_lead: Series[str] = pa.Field(nullable=True)
    cadence_minutes: Series[float] = pa.Field(nullable=True, coerce=True)
    last_update_at: Series[UTC_TS] = pa.Field(nullable=True)
    next_update_due: Series[UTC_TS]
    minutes_late: Series[float] = pa.Field(gt=0, coerce=True)
    late: Series[str]

    class Config:
        strict = True
        ordered = True
        coerce = True  # an empty result has no values to infer string columns from


COLUMNS = list(NeedsUpdateModel.to_schema().columns)


def overdue(incidents: pd.DataFrame, now: dt.datetime) -> pd.DataFrame:
    """Active incidents whose next update is past due, latest first (most late at the top)."""
    now_ts = pd.Timestamp(now).tz_convert("UTC")
    due = incidents["next_update_due"] if "next_update_due" in incidents else pd.Series(dtype=UTC_TS)
    late = incidents[due.notna() & (due < now_ts)].copy()
    late["minutes_late"] = (now_ts - late["next_update_due"]).dt.total_seconds() / 60
    late["late"] = [late_text(m) for m in late["minutes_late"]]
    late["comms_lead"] = late["comms_lead"].astype(object).where(late["comms_lead"].notna(), None)
    late = late.sort_values("minutes_late", ascending=False)
    frame = late.reindex(columns=COLUMNS).reset_index(drop=True)
    if frame.empty:
        frame = frame.astype({"next_update_due": UTC_TS, "last_update_at": UTC_TS, "minutes_late": float,
                              "id": int, "cadence_minutes": float})
    return NeedsUpdateModel.validate(frame, lazy=True)
