"""What valid input looks like, per source, as pandera models over the raw (flattened) records.

Raw frames keep the source's own values (strings as written in the file), so a
problem is reported in the person's terms: the file, where in it, the field,
the value and what is wrong. Validation is lazy: every failing row and column
comes back in one table. Meta columns (``_file``, ``_where``, ``_id``) locate rows.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from .models import (CSV_STATUSES, GCP_SEVERITIES, GCP_STATUS, REPORT_COLUMNS, RESOLVED_LIKE, STATUSPAGE_IMPACTS,
                     STATUSPAGE_STATUS)

# A dataframe-level check names the field it is about before this separator.
FIELD_SEP = " :: "
ISO_EXAMPLE = "2024-01-31T14:05:00Z"


def parse_time(value) -> dt.datetime | None:
    """An ISO 8601 date and time, or None when the text is not one."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None


def _is_time(v) -> bool:
    return parse_time(v) is not None


def _has_zone(v) -> bool:
    t = parse_time(v)
    return t is None or t.utcoffset() is not None  # unparseable values are reported by _is_time


def _is_utc(v) -> bool:
    t = parse_time(v)
    return t is None or t.utcoffset() is None or t.utcoffset() == dt.timedelta(0)


def _text(v) -> bool:
    return isinstance(v, str) and v.strip() != ""


NOT_TIME = f"is not an ISO 8601 date and time (e.g. {ISO_EXAMPLE})"
NO_ZONE = "has no time zone; add an offset (Z for UTC) so it is not misread"
NOT_UTC = f"is not in UTC; the CSV format needs UTC times ending in Z or +00:00 (e.g. {ISO_EXAMPLE})"


def _text_check(*columns: str, error: str = "is empty or not text"):
    """A check that each of ``columns`` holds non-blank text (assign it in a model's body)."""
    @pa.check(*columns, element_wise=True, error=error)
    def text(cls, v) -> bool:
        return _text(v)
    return text


def _time_checks(*columns: str):
    """The two checks every raw time column gets: it is an ISO 8601 date and time, and it names its offset
    (assign them in a model's body: ``is_time, has_zone = _time_checks(...)``)."""
    @pa.check(*columns, element_wise=True, error=NOT_TIME)
    def is_time(cls, v) -> bool:
        return _is_time(v)

    @pa.check(*columns, element_wise=True, error=NO_ZONE)
    def has_zone(cls, v) -> bool:
        return _has_zone(v)
    return is_time, has_zone


class _Raw(pa.DataFrameModel):
    class Config:
        strict = False  # the raw records carry more fields than any check needs


class StatuspageIncidentRaw(_Raw):
    id: Series[object] = pa.Field(nullable=False, unique=True)
    name: Series[object] = pa.Field(nullable=False)
    impact: Series[object] = pa.Field(nullable=False, isin=list(STATUSPAGE_IMPACTS))
    status: Series[object] = pa.Field(nullable=False, isin=list(STATUSPAGE_STATUS))
    created_at: Series[object] = pa.Field(nullable=False)
    started_at: Series[object] = pa.Field(nullable=True)
    resolved_at: Series[object] = pa.Field(nullable=True)

    text = _text_check("id", "name")
    is_time, has_zone = _time_checks("created_at", "started_at", "resolved_at")


class StatuspageUpdateRaw(_Raw):
    id: Series[object] = pa.Field(nullable=False, unique=True)
    status: Series[object] = pa.Field(nullable=False, isin=list(STATUSPAGE_STATUS))
    body: Series[object] = pa.Field(nullable=False)
    created_at: Series[object] = pa.Field(nullable=False)

    text = _text_check("id")

    @pa.check("body", element_wise=True, error="is not text")
    def body_text(cls, v) -> bool:
        return isinstance(v, str)
    is_time, has_zone = _time_checks("created_at")


class GcpIncidentRaw(_Raw):
    external_id: Series[object] = pa.Field(nullable=False, unique=True)
    external_desc: Series[object] = pa.Field(nullable=False)
    severity: Series[object] = pa.Field(nullable=False, isin=list(GCP_SEVERITIES))
    begin: Series[object] = pa.Field(nullable=False)
    created: Series[object] = pa.Field(nullable=False)
    end: Series[object] = pa.Field(nullable=True)

    text = _text_check("external_desc")
    is_time, has_zone = _time_checks("begin", "created", "end")


class GcpUpdateRaw(_Raw):
    external_id: Series[object] = pa.Field(nullable=False, unique=True)
    text: Series[object] = pa.Field(nullable=False)
    created: Series[object] = pa.Field(nullable=False)
    # The 2019–2021 schema has no status on updates.
    status: Series[object] = pa.Field(nullable=True, isin=list(GCP_STATUS))

    @pa.check("text", element_wise=True, error="is not text")
    def is_text(cls, v) -> bool:
        return isinstance(v, str)
    is_time, has_zone = _time_checks("created")


TIME_COLUMNS = ("declared_at", "started_at", "resolved_at", "closed_at")


