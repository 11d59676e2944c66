"""Insight metrics: pure functions of the store, each returning a validated DataFrame.

The metrics live by topic (``response``, ``follow_up_metrics``, ``declarations``,
``review_metrics``; ``query`` holds ``Filters`` and runs named SQL from ``store.py`` in
one consistent read). This module assembles what the Insights page shows
(``insights``) from one read; ``summary.py`` builds what ``metrics --json``
prints, without pandas. Nothing here writes, ranks or groups incident counts
by team or person (see ``guardrail.py``).

    from incident_kit import analytics
    analytics.response_summary(kit, since="2026-01-01", severities=["Major", "Critical"])
    analytics.update_gaps(kit, sources=["statuspage"], modes=None)   # imported incidents, every mode
"""

from __future__ import annotations

from . import schemas, store
from .memo import kept
from .declarations import declaration_dict
from .follow_up_metrics import follow_up_frames
from .query import Filters, make_filters, run_many, run_parts
from .response import excluded, gap_frames, response_frames
from .review_metrics import recurring_themes, review_frames

# -- everything the Insights page shows, in one read -----------------------------------------
PAGE_QUERIES = {
    "counts": store.SCOPE_COUNTS, "durations": store.DURATION_VALUES, "gap_stats": store.GAP_STATS,
    "follow_up_stats": store.FOLLOW_UP_STATS, "review_stats": store.REVIEW_STATS,
    "declarations_by_month": store.DECLARATIONS_BY_MONTH, "declaration_summary": store.DECLARATION_SUMMARY,
    "themes": store.THEMES,
}
# The frames ``insights`` returns.
INSIGHT_FRAMES = ("scope_counts", "response_summary", "response_distribution", "cadence_adherence", "gap_histogram",
                  "follow_ups_all", "follow_ups_by_month", "follow_ups_by_severity", "open_age_histogram",
                  "completion_time_by_severity", "declarations_by_month", "declaration_summary",
                  "review_depth_mix", "publish_time_by_depth", "themes")


@kept
def insights(source, filters: Filters | None = None, *, now=None, **fields) -> dict:
    """Every frame the Insights page shows (``INSIGHT_FRAMES``), from eight queries in one read.

    ``declaration_summary`` is a dict; ``themes`` holds the recurring ones (2+ incidents, top 20).
    Kept per data version (``memo.kept``): a repeat call on unchanged data is a lookup and a copy. After a
    change, only the queries reading a table it touched run again (``query.run_parts``).
    """
    raw = run_parts(source, PAGE_QUERIES, make_filters(filters, **fields), now)  # only what a change can move
    return insight_frames(raw)


def _from_scratch(source, filters: Filters | None = None, *, now=None, **fields) -> dict:
    """The same frames with every page query run afresh (no kept answer, no kept query result): what tests and
    benchmarks compare ``insights`` with, and time as the computation."""
    return insight_frames(run_many(source, PAGE_QUERIES, make_filters(filters, **fields), now))


insights.uncached = _from_scratch  # type: ignore[attr-defined]


def insight_frames(raw: dict) -> dict:
    """The validated frames from the page queries' results (``run_many(…, PAGE_QUERIES, …)``): pure."""
    out: dict = {"scope_counts": schemas.validate(schemas.ScopeCountsModel, raw["counts"])}
    out.update(response_frames(raw["durations"], raw["gap_stats"], excluded(raw["counts"])))
    out.update(gap_frames(raw["gap_stats"], raw["severity_names"]))
    out.update(follow_up_frames(raw["follow_up_stats"]))
    out.update(review_frames(raw["review_stats"]))
    out["declarations_by_month"] = schemas.validate(schemas.DeclarationsModel, raw["declarations_by_month"])
    out["declaration_summary"] = declaration_dict(raw["declaration_summary"])
    out["themes"] = recurring_themes(raw["themes"], min_incidents=2, limit=20)
    return {name: out[name] for name in INSIGHT_FRAMES}
