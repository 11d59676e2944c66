"""The numeric core of honest trends, with numpy only on ``metrics --json``'s path (no pandas, no scipy there).

* ``median_ci95``: a seeded percentile bootstrap of the median (exactly ``scipy.stats.bootstrap``'s);
* ``minimum_detectable_change``: the smallest change in a median two periods of this size would show
  (its medians of periods above 2,000 values come from their exact distribution, through scipy.special:
  the Insights page has scipy loaded; ``metrics --json`` never calls it);
* ``km_estimate``: Kaplan–Meier completion of follow-ups (exactly ``scipy.stats.ecdf`` over ``CensoredData``);
* ``summary_figures``: the ``median_ci95`` and ``km_*`` keys of ``metrics --json``.

Why: with a few dozen incidents a period, a change in a median is mostly noise (Davidovič, "Incident
Metrics in SRE", Google 2021; the VOID report), and open follow-ups are not "never done".

Why not scipy here: importing ``scipy.stats`` takes ~0.4 s, longer than every query of ``metrics --json``
at 200k incidents. The few lines it ran are written out below, and ``tests/test_analytics_resampling.py``
checks them against scipy itself (same intervals and figures, to the last bit, on real-sized data). The page's
Kaplan–Meier curves come from the same ``km_steps``.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

SEED = 20210601  # any fixed number: the point is that the same data gives the same interval every time
RESAMPLES = 2000  # bootstrap resamples: interval ends move by well under 1% between seeds at this count
# Above this many values the interval is the exact bootstrap percentile interval (the limit scipy's
# Monte Carlo bootstrap converges to, from binomial order statistics; the two agree within 0.5% at 5k
# values): O(n) instead of O(resamples × n), so 1M update gaps cost one selection, not ~10 s of
# resampling. Every team-sized sample (a few dozen to 2,000 values) is resampled (bootstrap_median_ci95),
# at most 2000 × 2000 values (~0.1 s).
EXACT_ABOVE = 2_000
BATCH = 100  # resamples drawn at a time (bounded memory: 100 x 2,000 indices); part of what the seed reproduces
ALPHA = (1 - 0.95) / 2  # the 95% interval's tails, computed as scipy.stats.bootstrap computes them
SIMULATIONS = 1000  # resampled pairs of periods in minimum_detectable_change (80% power read to about ±1.5%)
SIMULATION_BUDGET = 4_000_000  # values resampled per metric at most: fewer (>= 200) simulations then
POWER = 0.8  # "detectable" = a real change of this size would be seen in at least 80% of periods
CHANGES = tuple(round(0.05 * k, 2) for k in range(1, 20))  # candidate relative changes: 5%, 10% … 95%
WITHIN_DAYS = (30, 60, 90)


def clean(values) -> np.ndarray:
    """Finite floats only (NULL, NaN and infinities dropped), sorted: the seeded resampling then gives the
    same interval whatever order the store returned the rows in (DuckDB and PostgreSQL differ)."""
    arr = np.asarray(values, dtype=float)  # None becomes NaN; an array of floats is not copied
    finite = np.isfinite(arr)
    return np.sort(arr if finite.all() else arr[finite])  # one copy (``metrics --json``: 6M values at 1M)


def median_ci95(values, *, seed: int = SEED) -> tuple[float, float] | None:
    """95% percentile-bootstrap interval of the median; None without data.

    Percentile rather than BCa: the median's bootstrap distribution is lumpy (it takes only sample
    values), which makes BCa's acceleration estimate unstable on small samples.
    """
    x = np.asarray(values, dtype=float)  # None becomes NaN
    x = x[np.isfinite(x)]
    if len(x) == 0:
        return None
    if len(x) > EXACT_ABOVE:  # order statistics: the order the rows came in cannot matter
        return exact_median_ci95(x)
    # Sorted first: the seeded resamples then depend only on the values, not on the order a store
    # returned them in (a DuckDB parallel scan, or the PostgreSQL store, may return another order).
    x = np.sort(x)
    if np.all(x == x[0]):
        return float(x[0]), float(x[0])
    return bootstrap_median_ci95(x, seed=seed)


def bootstrap_median_ci95(x: np.ndarray, *, seed: int = SEED) -> tuple[float, float]:
    """``scipy.stats.bootstrap((x,), np.median, method="percentile", vectorized=True, batch=BATCH,
    n_resamples=RESAMPLES, random_state=np.random.default_rng(seed))``'s interval, without importing scipy.

    Step for step what scipy 1.17 does: each batch draws ``integers(0, n, (batch, n))`` indices from the
    generator, the medians of all resamples are sorted, and each end is the linear (Hyndman–Fan type 7)
    quantile, interpolated as scipy does. The test suite compares the two on random samples.
    """
    rng = np.random.default_rng(seed)
    n = len(x)
    medians = np.concatenate([np.median(x[rng.integers(0, n, size=(min(BATCH, RESAMPLES - k), n), dtype="int64")],
                                        axis=-1) for k in range(0, RESAMPLES, BATCH)])
    medians.sort()
    return _linear_quantile(medians, ALPHA), _linear_quantile(medians, 1 - ALPHA)


def _linear_quantile(y: np.ndarray, p: float) -> float:
    """The p-quantile of sorted ``y``, in scipy.stats.quantile's arithmetic for method="linear"."""
    n = len(y)
    jg = p * n + (1 - p)
    j = jg // 1 - 1
    g = 0.0 if j < 0 else jg % 1
    low, high = int(min(max(j, 0), n - 1)), int(min(max(j + 1, 0), n - 1))
    return float((1 - g) * y[low] + g * y[high])


