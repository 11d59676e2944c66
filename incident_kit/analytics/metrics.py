"""Insight metrics: pure functions of the store, each returning a validated DataFrame.

Every function takes a ``Kit`` (or a ``Database``) first, then optional
``Filters`` (or the same fields as keyword arguments), and runs named queries
from ``store.py`` in one consistent read. Statistics queries aggregate several
levels at once (all / per severity / per month ...); the ``_*_frames`` helpers
split their rows into the frames returned here. Nothing here writes, ranks or
groups incident counts by team or person (see ``guardrail.py``).

    from incident_kit import analytics
    analytics.response_summary(kit, since="2026-01-01", severities=["Major", "Critical"])
    analytics.update_gaps(kit, sources=["statuspage"], modes=None)   # imported incidents, every mode
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable

import pandas as pd

from ..clock import UTC, to_utc, utcnow
from ..errors import IncidentKitError
from ..incident.visibility import scope
from . import schemas, store
from .store import NATIVE_SOURCE  # noqa: F401  (re-exported: the source name of incidents declared here)

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


def _params(filters: Filters, now) -> dict:
    since = _instant(filters.since, field="since", end=False)
    until = _instant(filters.until, field="until", end=True)
    if since and until and since >= until:
        raise IncidentKitError("The date range is empty: 'since' must be before 'until'.")
    if filters.audience not in (None, "internal", "external"):
        raise IncidentKitError(f"Audience '{filters.audience}' is not one of: internal, external.")
    now_ = to_utc(now, field="now") if now is not None else utcnow()
    return {"see_all": filters.viewer is None, "viewer": filters.viewer, "since": since, "until": until,
            "severities": _list(filters.severities), "types": _list(filters.types),
            "sources": _list(filters.sources), "refs": _list(filters.references),
            "modes": _list(filters.modes), "audience": filters.audience, "now": now_}


def _run_many(source, queries: dict[str, store.Query], filters: Filters, now=None) -> dict[str, pd.DataFrame]:
    """Run several queries over the same scope in one consistent read (see store.py)."""
    params = _params(filters, now)

    def work(tx):
        tx.execute(store.BEGIN)
        try:
            see_all, who = scope(tx, params["viewer"])
            values = [see_all if name == "see_all" else who if name == "viewer" else params[name]
                      for name in store.PARAMS]
            out = {name: tx.df(store.compose(q, see_all), values) for name, q in queries.items()}
            if any(name in out for name in ("gap_stats",)):
                out["severity_names"] = tx.df(store.SEVERITY_NAMES)
            return out
        finally:
            tx.execute(store.ROLLBACK)

    return _db(source).read(work)


def _run(source, query: store.Query, filters: Filters, now=None) -> pd.DataFrame:
    return _run_many(source, {"one": query}, filters, now)["one"]


def _list(values: Iterable[str] | None) -> list[str] | None:
    return None if values is None else list(values)


def _f(filters, fields) -> Filters:
    return make_filters(filters, **fields)


def _py(value):
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float):
        return round(value, 3)
    return value


# -- splitting the statistics queries into frames (pure pandas on small frames) --------
_FOLLOW_UP_COLUMNS = ["follow_ups", "open", "overdue", "done", "wont_do", "due", "done_by_due",
                      "completion_rate_by_due", "median_open_age_days", "p90_open_age_days", "median_overdue_days",
                      "median_days_to_complete", "p90_days_to_complete"]
_BOX = ["n", "min", "p25", "median", "p75", "p90", "max"]


def _response_frames(times_stats: pd.DataFrame, gap_stats: pd.DataFrame, excluded: int) -> dict:
    gaps_all = gap_stats[(gap_stats["level"] == "all") & (gap_stats["gaps"] > 0)]
    gap_row = pd.DataFrame([{"pos": 3, "metric": "update_gap", "n": int(gaps_all["gaps"].sum()),
                             "median": gaps_all["median"].iloc[0] if len(gaps_all) else None,
                             "p90": gaps_all["p90"].iloc[0] if len(gaps_all) else None}])
    times = times_stats[["pos", "metric", "n", "median", "p90"]]
    floats = {"median": float, "p90": float}
    summary = pd.concat([times.astype(floats), gap_row.astype(floats)], ignore_index=True)
    summary = summary.sort_values("pos").drop(columns="pos").reset_index(drop=True)
    summary["excluded"] = excluded
    with_data = times_stats[times_stats["n"] > 0]
    distribution = pd.DataFrame({
        "metric": with_data["metric"].repeat(len(store.SHARES)).to_numpy(),
        "n": with_data["n"].repeat(len(store.SHARES)).to_numpy(),
        "share": list(store.SHARES) * len(with_data),
        "minutes": [v for q in with_data["q"] for v in q],
    })
    return {"response_summary": schemas.validate(schemas.SummaryModel, summary),
            "response_distribution": schemas.validate(schemas.DistributionModel, distribution)}


def _gap_frames(gap_stats: pd.DataFrame, severity_names: pd.DataFrame) -> dict:
    names = dict(zip(severity_names["rank"], severity_names["name"]))
    sev = gap_stats[(gap_stats["level"] == "severity") & gap_stats["cadence_minutes"].notna()]
    sev = sev.sort_values("severity_rank").copy()
    sev.insert(0, "severity", sev["severity_rank"].map(names))
    sev["share"] = sev["within_cadence"] / sev["gaps"]
    adherence = sev.rename(columns={"median": "median_gap_minutes", "p90": "p90_gap_minutes"})[
        ["severity", "severity_rank", "cadence_minutes", "gaps", "within_cadence", "share", "median_gap_minutes",
         "p90_gap_minutes"]].reset_index(drop=True)
    bins = gap_stats[(gap_stats["level"] == "bin") & gap_stats["bin_start"].notna()].sort_values("bin_start").copy()
    bins["bin_end"] = bins["bin_start"] + 0.25
    bins["within_cadence"] = bins["bin_start"] < 1
    bins["label"] = [("over 4×" if b >= 4 else f"{b:.2f}–{b + 0.25:.2f}×") for b in bins["bin_start"]]
    histogram = bins[["bin_start", "bin_end", "within_cadence", "gaps", "label"]].reset_index(drop=True)
    return {"cadence_adherence": schemas.validate(schemas.CadenceAdherenceModel, adherence),
            "gap_histogram": schemas.validate(schemas.GapHistogramModel, histogram)}


def _follow_up_frames(stats: pd.DataFrame) -> dict:
    stats = stats.rename(columns={"overdue_count": "overdue_n"})
    out = {}
    for by, key in (("all", None), ("severity", "severity"), ("month", "month")):
        rows = stats[(stats["level"] == by) & (stats["follow_ups"] > 0)]
        rows = rows.sort_values({"all": "level", "severity": "severity_rank", "month": "month"}[by]).copy()
        rows.insert(0, "group", "all" if key is None else rows[key])
        rows["overdue"] = rows["overdue_n"]
        rows["completion_rate_by_due"] = rows["done_by_due"] / rows["due"].where(rows["due"] > 0)
        out[by] = schemas.validate(schemas.FollowUpSummaryModel,
                                   rows[["group"] + _FOLLOW_UP_COLUMNS].reset_index(drop=True))
    ages = stats[(stats["level"] == "open_age") & stats["weeks_open"].notna()].sort_values(["weeks_open", "overdue"])
    ages = ages[["weeks_open", "overdue", "follow_ups"]].reset_index(drop=True)
    box = stats[(stats["level"] == "severity") & (stats["done"] > 0)].sort_values("severity_rank")
    box = box[["severity", "severity_rank", "done"] + [f"{c}_days_to_complete" for c in _BOX[1:]]]
    box.columns = ["severity", "severity_rank", "n"] + _BOX[1:]
    return {"follow_ups_all": out["all"], "follow_ups_by_severity": out["severity"],
            "follow_ups_by_month": out["month"],
            "open_age_histogram": schemas.validate(schemas.OpenAgeModel, ages),
            "completion_time_by_severity": schemas.validate(schemas.BoxModel, box.reset_index(drop=True))}


def _review_frames(stats: pd.DataFrame) -> dict:
    mix = stats[["depth", "reviews", "share", "published", "waived", "in_progress", "median", "p90"]].rename(
        columns={"median": "median_days_to_publish", "p90": "p90_days_to_publish"})
    box = stats.loc[stats["n"] > 0, ["depth"] + _BOX].reset_index(drop=True)
    return {"review_depth_mix": schemas.validate(schemas.ReviewDepthModel, mix.reset_index(drop=True)),
            "publish_time_by_depth": schemas.validate(schemas.BoxModel, box)}


def _themes(frame: pd.DataFrame, *, min_incidents: int, limit: int | None) -> pd.DataFrame:
    frame = frame[frame["incidents"] >= min_incidents]
    if limit is not None:
        frame = frame.head(limit)
    return schemas.validate(schemas.ThemesModel, frame.reset_index(drop=True))


def _declaration_dict(frame: pd.DataFrame) -> dict:
    return {k: _py(v) for k, v in frame.to_dict(orient="records")[0].items()}


def _excluded(counts: pd.DataFrame) -> int:
    return int(counts["excluded"].iloc[0])


# -- scope -----------------------------------------------------------------------------
def scope_counts(source, filters: Filters | None = None, **fields) -> pd.DataFrame:
    """One row: incidents in scope, by mode, and how many response metrics count/exclude."""
    return schemas.validate(schemas.ScopeCountsModel, _run(source, store.SCOPE_COUNTS, _f(filters, fields)))


# -- response ----------------------------------------------------------------------------
def response_times(source, filters: Filters | None = None, **fields) -> pd.DataFrame:
    """One row per counted (live) incident with its four durations in minutes."""
    return schemas.validate(schemas.ResponseTimesModel, _run(source, store.RESPONSE_TIMES, _f(filters, fields)))


def update_gaps(source, filters: Filters | None = None, **fields) -> pd.DataFrame:
    """One row per gap between consecutive updates (minutes), up to the resolving update."""
    return schemas.validate(schemas.UpdateGapsModel, _run(source, store.UPDATE_GAPS, _f(filters, fields)))


def _response(source, f: Filters) -> dict:
    raw = _run_many(source, {"counts": store.SCOPE_COUNTS, "times_stats": store.TIMES_STATS,
                             "gap_stats": store.GAP_STATS}, f)
    out = _response_frames(raw["times_stats"], raw["gap_stats"], _excluded(raw["counts"]))
    out.update(_gap_frames(raw["gap_stats"], raw["severity_names"]))
    return out


def response_summary(source, filters: Filters | None = None, **fields) -> pd.DataFrame:
    """n, median and p90 (linear interpolation) of every response metric, in minutes.

    ``excluded`` is the number of incidents in scope that response metrics leave
    out (retrospective and test incidents by default).
    """
    return _response(source, _f(filters, fields))["response_summary"]


def response_distribution(source, filters: Filters | None = None, **fields) -> pd.DataFrame:
    """Percentiles 0, 2 … 100 of each response duration (minutes): an ECDF in 51 points per metric."""
    return _response(source, _f(filters, fields))["response_distribution"]


def cadence_adherence(source, filters: Filters | None = None, **fields) -> pd.DataFrame:
    """Per severity: gaps, gaps within the cadence target, and their share."""
    return _response(source, _f(filters, fields))["cadence_adherence"]


def gap_histogram(source, filters: Filters | None = None, **fields) -> pd.DataFrame:
    """Update gaps counted by their size as a multiple of the severity's target, in quarter steps."""
    return _response(source, _f(filters, fields))["gap_histogram"]


