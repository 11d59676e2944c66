"""The one-object summary ``incident-kit metrics --json`` prints, built without pandas.

The command line is a process of its own: loading pandas and pandera would cost
more than the queries. So this reads plain rows (``query.run_rows``) from
summary queries that share the page's definitions (``store.SUMMARY_*`` over the
same CTEs), and ``tests/test_analytics_metrics.py`` checks it equals the
validated frames of the Insights bundle.
"""

from __future__ import annotations

from . import store
from .query import Filters, as_python, make_filters, run_rows

# Output key of each response metric; other tools rely on these names.
SUMMARY_KEYS = {"time_to_declare": "time_to_declare_minutes",
                "time_to_first_update": "time_to_first_update_minutes",
                "update_gap": "update_gap_minutes",
                "time_to_resolve": "time_to_resolve_minutes",
                "impact_duration": "impact_duration_minutes"}
_TIMES_ORDER = ("time_to_declare", "time_to_first_update", "time_to_resolve", "impact_duration")


def _stat(n, q) -> dict:
    q = list(q) if q is not None else [None, None]
    return {"n": int(n), "median": as_python(q[0]), "p90": as_python(q[1])}


def metrics_summary(source, filters: Filters | None = None, *, now=None, **fields) -> dict:
    """The object ``incident-kit metrics --json`` prints; other tools rely on these key names."""
    rows = run_rows(source, {"counts": store.SCOPE_COUNTS, "times": store.SUMMARY_TIMES,
                             "gaps": store.SUMMARY_GAPS, "follow_ups": store.SUMMARY_FOLLOW_UPS},
                    make_filters(filters, **fields), now)
    incidents, live, retrospective, *_ = rows["counts"][0]
    out: dict = {"incidents": int(incidents), "live": int(live), "retrospective": int(retrospective)}
    times = rows["times"][0]
    stats = {metric: _stat(times[2 * i], times[2 * i + 1]) for i, metric in enumerate(_TIMES_ORDER)}
    gaps, gap_q, with_target, within = rows["gaps"][0]
    stats["update_gap"] = _stat(gaps, gap_q)
    for metric in ("update_gap", "time_to_first_update", "time_to_declare", "time_to_resolve", "impact_duration"):
        out[SUMMARY_KEYS[metric]] = stats[metric]
    out["cadence_adherence"] = as_python(within / with_target) if with_target else None
    total, open_, overdue, done, wont_do, due, done_by_due, open_age, complete_q = rows["follow_ups"][0]
    complete_q = list(complete_q) if complete_q is not None else [None, None]
    out["follow_ups"] = {
        "total": int(total), "open": int(open_), "overdue": int(overdue), "done": int(done),
        "wont_do": int(wont_do), "due": int(due), "done_by_due": int(done_by_due),
        "completion_rate_by_due": as_python(done_by_due / due) if due else None,
        "median_open_age_days": as_python(open_age),
        "median_days_to_complete": as_python(complete_q[0]), "p90_days_to_complete": as_python(complete_q[1]),
    }
    from .resampling import attach_to_summary  # numpy and scipy: bootstrap intervals, Kaplan-Meier

    return attach_to_summary(out, source, make_filters(filters, **fields), now)
