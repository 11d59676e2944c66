"""The numeric core of honest trends, with numpy and scipy only (no pandas: ``metrics --json`` stays light).

* ``median_ci95``: a seeded percentile bootstrap of the median (``scipy.stats.bootstrap``);
* ``minimum_detectable_change``: the smallest change in a median this many incidents would show;
* ``km_estimate``: Kaplan–Meier completion of follow-ups (``scipy.stats.ecdf`` over ``CensoredData``);
* ``attach_to_summary``: the ``median_ci95`` and ``km_*`` keys of ``metrics --json``.

Why: with a few dozen incidents a period, a change in a median is mostly noise (Davidovič, "Incident
Metrics in SRE", Google 2021; the VOID report), and open follow-ups are not "never done".
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from . import store
from .query import Filters, as_python, run_rows

SEED = 20210601  # any fixed number: the point is that the same data gives the same interval every time
RESAMPLES = 2000  # bootstrap resamples: interval ends move by well under 1% between seeds at this count
# Above this many values the interval is the exact bootstrap percentile interval (the limit scipy's
# Monte Carlo bootstrap converges to, from binomial order statistics; the two agree within 0.5% at 5k
# values): O(n) instead of O(resamples × n), so 1M update gaps cost one selection, not ~10 s of
# resampling. Every team-sized sample (a few dozen to 2,000 values) goes through scipy.stats.bootstrap,
# at most 2000 × 2000 values (~0.1 s).
EXACT_ABOVE = 2_000
SIMULATIONS = 1000  # resampled pairs of periods in minimum_detectable_change (80% power read to about ±1.5%)
SIMULATION_BUDGET = 4_000_000  # values drawn per metric at most: big periods get fewer (>= 200) simulations
POWER = 0.8  # "detectable" = a real change of this size would be seen in at least 80% of periods
CHANGES = tuple(round(0.05 * k, 2) for k in range(1, 20))  # candidate relative changes: 5%, 10% … 95%
WITHIN_DAYS = (30, 60, 90)
TIME_KEYS = ("time_to_declare_minutes", "time_to_first_update_minutes", "time_to_resolve_minutes",
             "impact_duration_minutes")  # the column order of store.SUMMARY_TIME_VALUES


def clean(values) -> np.ndarray:
    """Finite floats only (NULL, NaN and infinities dropped), sorted: the seeded resampling then gives the
    same interval whatever order the store returned the rows in (DuckDB and PostgreSQL differ)."""
    arr = np.array(values, dtype=float)  # None becomes NaN
    return np.sort(arr[np.isfinite(arr)])


def median_ci95(values, *, seed: int = SEED) -> tuple[float, float] | None:
    """95% percentile-bootstrap interval of the median; None without data.

    Percentile rather than BCa: the median's bootstrap distribution is lumpy (it takes only sample
    values), which makes BCa's acceleration estimate unstable on small samples.
    """
    # clean() sorts: the seeded resamples then depend only on the values, not on the order a store
    # returned them in (a DuckDB parallel scan, or the PostgreSQL store, may return another order).
    x = clean(values)
    if len(x) == 0:
        return None
    if len(x) == 1 or np.all(x == x[0]):
        return float(x[0]), float(x[0])
    if len(x) > EXACT_ABOVE:
        return exact_median_ci95(x)
    res = stats.bootstrap((x,), np.median, confidence_level=0.95, n_resamples=RESAMPLES, method="percentile",
                          vectorized=True, batch=100, random_state=np.random.default_rng(seed))
    return float(res.confidence_interval.low), float(res.confidence_interval.high)


def exact_median_ci95(x: np.ndarray) -> tuple[float, float]:
    """The bootstrap percentile interval of the median without resampling (Efron 1982).

    A resample's median (the m-th smallest, m = (n + 1) // 2) is at most the k-th smallest value exactly when
    at least m of its n draws fall at or below it: P = 1 - Binomial(n, k/n).cdf(m - 1). The interval ends are
    the order statistics where P first reaches 2.5% and 97.5%.
    """
    n = len(x)
    m = (n + 1) // 2
    spread = int(8 * math.sqrt(n)) + 2  # the crossings lie within a few sqrt(n) ranks of the middle
    ks = np.arange(max(1, m - spread), min(n, m + spread) + 1)
    p = stats.binom.sf(m - 1, n, ks / n)  # P(at least m draws at or below the k-th value)
    lo = int(ks[np.searchsorted(p, 0.025)])
    hi = int(ks[min(np.searchsorted(p, 0.975), len(ks) - 1)])
    low, high = np.partition(x, [lo - 1, hi - 1])[[lo - 1, hi - 1]]
    return float(low), float(high)


def _medians(rng, x: np.ndarray, n: int, simulations: int) -> np.ndarray:
    """Medians of ``simulations`` resamples of size n, drawn in chunks of ~2M values (bounded memory)."""
    chunk = max(1, 2_000_000 // n)
    return np.concatenate([np.median(rng.choice(x, size=(min(chunk, simulations - i), n), replace=True), axis=1)
                           for i in range(0, simulations, chunk)])


def minimum_detectable_change(values, n_before: int, n_after: int, *, seed: int = SEED,
                              simulations: int = SIMULATIONS, power: float = POWER) -> float | None:
    """The smallest relative change in the median (0.3 = 30% shorter) this many incidents would show.

    Resampling the team's own durations: draw two periods of the given sizes from the same data (no
    real change), and see how far their medians' ratio wanders by chance (its 2.5% point). A real
    change of d shortens every duration of the second period by d; it is detectable when its ratio
    falls below the chance band in at least ``power`` of the draws. None when even a 95% change
    would not be (too few incidents), or when there is no data.
    """
    x = clean(values)
    if len(x) < 2 or n_before < 1 or n_after < 1 or np.median(x) <= 0:
        return None
    rng = np.random.default_rng(seed)
    sims = max(200, min(simulations, SIMULATION_BUDGET // (n_before + n_after)))
    a, b = _medians(rng, x, n_before, sims), _medians(rng, x, n_after, sims)
    ok = a > 0
    low = np.quantile(b[ok] / a[ok], 0.025)
    # The "changed" periods pair each second period with another draw's first period, so the chance band
    # is not reused as its own test (and no second set of resamples is needed).
    a2 = np.roll(a, 1)
    ok2 = a2 > 0
    base = b[ok2] / a2[ok2]
    for change in CHANGES:
        if np.mean(base * (1 - change) < low) >= power:
            return float(change)
    return None


def km_fit(days: np.ndarray, done: np.ndarray):
    """The Kaplan–Meier survival function (not yet done) of follow-ups: done ones are events, the rest censored."""
    return stats.ecdf(stats.CensoredData(uncensored=days[done], right=days[~done])).sf


def km_estimate(days, done) -> dict:
    """KM median days to complete (None if fewer than half are ever seen done) and the share done
    within 30, 60 and 90 days (None past the longest follow-up observed, where the curve is unknown)."""
    days = np.asarray(days, dtype=float)
    done = np.asarray(done, dtype=bool)
    if len(days) == 0:
        return {"km_median_days_to_complete": None, **{f"km_done_within_{d}_days": None for d in WITHIN_DAYS}}
    if not done.any():  # none done yet: 0% for as long as we have watched, unknown after
        return {"km_median_days_to_complete": None,
                **{f"km_done_within_{d}_days": 0.0 if d <= days.max() else None for d in WITHIN_DAYS}}
    sf = km_fit(days, done)
    below = np.flatnonzero(sf.probabilities <= 0.5)
    out = {"km_median_days_to_complete": float(sf.quantiles[below[0]]) if len(below) else None}
    longest = float(days.max())
    for d in WITHIN_DAYS:
        known = d <= longest or sf.probabilities[-1] == 0
        out[f"km_done_within_{d}_days"] = float(1 - sf.evaluate(d)) if known else None
    return out


def follow_up_days(status, open_age_days, days_to_complete, days_to_close) -> tuple[float | None, bool]:
    """(days observed, done?) for one follow-up: done ones complete; open ones and won't-do ones are censored
    (at their age, and when they were closed)."""
    if status == "done":
        return days_to_complete, True
    return (days_to_close if status == "wont_do" else open_age_days), False


def attach_to_summary(out: dict, source, filters: Filters, now=None) -> dict:
    """Add ``median_ci95`` to every duration object and the ``km_*`` figures to ``follow_ups``."""
    rows = run_rows(source, {"times": store.SUMMARY_TIME_VALUES, "gaps": store.SUMMARY_GAP_VALUES,
                             "follow_ups": store.SUMMARY_FOLLOW_UP_VALUES}, filters, now)
    values = {key: [r[i] for r in rows["times"]] for i, key in enumerate(TIME_KEYS)}
    values["update_gap_minutes"] = [r[0] for r in rows["gaps"]]
    for key, vals in values.items():
        ci = median_ci95(vals)  # which sorts first, so another store's row order cannot move the interval
        # Rounded outwards to the JSON's 3 decimals, so the printed interval still holds the printed median.
        out[key]["median_ci95"] = None if ci is None else [math.floor(ci[0] * 1000) / 1000,
                                                           math.ceil(ci[1] * 1000) / 1000]
    observed = [follow_up_days(*r) for r in rows["follow_ups"]]
    observed = [(max(0.0, float(d)), done) for d, done in observed if d is not None]
    figures = km_estimate([d for d, _ in observed], [done for _, done in observed])
    out["follow_ups"].update({k: as_python(v) for k, v in figures.items()})
    return out
