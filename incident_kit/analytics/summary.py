"""The one-object summary ``incident-kit metrics --json`` prints, built without pandas or scipy.

The command line is a process of its own: loading pandas, pandera or scipy would cost more than the
queries. So this runs one statement (``summary_store.SUMMARY``, over the same CTEs as the page's statistics)
that returns one row: the counts and each population's raw values as numpy arrays (``query.run_arrays``).
Each population is sorted once here for its median and p90 (``percentiles.linear``, as the Insights page's
response curves), and ``resampling.summary_figures`` adds the intervals of the medians and the Kaplan-Meier
figures. ``tests/test_analytics_metrics.py`` checks the figures equal the
validated frames of the Insights bundle.
"""

from __future__ import annotations

import sys

import numpy as np

from . import summary_store
from .percentiles import linear
from .query import Filters, as_python, make_filters, run_arrays

# Output key of each response metric; other tools rely on these names.
SUMMARY_KEYS = {"time_to_declare": "time_to_declare_minutes",
                "time_to_first_update": "time_to_first_update_minutes",
                "update_gap": "update_gap_minutes",
                "time_to_resolve": "time_to_resolve_minutes",
                "impact_duration": "impact_duration_minutes"}
_ORDER = ("update_gap", "time_to_first_update", "time_to_declare", "time_to_resolve", "impact_duration")


def _one(column):
    """The value of a one-row numpy column: None for NULL (a masked entry).

    DuckDB imports numpy.ma only for a column holding a NULL; not naming ``np.ma`` otherwise saves its import."""
    value = column[0]
    ma = sys.modules.get("numpy.ma")
    return None if ma is not None and value is ma.masked else value


def _values(column):
    """A list column's array (empty for NULL: no rows)."""
    value = _one(column)
    return np.asarray([], dtype=float) if value is None else value


def _stat(ordered: np.ndarray) -> dict:
    q = linear(ordered, (0.5, 0.9))
    q = [None, None] if q is None else q.tolist()
    return {"n": len(ordered), "median": as_python(q[0]), "p90": as_python(q[1])}


def _share(part, whole):
    return as_python(int(part) / int(whole)) if whole else None


def metrics_summary(source, filters: Filters | None = None, *, now=None, **fields) -> dict:
    """The object ``incident-kit metrics --json`` prints; other tools rely on these key names."""
    from .resampling import clean, summary_figures  # numpy only: bootstrap intervals, Kaplan-Meier

    row = run_arrays(source, {"summary": summary_store.SUMMARY}, make_filters(filters, **fields), now)["summary"]
    ordered = {metric: clean(_values(row[f"{metric}_values"])) for metric in _ORDER}
    figures = summary_figures(ordered, _values(row["observed_days"]), _values(row["observed_done"]).astype(bool))
    out: dict = {"incidents": int(_one(row["incidents"])), "live": int(_one(row["live"])),
                 "retrospective": int(_one(row["retrospective"]))}
    for metric in _ORDER:
        out[SUMMARY_KEYS[metric]] = {**_stat(ordered[metric]),
                                     "median_ci95": figures[metric]}
    out["cadence_adherence"] = _share(_one(row["gaps_within_target"]), _one(row["gaps_with_target"]))
    complete_q = _one(row["complete_q"])
    complete_q = [None, None] if complete_q is None else list(complete_q)
    due, done_by_due = int(_one(row["due"])), int(_one(row["done_by_due"]))
    out["follow_ups"] = {
        "total": int(_one(row["follow_ups"])), "open": int(_one(row["open"])), "overdue": int(_one(row["overdue"])),
        "done": int(_one(row["done"])), "wont_do": int(_one(row["wont_do"])), "due": due, "done_by_due": done_by_due,
        "completion_rate_by_due": _share(done_by_due, due),
        "median_open_age_days": as_python(_one(row["median_open_age_days"])),
        "median_days_to_complete": as_python(complete_q[0]), "p90_days_to_complete": as_python(complete_q[1]),
        **{key: as_python(value) for key, value in figures["follow_ups"].items()},
    }
    return out
