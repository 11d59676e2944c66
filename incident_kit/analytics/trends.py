"""Honest trends: medians with bootstrap intervals, period comparisons that say when a change is noise,
the smallest change this many incidents could show, and a process-behaviour (XmR) chart.

Pure functions over the validated frames of ``analytics.metrics``; every random draw is seeded, so
the same data always gives the same intervals. Why: with a few dozen incidents a period, a change in
a median is mostly noise (Davidovič, "Incident Metrics in SRE", Google 2021; the VOID report).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from . import schemas
from .memo import kept

from .resampling import SEED, clean as _clean, median_ci95, minimum_detectable_change  # noqa: F401

XMR_SCALE = 2.66  # natural process limits: mean ± 2.66 × average moving range (Wheeler)

# metric -> (frame, column): the durations behind each ``metrics --json`` duration object.
DURATIONS = {
    "time_to_declare": ("response_times", "time_to_declare_minutes"),
    "time_to_first_update": ("response_times", "time_to_first_update_minutes"),
    "update_gap": ("update_gaps", "gap_minutes"),
    "time_to_resolve": ("response_times", "time_to_resolve_minutes"),
    "impact_duration": ("response_times", "impact_duration_minutes"),
}
LABELS = {"time_to_declare": "Time to declare", "time_to_first_update": "Time to first update",
          "update_gap": "Gap between updates", "time_to_resolve": "Time to resolve",
          "impact_duration": "Impact duration"}


def samples(response_times: pd.DataFrame, update_gaps: pd.DataFrame) -> dict[str, np.ndarray]:
    """Each metric's finite values, sorted, from the ``response_times`` and ``update_gaps`` frames."""
    frames = {"response_times": response_times, "update_gaps": update_gaps}
    return {metric: _clean(frames[frame][column]) for metric, (frame, column) in DURATIONS.items()}


# -- comparing two periods --------------------------------------------------------------------
class ComparisonModel(pa.DataFrameModel):
    metric: Series[str] = pa.Field(isin=list(DURATIONS))
    label: Series[str]
    n_before: Series[int] = pa.Field(ge=0)
    median_before: Series[float] = pa.Field(nullable=True)
    ci_low_before: Series[float] = pa.Field(nullable=True)
    ci_high_before: Series[float] = pa.Field(nullable=True)
    n_after: Series[int] = pa.Field(ge=0)
    median_after: Series[float] = pa.Field(nullable=True)
    ci_low_after: Series[float] = pa.Field(nullable=True)
    ci_high_after: Series[float] = pa.Field(nullable=True)
    verdict: Series[str] = pa.Field(isin=["no detectable change", "shorter", "longer", "not enough data"])
    minimum_detectable_change: Series[float] = pa.Field(nullable=True, ge=0, le=1)

    class Config:
        strict = True
        coerce = True


def _verdict(before: tuple | None, after: tuple | None, m_before, m_after) -> str:
    if before is None or after is None:
        return "not enough data"
    if before[1] < after[0] or after[1] < before[0]:
        return "shorter" if m_after < m_before else "longer"
    return "no detectable change"


def compare_periods(before: dict[str, np.ndarray], after: dict[str, np.ndarray], *,
                    seed: int = SEED) -> pd.DataFrame:
    """Per duration metric: each period's n, median and 95% interval, the verdict, and the smallest
    change detectable with these two sample sizes (resampled from both periods pooled).

    "no detectable change" whenever the two intervals overlap: the honest reading of a few dozen incidents.
    """
    rows = []
    for metric in DURATIONS:
        x, y = _clean(before.get(metric, [])), _clean(after.get(metric, []))
        cx, cy = median_ci95(x, seed=seed), median_ci95(y, seed=seed)
        mx = float(np.median(x)) if len(x) else np.nan
        my = float(np.median(y)) if len(y) else np.nan
        mdc = minimum_detectable_change(np.concatenate([x, y]), len(x), len(y), seed=seed) if len(x) and len(y) \
            else None
        rows.append({"metric": metric, "label": LABELS[metric],
                     "n_before": len(x), "median_before": mx,
                     "ci_low_before": cx[0] if cx else np.nan, "ci_high_before": cx[1] if cx else np.nan,
                     "n_after": len(y), "median_after": my,
                     "ci_low_after": cy[0] if cy else np.nan, "ci_high_after": cy[1] if cy else np.nan,
                     "verdict": _verdict(cx, cy, mx, my),
                     "minimum_detectable_change": np.nan if mdc is None else mdc})
    return schemas.validate(ComparisonModel, pd.DataFrame(rows))