# -- follow-ups --------------------------------------------------------------------------
def follow_ups(source, filters: Filters | None = None, *, now=None, **fields) -> pd.DataFrame:
    """One row per follow-up of an incident in scope, with its age and completion time in days."""
    return schemas.validate(schemas.FollowUpsModel, _run(source, store.FOLLOW_UPS, _f(filters, fields), now))


def _follow_up_stats(source, f: Filters, now) -> dict:
    return _follow_up_frames(_run(source, store.FOLLOW_UP_STATS, f, now))


def follow_up_summary(source, filters: Filters | None = None, *, by: str = "all", now=None,
                      **fields) -> pd.DataFrame:
    """Completion by due date, open/overdue age and time to complete, per ``by`` group.

    ``by`` is ``"all"``, ``"severity"`` or ``"month"`` (the month the follow-up was created).
    """
    if by not in ("all", "severity", "month"):
        raise IncidentKitError(f"Group follow-ups by one of: all, severity, month; not '{by}'.")
    return _follow_up_stats(source, _f(filters, fields), now)[f"follow_ups_{'all' if by == 'all' else 'by_' + by}"]


def open_age_histogram(source, filters: Filters | None = None, *, now=None, **fields) -> pd.DataFrame:
    """Open follow-ups by whole weeks since they were created (52 = a year or more), overdue or not."""
    return _follow_up_stats(source, _f(filters, fields), now)["open_age_histogram"]


