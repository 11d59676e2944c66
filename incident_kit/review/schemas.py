"""What valid review frames look like at the API boundary (pandera)."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from ..frames import UTC_TS, normalise
from .models import AWAITS_REVIEW, QUEUES, Depth, ReviewStatus


class ReviewListModel(pa.DataFrameModel):
    incident: Series[str] = pa.Field(str_startswith="INC-", unique=True)
    depth: Series[str] = pa.Field(isin=[d.value for d in Depth])
    status: Series[str] = pa.Field(isin=[s.value for s in ReviewStatus])
    created_at: Series[UTC_TS]
    published_at: Series[UTC_TS] = pa.Field(nullable=True)
    open_follow_ups: Series[int] = pa.Field(ge=0, coerce=True)

    @pa.dataframe_check
    def waived_exactly_when_no_review(cls, df: pd.DataFrame) -> Series[bool]:
        return (df["depth"] == Depth.NONE.value) == (df["status"] == ReviewStatus.WAIVED.value)

    class Config:
        strict = False


class ToDoModel(pa.DataFrameModel):
    incident: Series[str] = pa.Field(str_startswith="INC-", unique=True)
    title: Series[str]
    incident_status: Series[str] = pa.Field(isin=[s.value for s in AWAITS_REVIEW])
    declared_by: Series[str]
    resolved_at: Series[UTC_TS] = pa.Field(nullable=True)

    class Config:
        strict = False


class QueueModel(pa.DataFrameModel):
    incident: Series[str] = pa.Field(str_startswith="INC-", unique=True)
    title: Series[str]
    queue: Series[str] = pa.Field(isin=list(QUEUES))
    depth: Series[object] = pa.Field(isin=[d.value for d in Depth], nullable=True)  # None: not started
    status: Series[object] = pa.Field(isin=[s.value for s in ReviewStatus], nullable=True)
    mine: Series[bool] = pa.Field(coerce=True)
    at: Series[UTC_TS] = pa.Field(nullable=True)
    open_follow_ups: Series[int] = pa.Field(ge=0, coerce=True)

    class Config:
        strict = True
        ordered = True


class SectionHistoryModel(pa.DataFrameModel):
    section: Series[str]
    version: Series[int] = pa.Field(ge=1, coerce=True)
    body: Series[str]
    edited_at: Series[UTC_TS]
    edited_by: Series[str]

    class Config:
        strict = False


def _normalise(frame: pd.DataFrame, times: tuple[str, ...], texts: tuple[str, ...]) -> pd.DataFrame:
    return normalise(frame, times=times, texts=texts)


def validate_list(frame: pd.DataFrame) -> pd.DataFrame:
    frame = _normalise(frame, ("created_at", "published_at", "scheduled_for", "updated_at"),
                       ("incident", "title", "severity", "incident_status", "depth", "status", "created_by"))
    return ReviewListModel.validate(frame, lazy=True)


def validate_history(frame: pd.DataFrame) -> pd.DataFrame:
    frame = _normalise(frame, ("edited_at",), ("section", "body", "edited_by"))
    return SectionHistoryModel.validate(frame, lazy=True)


def validate_to_do(frame: pd.DataFrame) -> pd.DataFrame:
    frame = _normalise(frame, ("resolved_at",), ("incident", "title", "severity", "incident_status", "declared_by"))
    return ToDoModel.validate(frame, lazy=True)


def validate_queue(frame: pd.DataFrame) -> pd.DataFrame:
    frame = _normalise(frame, ("at",), ("incident", "title", "queue"))
    for col in ("depth", "status"):  # NULL for a review nobody started
        frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    return QueueModel.validate(frame, lazy=True)