# -- process behaviour (XmR) of declarations ---------------------------------------------------
class XmRModel(pa.DataFrameModel):
    month: Series[str] = pa.Field(str_matches=r"^\d{4}-\d{2}$")
    declarations: Series[int] = pa.Field(ge=0)
    moving_range: Series[float] = pa.Field(nullable=True, ge=0)
    centre: Series[float] = pa.Field(ge=0)
    upper_limit: Series[float] = pa.Field(ge=0)
    lower_limit: Series[float] = pa.Field(ge=0)
    signal: Series[str] = pa.Field(isin=["", "above", "below"])

    class Config:
        strict = True
        coerce = True

    @pa.dataframe_check
    def limits_around_centre(cls, df: pd.DataFrame) -> Series[bool]:
        return (df["lower_limit"] <= df["centre"]) & (df["centre"] <= df["upper_limit"])


def xmr(declarations_by_month: pd.DataFrame) -> pd.DataFrame:
    """XmR chart data for declarations per month: months with no declaration count as 0.

    Centre = mean; natural process limits = centre ± 2.66 × mean moving range (the lower one not
    below 0). A month outside the limits is a signal worth a look; everything inside is routine.
    """
    columns = list(XmRModel.to_schema().columns)
    if declarations_by_month.empty:
        return pd.DataFrame(columns=columns)
    counts = declarations_by_month.set_index("month")["declarations"].astype(int)
    months = pd.period_range(min(counts.index), max(counts.index), freq="M").strftime("%Y-%m")
    counts = counts.reindex(months, fill_value=0)
    mr = counts.diff().abs()
    centre = float(counts.mean())
    spread = XMR_SCALE * float(mr.mean()) if len(counts) > 1 else 0.0
    upper, lower = centre + spread, max(0.0, centre - spread)
    signal = np.where(counts > upper, "above", np.where(counts < lower, "below", ""))
    frame = pd.DataFrame({"month": months, "declarations": counts.to_numpy(), "moving_range": mr.to_numpy(),
                          "centre": centre, "upper_limit": upper, "lower_limit": lower, "signal": signal})
    return schemas.validate(XmRModel, frame)


# -- from the store (what the Insights page and notebooks call; kept per data version: memo.kept) ---
@kept
def period_comparison(source, filters=None, *, split, **fields) -> pd.DataFrame:
    """``compare_periods`` for incidents declared before ``split`` and from ``split`` on, within ``filters``."""
    from .query import make_filters
    from .response import duration_samples

    f = make_filters(filters, **fields)
    at = pd.Timestamp(split)
    at = (at.tz_localize("UTC") if at.tzinfo is None else at.tz_convert("UTC")).to_pydatetime()
    before, after = make_filters(f, until=at), make_filters(f, since=at)

    def grab(g):  # the durations only (no row labels), by the columns ``samples`` reads from the frames
        values = duration_samples(source, g)
        return {metric: _clean(values[column]) for metric, (_, column) in DURATIONS.items()}

    return compare_periods(grab(before), grab(after))


@kept
def declarations_xmr(source, filters=None, **fields) -> pd.DataFrame:
    """``xmr`` of ``declarations_by_month`` (test incidents left out, like every learning metric)."""
    from .declarations import declarations_by_month
    from .query import make_filters

    return xmr(declarations_by_month(source, make_filters(filters, **fields)))