def completion_time_by_severity(source, filters: Filters | None = None, *, now=None, **fields) -> pd.DataFrame:
    """Days to complete follow-ups, per severity: n, min, p25, median, p75, p90, max."""
    return _follow_up_stats(source, _f(filters, fields), now)["completion_time_by_severity"]


# -- declaration health --------------------------------------------------------------------
def declarations_by_month(source, filters: Filters | None = None, **fields) -> pd.DataFrame:
    """Per month: declarations, distinct declarers, non-engineering and lowest-severity shares."""
    return schemas.validate(schemas.DeclarationsModel,
                            _run(source, store.DECLARATIONS_BY_MONTH, _f(filters, fields)))


def declaration_summary(source, filters: Filters | None = None, **fields) -> dict:
    """The same four numbers over the whole window, as a dict."""
    return _declaration_dict(_run(source, store.DECLARATION_SUMMARY, _f(filters, fields)))


# -- reviews -------------------------------------------------------------------------------
def reviews(source, filters: Filters | None = None, **fields) -> pd.DataFrame:
    """One row per incident's (latest) review: depth, status and days from start to publication."""
    return schemas.validate(schemas.ReviewsModel, _run(source, store.REVIEWS, _f(filters, fields)))


def review_depth_mix(source, filters: Filters | None = None, **fields) -> pd.DataFrame:
    """Per review depth: how many, their share, and time to publish (days)."""
    return _review_frames(_run(source, store.REVIEW_STATS, _f(filters, fields)))["review_depth_mix"]