def exact_median_ci95(x: np.ndarray) -> tuple[float, float]:
    """The bootstrap percentile interval of the median without resampling (Efron 1982).

    A resample's median (the m-th smallest, m = (n + 1) // 2) is at most the k-th smallest value exactly when
    at least m of its n draws fall at or below it: P = 1 - Binomial(n, k/n).cdf(m - 1). The interval ends are
    the order statistics where P first reaches 2.5% and 97.5% (``median_ranks``).
    """
    lo, hi = median_ranks(len(x))
    low, high = np.partition(x, [lo - 1, hi - 1])[[lo - 1, hi - 1]]
    return float(low), float(high)


@lru_cache(maxsize=256)
def median_ranks(n: int) -> tuple[int, int]:
    """The ranks (1-based) of the order statistics that end ``exact_median_ci95``'s interval for n values.

    Searched among the ranks within 8 sqrt(n) of the median (the crossings lie a few sqrt(n) ranks from
    it), starting from the normal approximation: two or three binomial tails per end.
    """
    m = (n + 1) // 2
    spread = int(8 * math.sqrt(n)) + 2
    first, last = max(1, m - spread), min(n, m + spread)

    def reached(k: int, level: float) -> bool:
        return _at_least(m, n, k / n) >= level

    def first_reaching(level: float, z: float) -> int:  # the smallest such rank, or the last one searched
        k = min(max(round(m + z * math.sqrt(n) / 2), first), last)
        if reached(k, level):
            while k > first and reached(k - 1, level):
                k -= 1
            return k
        while k < last and not reached(k, level):
            k += 1
        return k

    return first_reaching(0.025, -1.96), first_reaching(0.975, 1.96)


def _at_least(m: int, n: int, p: float) -> float:
    """P(Binomial(n, p) >= m), from the ratios of neighbouring probabilities (no log-gamma of large numbers).

    The terms within 40 standard deviations of the mean hold all the mass a double can tell apart from 1.
    """
    if p >= 1.0:
        return 1.0
    sd = math.sqrt(n * p * (1 - p))
    low = max(0, math.floor(n * p - 40 * sd - 40))
    high = min(n, math.ceil(n * p + 40 * sd + 40))
    if m <= low:
        return 1.0
    if m > high:
        return 0.0
    j = np.arange(low, high, dtype=float)  # log P(j + 1) - log P(j) for j = low … high - 1
    steps = np.log((n - j) / (j + 1)) + (math.log(p) - math.log1p(-p))
    logs = np.concatenate(([0.0], np.cumsum(steps)))  # log P(j) - log P(low)
    weights = np.exp(logs - logs.max())
    return float(weights[m - low:].sum() / weights.sum())


