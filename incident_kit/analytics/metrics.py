"""Insight metrics: pure functions of the store, each returning a validated DataFrame.

Every function takes a ``Kit`` (or a ``Database``) first, then optional
``Filters`` (or the same fields as keyword arguments), and runs one named query
from ``store.py`` in one consistent read. Nothing here writes, ranks or groups
incident counts by team or person (see ``guardrail.py``).

    from incident_kit import analytics
    analytics.response_summary(kit, since="2026-01-01", severities=["Major", "Critical"])
    analytics.update_gaps(kit, sources=["statuspage"], modes=None)   # imported incidents, every mode
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterable

import pandas as pd

from ..clock import UTC, to_utc, utcnow
from ..errors import IncidentKitError
from . import schemas, store

LIVE_ONLY = ("live",)


@dataclasses.dataclass(frozen=True)
class Filters:
    """Which incidents a metric is about.

    * ``since`` / ``until``: the declaration window. A date is a whole UTC day and
      both ends are inclusive; a datetime ``until`` is exclusive.
    * ``severities``, ``types``: names; ``None`` means all.
    * ``sources``: where incidents came from (``"native"`` = declared here, or an
      importer's source such as ``"statuspage"``); ``references``: exactly these incidents.
    * ``viewer``: ``None`` is a trusted caller (notebook, CLI); a name counts only
      the private incidents that person may see, like every other read.
    * ``modes``: which modes response metrics count (default ``("live",)``;
      ``None`` = every mode, e.g. for imported incidents). Learning metrics
      (declarations, follow-ups, reviews) always leave out ``test`` incidents.
    * ``audience``: count only ``"internal"`` or ``"external"`` updates in
      response metrics; ``None`` = both.
    """

    since: object = None
    until: object = None
    severities: tuple[str, ...] | None = None
    types: tuple[str, ...] | None = None
    sources: tuple[str, ...] | None = None
    references: tuple[str, ...] | None = None
    viewer: str | None = None
    modes: tuple[str, ...] | None = LIVE_ONLY
    audience: str | None = None


def _tuple(values) -> tuple[str, ...] | None:
    if values is None:
        return None
    if isinstance(values, str):
        values = [values]
    return tuple(str(v) for v in values)


def _instant(value, *, field: str, end: bool) -> dt.datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, str) and len(value.strip()) == 10:
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise IncidentKitError(f"{field.capitalize()} '{value}' is not a date; use YYYY-MM-DD.") from None
    if isinstance(value, dt.datetime):
        return to_utc(value, field=field)
    if isinstance(value, dt.date):
        start = dt.datetime(value.year, value.month, value.day, tzinfo=UTC)
        return start + dt.timedelta(days=1) if end else start  # a date ``until`` includes that day
    return to_utc(value, field=field)


def make_filters(filters: Filters | None = None, **fields) -> Filters:
    """``Filters`` from an existing one and/or keyword fields (lists become tuples)."""
    base = filters or Filters()
    unknown = set(fields) - {f.name for f in dataclasses.fields(Filters)}
    if unknown:
        raise TypeError(f"Unknown filter(s): {', '.join(sorted(unknown))}")
    for key in ("severities", "types", "sources", "references", "modes"):
        if key in fields:
            fields[key] = _tuple(fields[key])
    return dataclasses.replace(base, **fields)


def _db(source):
    return getattr(source, "db", source)


def _run(source, sql: str, filters: Filters, now: dt.datetime | None = None) -> pd.DataFrame:
    since = _instant(filters.since, field="since", end=False)
    until = _instant(filters.until, field="until", end=True)
    if since and until and since >= until:
        raise IncidentKitError("The date range is empty: 'since' must be before 'until'.")
    if filters.audience not in (None, "internal", "external"):
        raise IncidentKitError(f"Audience '{filters.audience}' is not one of: internal, external.")
    now_ = to_utc(now, field="now") if now is not None else utcnow()

    def work(tx):
        see_all = filters.viewer is None
        if not see_all:
            row = tx.fetchone(store.ADMINS)
            see_all = row is not None and filters.viewer in json.loads(row[0])
        params = {"see_all": see_all, "viewer": filters.viewer, "since": since, "until": until,
                  "severities": _list(filters.severities), "types": _list(filters.types),
                  "sources": _list(filters.sources), "refs": _list(filters.references),
                  "modes": _list(filters.modes), "audience": filters.audience, "now": now_}
        return tx.df(sql, [params[name] for name in store.PARAMS])

    return _db(source).read(work)


def _list(values: Iterable[str] | None) -> list[str] | None:
    return None if values is None else list(values)


def _f(filters, fields) -> Filters:
    return make_filters(filters, **fields)


# -- response ------------------------------------------------------------------
def scope_counts(source, filters: Filters | None = None, **fields) -> pd.DataFrame:
    """One row: incidents in scope, by mode, and how many response metrics count/exclude."""
    f = _f(filters, fields)
    return schemas.validate(schemas.ScopeCountsModel, _run(source, store.SCOPE_COUNTS, f))


def response_times(source, filters: Filters | None = None, **fields) -> pd.DataFrame:
    """One row per counted (live) incident with its four durations in minutes."""
    f = _f(filters, fields)
    return schemas.validate(schemas.ResponseTimesModel, _run(source, store.RESPONSE_TIMES, f))


def update_gaps(source, filters: Filters | None = None, **fields) -> pd.DataFrame:
    """One row per gap between consecutive updates (minutes), up to the resolving update."""
    f = _f(filters, fields)
    return schemas.validate(schemas.UpdateGapsModel, _run(source, store.UPDATE_GAPS, f))


def response_summary(source, filters: Filters | None = None, **fields) -> pd.DataFrame:
    """n, median and p90 (linear interpolation) of every response metric, in minutes.

    ``excluded`` is the number of incidents in scope that response metrics leave
    out (retrospective and test incidents by default).
    """
    f = _f(filters, fields)
    return schemas.validate(schemas.SummaryModel, _run(source, store.RESPONSE_SUMMARY, f))


def cadence_adherence(source, filters: Filters | None = None, **fields) -> pd.DataFrame:
    """Per severity: gaps, gaps within the cadence target, and their share."""
    f = _f(filters, fields)
    return schemas.validate(schemas.CadenceAdherenceModel, _run(source, store.CADENCE_ADHERENCE, f))


# -- follow-ups ----------------------------------------------------------------
def follow_ups(source, filters: Filters | None = None, *, now=None, **fields) -> pd.DataFrame:
    """One row per follow-up of an incident in scope, with its age and completion time in days."""
    f = _f(filters, fields)
    return schemas.validate(schemas.FollowUpsModel, _run(source, store.FOLLOW_UPS, f, now))


def follow_up_summary(source, filters: Filters | None = None, *, by: str = "all", now=None,
                      **fields) -> pd.DataFrame:
    """Completion by due date, open/overdue age and time to complete, per ``by`` group.

    ``by`` is ``"all"``, ``"severity"`` or ``"month"`` (the month the follow-up was created).
    """
    if by not in store.FOLLOW_UP_SUMMARY:
        raise IncidentKitError(f"Group follow-ups by one of: {', '.join(store.FOLLOW_UP_SUMMARY)}; not '{by}'.")
    f = _f(filters, fields)
    return schemas.validate(schemas.FollowUpSummaryModel, _run(source, store.FOLLOW_UP_SUMMARY[by], f, now))


# -- declaration health --------------------------------------------------------
def declarations_by_month(source, filters: Filters | None = None, **fields) -> pd.DataFrame:
    """Per month: declarations, distinct declarers, non-engineering and lowest-severity shares."""
    f = _f(filters, fields)
    return schemas.validate(schemas.DeclarationsModel, _run(source, store.DECLARATIONS_BY_MONTH, f))


def declaration_summary(source, filters: Filters | None = None, **fields) -> dict:
    """The same four numbers over the whole window, as a dict."""
    f = _f(filters, fields)
    row = _run(source, store.DECLARATION_SUMMARY, f).to_dict(orient="records")[0]
    return {k: _py(v) for k, v in row.items()}


# -- reviews -------------------------------------------------------------------
def reviews(source, filters: Filters | None = None, **fields) -> pd.DataFrame:
    """One row per incident's (latest) review: depth, status and days from start to publication."""
    f = _f(filters, fields)
    return schemas.validate(schemas.ReviewsModel, _run(source, store.REVIEWS, f))


def review_depth_mix(source, filters: Filters | None = None, **fields) -> pd.DataFrame:
    """Per review depth: how many, their share, and time to publish (days)."""
    f = _f(filters, fields)
    return schemas.validate(schemas.ReviewDepthModel, _run(source, store.REVIEW_DEPTH_MIX, f))


def themes(source, filters: Filters | None = None, *, min_incidents: int = 2, limit: int | None = 20,
           **fields) -> pd.DataFrame:
    """Recurring themes: tags and contributing factors seen in at least ``min_incidents`` incidents."""
    f = _f(filters, fields)
    frame = _run(source, store.THEMES, f)
    frame = frame[frame["incidents"] >= min_incidents]
    if limit is not None:
        frame = frame.head(limit)
    return schemas.validate(schemas.ThemesModel, frame.reset_index(drop=True))


# -- the one-object summary (CLI ``metrics --json``) -----------------------------
SUMMARY_KEYS = {"time_to_declare": "time_to_declare_minutes",
                "time_to_first_update": "time_to_first_update_minutes",
                "update_gap": "update_gap_minutes",
                "time_to_resolve": "time_to_resolve_minutes",
                "impact_duration": "impact_duration_minutes"}


def _py(value):
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float):
        return round(value, 3)
    return value