def publish_time_by_depth(source, filters: Filters | None = None, **fields) -> pd.DataFrame:
    """Days from starting a review to publishing it, per depth: n, min, p25, median, p75, p90, max."""
    return _review_frames(_run(source, store.REVIEW_STATS, _f(filters, fields)))["publish_time_by_depth"]


def themes(source, filters: Filters | None = None, *, min_incidents: int = 2, limit: int | None = 20,
           **fields) -> pd.DataFrame:
    """Recurring themes: tags and contributing factors seen in at least ``min_incidents`` incidents."""
    return _themes(_run(source, store.THEMES, _f(filters, fields)), min_incidents=min_incidents, limit=limit)


# -- everything the Insights page shows, in one read -----------------------------------------
PAGE_QUERIES = {
    "counts": store.SCOPE_COUNTS, "times_stats": store.TIMES_STATS, "gap_stats": store.GAP_STATS,
    "follow_up_stats": store.FOLLOW_UP_STATS, "review_stats": store.REVIEW_STATS,
    "declarations_by_month": store.DECLARATIONS_BY_MONTH, "declaration_summary": store.DECLARATION_SUMMARY,
    "themes": store.THEMES,
}
# The frames ``insights`` returns.
INSIGHT_FRAMES = ("scope_counts", "response_summary", "response_distribution", "cadence_adherence", "gap_histogram",
                  "follow_ups_all", "follow_ups_by_month", "follow_ups_by_severity", "open_age_histogram",
                  "completion_time_by_severity", "declarations_by_month", "declaration_summary",
                  "review_depth_mix", "publish_time_by_depth", "themes")