def _medians(rng, x: np.ndarray, n: int, simulations: int) -> np.ndarray:
    """Medians of ``simulations`` resamples of size n of sorted ``x``.

    Up to ``EXACT_ABOVE`` values a resample is drawn (in chunks of ~2M values: bounded memory); above,
    each median is drawn from its exact distribution instead (``_median_draws``): drawing 100k-value
    resamples cost ~0.5 s per metric and period at 200k incidents, and answered the same question.
    """
    if n > EXACT_ABOVE:
        return _median_draws(rng, x, n, simulations)
    chunk = max(1, 2_000_000 // n)
    return np.concatenate([np.median(rng.choice(x, size=(min(chunk, simulations - i), n), replace=True), axis=1)
                           for i in range(0, simulations, chunk)])


def _median_draws(rng, x: np.ndarray, n: int, simulations: int) -> np.ndarray:
    """The medians of ``simulations`` resamples of size n of sorted ``x``, drawn without resampling.

    A resample's median (odd n = 2m - 1) is the m-th smallest of its draws; it is at most the k-th smallest
    value of ``x`` (N values) exactly when at least m of the n draws fall at or below it:
    P = P(Binomial(n, k/N) >= m) = I_{k/N}(m, n - m + 1), the regularized incomplete beta function. Each
    median is then one uniform draw through that distribution (inverse transform), over the ranks within
    12 standard deviations of the middle (the rest hold no probability a double can tell from 0). An even
    n counts as n - 1 (above 2,000 values the two medians' spreads differ by under 0.03%).
    """
    from scipy.special import betainc  # the Insights page has scipy; metrics --json never calls this

    size = len(x)
    n = n if n % 2 else n - 1
    m = (n + 1) // 2
    spread = 12 * size / (2 * math.sqrt(n)) + 2  # the median's rank has a standard deviation of ~N / (2 sqrt(n))
    ranks = np.arange(max(1, math.floor(size / 2 - spread)), min(size, math.ceil(size / 2 + spread)) + 1)
    below = betainc(m, n - m + 1, ranks / size)  # P(median <= x[rank - 1]), rising to 1
    picked = np.minimum(np.searchsorted(below, rng.random(simulations), side="left"), len(ranks) - 1)
    return x[ranks[picked] - 1]


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
    resampled = sum(n for n in (n_before, n_after) if n <= EXACT_ABOVE)  # values drawn per simulation
    sims = max(200, min(simulations, SIMULATION_BUDGET // max(resampled, 1)))
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


def km_steps(days: np.ndarray, done: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(times, share not yet done) at each time a follow-up was done: the Kaplan–Meier product.

    Each factor is (at risk - done then) / at risk, multiplied in time order: the same numbers, in the same
    order, as ``scipy.stats.ecdf`` (whose extra steps at censoring-only times multiply by exactly 1).
    Two sorts instead of a sort with an index: ~3 ms for 300k follow-ups.
    """
    times, deaths = np.unique(days[done], return_counts=True)
    at_risk = len(days) - np.searchsorted(np.sort(days), times, side="left")
    return times, np.cumprod((at_risk - deaths) / at_risk)


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
    times, sf = km_steps(days, done)
    below = np.flatnonzero(sf <= 0.5)
    out = {"km_median_days_to_complete": float(times[below[0]]) if len(below) else None}
    longest = float(days.max())
    for d in WITHIN_DAYS:
        known = d <= longest or sf[-1] == 0
        i = np.searchsorted(times, d, side="right")  # the steps at or before day d
        out[f"km_done_within_{d}_days"] = float(1 - (sf[i - 1] if i else 1.0)) if known else None
    return out


def summary_figures(values: dict[str, np.ndarray], days: np.ndarray, done: np.ndarray) -> dict:
    """``median_ci95`` of each duration in ``values`` (key: its values as ``clean`` returns them: finite, sorted)
    and the ``km_*`` follow-up figures.

    Each interval is rounded outwards to the JSON's 3 decimals, so the printed interval still holds the printed
    median. Above ``EXACT_ABOVE`` values the interval's ends are read off the sorted values at their ranks:
    what ``exact_median_ci95`` selects, without copying and partitioning millions of values again.
    """
    out: dict = {}
    for key, vals in values.items():
        if len(vals) > EXACT_ABOVE:
            lo, hi = median_ranks(len(vals))
            ci = float(vals[lo - 1]), float(vals[hi - 1])
        else:
            ci = median_ci95(vals)  # another store's row order cannot move the interval (see there)
        out[key] = None if ci is None else [math.floor(ci[0] * 1000) / 1000, math.ceil(ci[1] * 1000) / 1000]
    out["follow_ups"] = km_estimate(days, done)
    return out