def metrics_summary(source, filters: Filters | None = None, *, now=None, **fields) -> dict:
    """The object ``incident-kit metrics --json`` prints; other tools rely on these key names."""
    f = _f(filters, fields)
    counts = scope_counts(source, f).iloc[0]
    out: dict = {"incidents": int(counts["incidents"]), "live": int(counts["live"]),
                 "retrospective": int(counts["retrospective"])}
    summary = response_summary(source, f).set_index("metric")
    for metric in ("update_gap", "time_to_first_update", "time_to_declare", "time_to_resolve", "impact_duration"):
        row = summary.loc[metric]
        out[SUMMARY_KEYS[metric]] = {"n": int(row["n"]), "median": _py(row["median"]), "p90": _py(row["p90"])}
    adherence = cadence_adherence(source, f)
    gaps = int(adherence["gaps"].sum())
    out["cadence_adherence"] = _py(adherence["within_cadence"].sum() / gaps) if gaps else None
    fu = follow_up_summary(source, f, by="all", now=now)
    if fu.empty:
        out["follow_ups"] = {"total": 0, "open": 0, "overdue": 0, "done": 0, "wont_do": 0, "due": 0,
                             "done_by_due": 0, "completion_rate_by_due": None, "median_open_age_days": None,
                             "median_days_to_complete": None, "p90_days_to_complete": None}
    else:
        row = fu.iloc[0]
        out["follow_ups"] = {
            "total": int(row["follow_ups"]), "open": int(row["open"]), "overdue": int(row["overdue"]),
            "done": int(row["done"]), "wont_do": int(row["wont_do"]), "due": int(row["due"]),
            "done_by_due": int(row["done_by_due"]),
            "completion_rate_by_due": _py(row["completion_rate_by_due"]),
            "median_open_age_days": _py(row["median_open_age_days"]),
            "median_days_to_complete": _py(row["median_days_to_complete"]),
            "p90_days_to_complete": _py(row["p90_days_to_complete"]),
        }
    return out
