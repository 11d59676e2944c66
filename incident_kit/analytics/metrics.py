"""Insight metrics: pure functions of the store, each returning a validated DataFrame.

The metrics live by topic (``response``, ``follow_ups``, ``declarations``,
``reviews``; ``query`` holds ``Filters`` and runs named SQL from ``store.py`` in
one consistent read). This module assembles what the Insights page shows
(``insights``) and what ``metrics --json`` prints (``metrics_summary``), each
from one read. Nothing here writes, ranks or groups incident counts by team or
person (see ``guardrail.py``).

    from incident_kit import analytics
    analytics.response_summary(kit, since="2026-01-01", severities=["Major", "Critical"])
    analytics.update_gaps(kit, sources=["statuspage"], modes=None)   # imported incidents, every mode
"""

from __future__ import annotations

import pandas as pd

from . import schemas, store
from .declarations import declaration_dict
from .follow_ups import follow_up_frames
from .query import Filters, as_python, make_filters, run_many
from .response import excluded, gap_frames, response_frames
from .reviews import recurring_themes, review_frames

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
    raw = run_many(source, PAGE_QUERIES, make_filters(filters, **fields), now)
    out: dict = {"scope_counts": schemas.validate(schemas.ScopeCountsModel, raw["counts"])}
    out.update(response_frames(raw["times_stats"], raw["gap_stats"], excluded(raw["counts"])))
    out.update(gap_frames(raw["gap_stats"], raw["severity_names"]))
    out.update(follow_up_frames(raw["follow_up_stats"]))
    out.update(review_frames(raw["review_stats"]))
    out["declarations_by_month"] = schemas.validate(schemas.DeclarationsModel, raw["declarations_by_month"])
    out["declaration_summary"] = declaration_dict(raw["declaration_summary"])
    out["themes"] = recurring_themes(raw["themes"], min_incidents=2, limit=20)
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
    raw = run_many(source, queries, make_filters(filters, **fields), now)
    counts = schemas.validate(schemas.ScopeCountsModel, raw["counts"])
    response = response_frames(raw["times_stats"], raw["gap_stats"], excluded(counts))
    adherence = gap_frames(raw["gap_stats"], raw["severity_names"])["cadence_adherence"]
    return summary_dict(counts, response["response_summary"], adherence,
                        follow_up_frames(raw["follow_up_stats"])["follow_ups_all"])


def summary_dict(counts: pd.DataFrame, summary: pd.DataFrame, adherence: pd.DataFrame,
                 follow_up_all: pd.DataFrame) -> dict:
    """Assemble the ``metrics --json`` object from the validated frames."""
    c = counts.iloc[0]
    out: dict = {"incidents": int(c["incidents"]), "live": int(c["live"]), "retrospective": int(c["retrospective"])}
    by_metric = summary.set_index("metric")
    for metric in ("update_gap", "time_to_first_update", "time_to_declare", "time_to_resolve", "impact_duration"):
        row = by_metric.loc[metric]
        out[SUMMARY_KEYS[metric]] = {"n": int(row["n"]), "median": as_python(row["median"]),
                                     "p90": as_python(row["p90"])}
    gaps = int(adherence["gaps"].sum())
    out["cadence_adherence"] = as_python(adherence["within_cadence"].sum() / gaps) if gaps else None
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
        "completion_rate_by_due": as_python(row["completion_rate_by_due"]),
        "median_open_age_days": as_python(row["median_open_age_days"]),
        "median_days_to_complete": as_python(row["median_days_to_complete"]),
        "p90_days_to_complete": as_python(row["p90_days_to_complete"]),
    }
    return out
