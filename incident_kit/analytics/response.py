"""Response metrics: how fast incidents are declared, updated and resolved, and update cadence.

Counted over ``live`` incidents by default (``Filters.modes``); every frame says
how many incidents in scope it left out. Update gaps come from ``update_facts``
(maintained at write time), so no view sorts every update.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import schemas, store
from .percentiles import linear
from .query import Filters, make_filters, run, run_arrays, run_many
from .resampling import clean, exact_median_ci95

# The four response durations, in the order the summary lists them (the update gap is third).
DURATIONS = (("time_to_declare", 1), ("time_to_first_update", 2), ("time_to_resolve", 4), ("impact_duration", 5))
# Percentiles 0, 2 … 100 of each response duration (the distribution curve); the median and p90 are among them.
SHARES = tuple(i / 50 for i in range(51))
MEDIAN, P90 = SHARES.index(0.5), SHARES.index(0.9)


def _times_long(durations: dict) -> pd.DataFrame:
    """The durations (``store.DURATION_VALUES``'s arrays) as one row per duration: n, percentiles, median, p90."""
    rows = []
    for metric, pos in DURATIONS:
        ordered = clean(_floats(durations[f"{metric}_minutes"]))
        q = linear(ordered, SHARES)
        q = None if q is None else q.tolist()
        # Where the median likely lies: the bootstrap percentile interval computed exactly (Efron), sub-ms
        # where 2,000 resamples (``median_ci95`` below 2,000 values) added ~40 ms per measure at 1,750
        # incidents to every uncached Insights page. ``metrics --json`` resamples; its ends are within a
        # value or two of these, and the same above 2,000 values.
        ci = exact_median_ci95(ordered) if len(ordered) else None
        rows.append({"pos": pos, "metric": metric, "n": len(ordered), "q": q,
                     "median": q[MEDIAN] if q else None, "p90": q[P90] if q else None,
                     "median_low": ci[0] if ci else None, "median_high": ci[1] if ci else None})
    return pd.DataFrame(rows)


def response_frames(durations: dict, gap_stats: pd.DataFrame, excluded: int) -> dict:
    times_stats = _times_long(durations)
    gaps_all = gap_stats[(gap_stats["level"] == "all") & (gap_stats["gaps"] > 0)]
    gap_row = pd.DataFrame([{"pos": 3, "metric": "update_gap", "n": int(gaps_all["gaps"].sum()),
                             "median": gaps_all["median"].iloc[0] if len(gaps_all) else None,
                             "p90": gaps_all["p90"].iloc[0] if len(gaps_all) else None,
                             "median_low": None, "median_high": None}])
    times = times_stats[["pos", "metric", "n", "median", "p90", "median_low", "median_high"]]
    floats = {"median": float, "p90": float, "median_low": float, "median_high": float}
    summary = pd.concat([times.astype(floats), gap_row.astype(floats)], ignore_index=True)
    summary = summary.sort_values("pos").drop(columns="pos").reset_index(drop=True)
    summary["excluded"] = excluded
    with_data = times_stats[times_stats["n"] > 0]
    distribution = pd.DataFrame({
        "metric": with_data["metric"].repeat(len(SHARES)).to_numpy(),
        "n": with_data["n"].repeat(len(SHARES)).to_numpy(),
        "share": list(SHARES) * len(with_data),
        "minutes": [v for q in with_data["q"] for v in q],
    })
    return {"response_summary": schemas.validate(schemas.SummaryModel, summary),
            "response_distribution": schemas.validate(schemas.DistributionModel, distribution)}


def gap_frames(gap_stats: pd.DataFrame, severity_names: pd.DataFrame) -> dict:
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


def excluded(counts: pd.DataFrame) -> int:
    return int(counts["excluded"].iloc[0])


# -- scope -----------------------------------------------------------------------------
def scope_counts(source, filters: Filters | None = None, **fields) -> pd.DataFrame:
    """One row: incidents in scope, by mode, and how many response metrics count/exclude."""
    return schemas.validate(schemas.ScopeCountsModel, run(source, store.SCOPE_COUNTS, make_filters(filters, **fields)))


# -- response ----------------------------------------------------------------------------
def response_times(source, filters: Filters | None = None, **fields) -> pd.DataFrame:
    """One row per counted (live) incident with its four durations in minutes."""
    frame = run(source, store.RESPONSE_TIMES, make_filters(filters, **fields))
    return schemas.validate(schemas.ResponseTimesModel, frame)


def update_gaps(source, filters: Filters | None = None, **fields) -> pd.DataFrame:
    """One row per gap between consecutive updates (minutes), up to the resolving update."""
    return schemas.validate(schemas.UpdateGapsModel, run(source, store.UPDATE_GAPS, make_filters(filters, **fields)))


def duration_samples(source, filters: Filters | None = None, **fields) -> dict:
    """Each response duration's values (minutes) as a numpy array, the update gap's too, from one read.

    The same numbers as the columns of ``response_times`` and ``update_gaps``, without their labels
    (references, severities, times): what resampling needs, at a fraction of the transfer.
    """
    raw = run_arrays(source, {"times": store.DURATION_VALUES, "gaps": store.GAP_VALUES}, make_filters(filters, **fields))
    out = {f"{metric}_minutes": _floats(raw["times"][f"{metric}_minutes"]) for metric, _ in DURATIONS}
    out["gap_minutes"] = _floats(raw["gaps"]["gap_minutes"])
    return out


def _floats(column) -> np.ndarray:
    """A fetched column as floats with NaN for NULL (DuckDB returns a masked array when a NULL is present,
    and the data under a mask is not NaN)."""
    return np.ma.filled(np.ma.asarray(column, dtype=float), np.nan)


def _response(source, f: Filters) -> dict:
    raw = run_many(source, {"counts": store.SCOPE_COUNTS, "durations": store.DURATION_VALUES,
                             "gap_stats": store.GAP_STATS}, f)
    out = response_frames(raw["durations"], raw["gap_stats"], excluded(raw["counts"]))
    out.update(gap_frames(raw["gap_stats"], raw["severity_names"]))
    return out


def response_summary(source, filters: Filters | None = None, **fields) -> pd.DataFrame:
    """n, median and p90 (linear interpolation) of every response metric, in minutes, and where the median
    likely lies (``median_low`` to ``median_high``: its 95% interval, ``resampling.exact_median_ci95``;
    unknown for the update gap).

    ``excluded`` is the number of incidents in scope that response metrics leave
    out (retrospective and test incidents by default).
    """
    return _response(source, make_filters(filters, **fields))["response_summary"]


def response_distribution(source, filters: Filters | None = None, **fields) -> pd.DataFrame:
    """Percentiles 0, 2 … 100 of each response duration (minutes): an ECDF in 51 points per metric."""
    return _response(source, make_filters(filters, **fields))["response_distribution"]


def cadence_adherence(source, filters: Filters | None = None, **fields) -> pd.DataFrame:
    """Per severity: gaps, gaps within the cadence target, and their share."""
    return _response(source, make_filters(filters, **fields))["cadence_adherence"]


def gap_histogram(source, filters: Filters | None = None, **fields) -> pd.DataFrame:
    """Update gaps counted by their size as a multiple of the severity's target, in quarter steps."""
    return _response(source, make_filters(filters, **fields))["gap_histogram"]