def insights(source, filters: Filters | None = None, *, now=None, **fields) -> dict:
    """Every frame the Insights page shows (``INSIGHT_FRAMES``), from eight queries in one read.

    ``declaration_summary`` is a dict; ``themes`` holds the recurring ones (2+ incidents, top 20).
    """
    raw = _run_many(source, PAGE_QUERIES, _f(filters, fields), now)
    out: dict = {"scope_counts": schemas.validate(schemas.ScopeCountsModel, raw["counts"])}
    out.update(_response_frames(raw["times_stats"], raw["gap_stats"], _excluded(raw["counts"])))
    out.update(_gap_frames(raw["gap_stats"], raw["severity_names"]))
    out.update(_follow_up_frames(raw["follow_up_stats"]))
    out.update(_review_frames(raw["review_stats"]))
    out["declarations_by_month"] = schemas.validate(schemas.DeclarationsModel, raw["declarations_by_month"])
    out["declaration_summary"] = _declaration_dict(raw["declaration_summary"])
    out["themes"] = _themes(raw["themes"], min_incidents=2, limit=20)
    return {name: out[name] for name in INSIGHT_FRAMES}


# -- the one-object summary (CLI ``metrics --json``) -------------------------------------------
SUMMARY_KEYS = {"time_to_declare": "time_to_declare_minutes",
                "time_to_first_update": "time_to_first_update_minutes",
                "update_gap": "update_gap_minutes",
                "time_to_resolve": "time_to_resolve_minutes",
                "impact_duration": "impact_duration_minutes"}


def metrics_summary(source, filters: Filters | None = None, *, now=None, **fields) -> dict:
    """The object ``incident-kit metrics --json`` prints; other tools rely on these key names."""
    queries = {"counts": store.SCOPE_COUNTS, "times_stats": store.TIMES_STATS, "gap_stats": store.GAP_STATS,
               "follow_up_stats": store.FOLLOW_UP_STATS}
    raw = _run_many(source, queries, _f(filters, fields), now)
    counts = schemas.validate(schemas.ScopeCountsModel, raw["counts"])
    response = _response_frames(raw["times_stats"], raw["gap_stats"], _excluded(counts))
    adherence = _gap_frames(raw["gap_stats"], raw["severity_names"])["cadence_adherence"]
    out = summary_dict(counts, response["response_summary"], adherence,
                       _follow_up_frames(raw["follow_up_stats"])["follow_ups_all"])
    return _honest(out, source, _f(filters, fields), now)


def _honest(out: dict, source, f: Filters, now) -> dict:
    """Bootstrap intervals on every duration median, and Kaplan–Meier follow-up completion (see trends, survival)."""
    from . import survival, trends

    trends.attach_median_ci(out, response_times(source, f), update_gaps(source, f), SUMMARY_KEYS)
    survival.attach(out["follow_ups"], follow_ups(source, f, now=now))
    return out


def summary_dict(counts: pd.DataFrame, summary: pd.DataFrame, adherence: pd.DataFrame,
                 follow_up_all: pd.DataFrame) -> dict:
    """Assemble the ``metrics --json`` object from the validated frames."""
    c = counts.iloc[0]
    out: dict = {"incidents": int(c["incidents"]), "live": int(c["live"]), "retrospective": int(c["retrospective"])}
    by_metric = summary.set_index("metric")
    for metric in ("update_gap", "time_to_first_update", "time_to_declare", "time_to_resolve", "impact_duration"):
        row = by_metric.loc[metric]
        out[SUMMARY_KEYS[metric]] = {"n": int(row["n"]), "median": _py(row["median"]), "p90": _py(row["p90"])}
    gaps = int(adherence["gaps"].sum())
    out["cadence_adherence"] = _py(adherence["within_cadence"].sum() / gaps) if gaps else None
    if follow_up_all.empty:
        out["follow_ups"] = {"total": 0, "open": 0, "overdue": 0, "done": 0, "wont_do": 0, "due": 0,
                             "done_by_due": 0, "completion_rate_by_due": None, "median_open_age_days": None,
                             "median_days_to_complete": None, "p90_days_to_complete": None}
        return out
    row = follow_up_all.iloc[0]
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