class CsvIncidentRaw(_Raw):
    """One spreadsheet row per incident; times must be UTC (see docs/importing.md, CSV columns)."""

    external_id: Series[object] = pa.Field(nullable=False, unique=True)
    title: Series[object] = pa.Field(nullable=False)
    status: Series[object] = pa.Field(nullable=False, isin=list(CSV_STATUSES))
    declared_at: Series[object] = pa.Field(nullable=False)
    started_at: Series[object] = pa.Field(nullable=True)
    resolved_at: Series[object] = pa.Field(nullable=True)
    closed_at: Series[object] = pa.Field(nullable=True)
    severity: Series[object] = pa.Field(nullable=True)  # isin the configured list, added at run time
    type: Series[object] = pa.Field(nullable=True)  # isin the configured types, added at run time
    mode: Series[object] = pa.Field(nullable=True, isin=["live", "retrospective", "test"])
    private: Series[object] = pa.Field(nullable=True, isin=["true", "false", "yes", "no", "1", "0"])

    text = _text_check("external_id", "title", error="is empty")
    is_time, has_zone = _time_checks(*TIME_COLUMNS)

    @pa.check(*TIME_COLUMNS, element_wise=True, error=NOT_UTC)
    def is_utc(cls, v) -> bool:
        return _is_utc(v)

    @pa.dataframe_check(error="resolved_at" + FIELD_SEP + "is required when the status is resolved, "
                        "post_incident or closed")
    def resolved_needs_time(cls, df: pd.DataFrame) -> Series[bool]:
        return ~df["status"].isin(list(RESOLVED_LIKE)) | df["resolved_at"].notna()

    @pa.dataframe_check(error="started_at" + FIELD_SEP + "is after declared_at; impact starts before "
                        "(or when) the incident is declared")
    def started_not_after_declared(cls, df: pd.DataFrame) -> Series[bool]:
        started = [parse_time(v) for v in df["started_at"]]  # a list: pandas would turn None into NaT
        declared = [parse_time(v) for v in df["declared_at"]]
        return pd.Series([s is None or d is None or s.utcoffset() is None or d.utcoffset() is None or s <= d
                          for s, d in zip(started, declared)], index=df.index)

    @pa.dataframe_check(error="resolved_at" + FIELD_SEP + "is before started_at")
    def resolved_not_before_started(cls, df: pd.DataFrame) -> Series[bool]:
        started = [parse_time(s if s is not None else d) for s, d in zip(df["started_at"], df["declared_at"])]
        resolved = [parse_time(v) for v in df["resolved_at"]]
        return pd.Series([s is None or r is None or s.utcoffset() is None or r.utcoffset() is None or r >= s
                          for s, r in zip(started, resolved)], index=df.index)


def _problem(check: str, column: str) -> tuple[str, str]:
    """(field, readable problem) for one pandera failure row."""
    if FIELD_SEP in check:
        field, text = check.split(FIELD_SEP, 1)
        return field, text
    if check == "not_nullable":
        return column, "is missing"
    if check == "field_uniqueness":
        return column, "appears more than once in this file (ids must be unique)"
    if check.startswith("isin("):
        allowed = check[len("isin("):-1].strip("[]").replace("'", "")
        return column, f"is not one of: {allowed}"
    if check == "column_in_dataframe":
        return column, "column is missing"
    return column, check


def validate(schema, raw: pd.DataFrame) -> pd.DataFrame:
    """Validate lazily; return the report (empty when valid)."""
    try:
        schema.validate(raw, lazy=True)
    except pa.errors.SchemaErrors as err:
        return failures_to_report(err.failure_cases, raw)
    return pd.DataFrame(columns=REPORT_COLUMNS)


def failures_to_report(cases: pd.DataFrame, raw: pd.DataFrame) -> pd.DataFrame:
    rows = []
    seen = set()
    for case in cases.itertuples(index=False):
        check, column = str(case.check), str(case.column)
        field, text = _problem(check, column)
        idx = case.index
        if idx is None or (isinstance(idx, float) and idx != idx):
            key = ("", "(whole file)", field, text)
            if key not in seen:
                seen.add(key)
                rows.append({"file": "", "where": "(whole file)", "id": "", "field": field, "value": "",
                             "problem": text, "_pos": -1, "_col": 0})
            continue
        meta = raw.loc[idx]
        key = (idx, field, text)
        if key in seen:  # dataframe-level checks repeat once per column
            continue
        seen.add(key)
        value = meta[field] if field in raw.columns else case.failure_case
        rows.append({"file": meta["_file"], "where": meta["_where"], "id": _show(meta["_id"]),
                     "field": field, "value": _show(value), "problem": text,
                     "_pos": raw.index.get_loc(idx), "_col": _column_order(raw, field)})
    frame = pd.DataFrame(rows, columns=[*REPORT_COLUMNS, "_pos", "_col"])
    frame = frame.sort_values(["_pos", "_col"], kind="stable")  # in file order, then column order
    return frame[REPORT_COLUMNS].reset_index(drop=True)


def _column_order(raw: pd.DataFrame, field: str) -> int:
    return raw.columns.get_loc(field) if field in raw.columns else len(raw.columns)


def _show(value) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "…"
