"""Follow-up completion as survival: open follow-ups are censored, not counted as never done.

A follow-up still open after 40 days says "not done in 40 days", nothing about day 41. Counting it as
not done (or leaving it out) biases completion figures; the Kaplan–Meier estimate
(``resampling.km_steps``: the products ``scipy.stats.ecdf`` over ``CensoredData`` computes) uses exactly
what is known:

* done: completed after ``days_to_complete`` days (an event);
* open or in progress: not done after ``open_age_days`` so far (right-censored);
* won't do: left without being done at the time it was closed (right-censored there).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from . import schemas
from .memo import kept
from .resampling import WITHIN_DAYS, km_estimate, km_steps  # noqa: F401


class CurveModel(pa.DataFrameModel):
    severity: Series[str]
    days: Series[float] = pa.Field(ge=0)
    share_done: Series[float] = pa.Field(ge=0, le=1)
    follow_ups: Series[int] = pa.Field(ge=1)

    class Config:
        strict = True
        coerce = True


def durations(follow_ups: pd.DataFrame) -> pd.DataFrame:
    """(severity, days, done) per follow-up from ``analytics.follow_ups``; won't-do ones censored when closed."""
    f = follow_ups
    done = f["status"] == "done"
    closed_days = (pd.to_datetime(f["completed_at"], utc=True) - pd.to_datetime(f["created_at"], utc=True)) \
        .dt.total_seconds() / 86400
    days = np.where(done, f["days_to_complete"], np.where(f["status"] == "wont_do", closed_days, f["open_age_days"]))
    out = pd.DataFrame({"severity": f["severity"].astype(str), "days": pd.to_numeric(days, errors="coerce"),
                        "done": done.to_numpy()})
    out = out[out["days"].notna()]
    out["days"] = out["days"].clip(lower=0)
    return out.reset_index(drop=True)


def estimate(days, done) -> dict:
    """KM median days to complete and the share done within 30, 60 and 90 days (see ``resampling.km_estimate``)."""
    return km_estimate(days, done)


def curves(follow_ups: pd.DataFrame) -> pd.DataFrame:
    """Share done over days since creation, per severity and for all ("All"): a step curve from day 0."""
    return curves_from(durations(follow_ups))


def curves_from(d: pd.DataFrame) -> pd.DataFrame:
    """``curves`` from ``durations`` already worked out."""
    frames = []
    groups = [("All", d)] + [(str(s), g) for s, g in d.groupby("severity", sort=False)]
    for name, g in groups:
        if g.empty or not g["done"].any():
            continue
        days = g["days"].to_numpy()
        times, not_done = km_steps(days, g["done"].to_numpy())
        if days.max() > times[-1]:  # flat after the last completion, up to the longest follow-up watched
            times, not_done = np.append(times, days.max()), np.append(not_done, not_done[-1])
        frames.append(pd.DataFrame({"severity": name, "days": np.concatenate([[0.0], times]),
                                    "share_done": np.concatenate([[0.0], 1 - not_done]),
                                    "follow_ups": len(g)}))
    if not frames:
        return pd.DataFrame(columns=list(CurveModel.to_schema().columns))
    return schemas.validate(CurveModel, pd.concat(frames, ignore_index=True))


@kept
def completion(source, filters=None, *, now=None, **fields) -> dict:
    """``{"curves": …, "figures": …}`` for the follow-ups of incidents in scope, from one read of them
    (``metrics.follow_ups``): the page shows both, so it pays for the read once."""
    from .follow_up_metrics import follow_ups
    from .query import make_filters

    d = durations(follow_ups(source, make_filters(filters, **fields), now=now))
    return {"curves": curves_from(d), "figures": estimate(d["days"].to_numpy(), d["done"].to_numpy())}


def _part(name: str, doc: str):
    """One part of ``completion``, kept with it (``.uncached`` computes, as every kept answer's does)."""
    def part(source, filters=None, *, now=None, **fields):
        return completion(source, filters, now=now, **fields)[name]

    part.uncached = lambda source, filters=None, *, now=None, **fields: \
        completion.uncached(source, filters, now=now, **fields)[name]
    part.__doc__ = doc
    return part


completion_curves = _part("curves", "``curves`` for the follow-ups of incidents in scope.")
completion_estimate = _part("figures", "The KM figures of ``metrics --json`` for any scope.")
