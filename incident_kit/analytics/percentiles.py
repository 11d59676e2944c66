"""Percentiles by linear interpolation between order statistics, in numpy (no pandas: ``metrics --json`` uses it).

The definition is Hyndman–Fan type 7, the one DuckDB's ``quantile_cont``, PostgreSQL's ``percentile_cont``
and numpy's default ``quantile`` share: the p-th percentile of n sorted values sits at position
(n − 1)·p, between the values either side of it.

Why not ``quantile_cont`` for the response-time curves: with a list of 51 percentiles DuckDB selects each
one apart; at 200k incidents that took 37 ms more than a single percentile, while fetching the four durations
and sorting each once takes ~4 ms (``benchmarks/bench_insights.py --by-query``). The answers are the same
to the last bit or one apart: ``quantile_cont`` interpolates as ``lo·(1 − d) + hi·d``, which the compiler
may fuse into one rounding step; here it is ``lo + (hi − lo)·d``, which gives exactly ``lo`` between two
equal values and never leaves [lo, hi] (``tests/test_analytics_percentiles.py`` compares the two).
"""

from __future__ import annotations

import numpy as np


def linear(ordered: np.ndarray, shares) -> np.ndarray | None:
    """The ``shares`` (0 … 1) percentiles of ``ordered`` (sorted, no NaN: ``resampling.clean`` gives that, NULLs
    left out as ``quantile_cont`` leaves them out); None for no values."""
    n = len(ordered)
    if n == 0:
        return None
    position = (n - 1) * np.asarray(shares, dtype=float)
    below = np.floor(position).astype(np.intp)
    above = np.ceil(position).astype(np.intp)
    lo, hi = ordered[below], ordered[above]
    return lo + (hi - lo) * (position - below)
