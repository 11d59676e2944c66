"""The intervals and Kaplan–Meier figures of ``metrics --json`` are computed without scipy; scipy (still
installed for the page) is the reference they must equal, on samples of the sizes the command meets."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from incident_kit.analytics import resampling


def scipy_bootstrap(x, seed=resampling.SEED):
    res = stats.bootstrap((x,), np.median, confidence_level=0.95, n_resamples=resampling.RESAMPLES,
                          method="percentile", vectorized=True, batch=resampling.BATCH,
                          random_state=np.random.default_rng(seed))
    return float(res.confidence_interval.low), float(res.confidence_interval.high)


def scipy_ranks(n):
    """The ranks the exact interval used before, from scipy's binomial tail (binom.sf)."""
    m = (n + 1) // 2
    spread = int(8 * math.sqrt(n)) + 2
    ks = np.arange(max(1, m - spread), min(n, m + spread) + 1)
    p = stats.binom.sf(m - 1, n, ks / n)
    return int(ks[np.searchsorted(p, 0.025)]), int(ks[min(np.searchsorted(p, 0.975), len(ks) - 1)])


def scipy_km(days, done):
    """km_estimate as it was written over scipy.stats.ecdf."""
    days, done = np.asarray(days, dtype=float), np.asarray(done, dtype=bool)
    sf = stats.ecdf(stats.CensoredData(uncensored=days[done], right=days[~done])).sf
    below = np.flatnonzero(sf.probabilities <= 0.5)
    out = {"km_median_days_to_complete": float(sf.quantiles[below[0]]) if len(below) else None}
    for d in resampling.WITHIN_DAYS:
        known = d <= days.max() or sf.probabilities[-1] == 0
        out[f"km_done_within_{d}_days"] = float(1 - sf.evaluate(d)) if known else None
    return out


def durations(rng, n, *, whole_minutes=False):
    """Skewed durations like real response times; whole minutes give many ties (timestamps to the minute)."""
    x = rng.lognormal(mean=4, sigma=1, size=n)
    return np.round(x) if whole_minutes else x


@pytest.mark.parametrize("n", [2, 3, 10, 57, 500, 2000])
@pytest.mark.parametrize("whole_minutes", [False, True])
def test_the_small_sample_interval_is_scipys_bootstrap_to_the_last_bit(n, whole_minutes):
    rng = np.random.default_rng(n)
    for seed in (resampling.SEED, 7):
        x = np.sort(durations(rng, n, whole_minutes=whole_minutes))
        assert resampling.bootstrap_median_ci95(x, seed=seed) == scipy_bootstrap(x, seed)


def test_median_ci95_takes_the_bootstrap_up_to_2000_values_and_the_exact_interval_above():
    rng = np.random.default_rng(1)
    small, large = durations(rng, resampling.EXACT_ABOVE), durations(rng, resampling.EXACT_ABOVE + 1)
    assert resampling.median_ci95(small) == scipy_bootstrap(np.sort(small))
    lo, hi = scipy_ranks(len(large))
    s = np.sort(large)
    assert resampling.median_ci95(large) == (s[lo - 1], s[hi - 1])


def test_the_exact_interval_ranks_equal_scipys_binomial_tails():
    rng = np.random.default_rng(2)
    sizes = [*range(2001, 2061), 175_688, 166_898, 290_985, 600_000, 1_000_001,
             *rng.integers(2001, 3_000_000, size=40).tolist()]
    for n in sizes:
        assert resampling.median_ranks(n) == scipy_ranks(n), n


def test_the_binomial_tail_matches_scipy_where_the_ranks_are_decided():
    for n in (2001, 10_000, 290_985, 2_000_000):
        m = (n + 1) // 2
        for k in (m - int(1.2 * math.sqrt(n)), m - int(0.9 * math.sqrt(n)), m, m + int(math.sqrt(n))):
            assert resampling._at_least(m, n, k / n) == pytest.approx(stats.binom.sf(m - 1, n, k / n), rel=1e-9)


def test_the_exact_interval_on_real_sized_data_equals_the_scipy_computation():
    rng = np.random.default_rng(3)
    for whole_minutes in (False, True):
        x = durations(rng, 290_985, whole_minutes=whole_minutes)
        lo, hi = scipy_ranks(len(x))
        s = np.sort(x)
        assert resampling.exact_median_ci95(x) == (s[lo - 1], s[hi - 1])
        assert s[lo - 1] <= np.median(x) <= s[hi - 1]


def follow_ups(rng, n, *, whole_days=False):
    """Days observed and done flags: about half done within weeks, the rest censored (open or won't do)."""
    done = rng.random(n) < 0.5
    days = np.where(done, rng.gamma(2.0, 12.0, n), rng.uniform(0, 400, n))
    return (np.round(days) if whole_days else days), done


@pytest.mark.parametrize("n", [1, 2, 7, 300, 5_000, 290_697])
@pytest.mark.parametrize("whole_days", [False, True])
def test_kaplan_meier_figures_equal_scipys_ecdf(n, whole_days):
    rng = np.random.default_rng(n)
    days, done = follow_ups(rng, n, whole_days=whole_days)
    if not done.any():
        done[0] = True
    assert resampling.km_estimate(days, done) == scipy_km(days, done)


def test_kaplan_meier_at_exactly_30_days_and_when_everything_is_done():
    days = [5.0, 30.0, 30.0, 45.0, 60.0, 70.0, 90.0, 95.0]
    for done in ([True] * 8, [True, True, False, True, False, True, True, False]):
        assert resampling.km_estimate(days, done) == scipy_km(days, done)
    # every one done, an even count: the curve lands on exactly one half at the 4th, as scipy says
    assert resampling.km_estimate(days, [True] * 8)["km_median_days_to_complete"] == 45.0


def test_summary_figures_round_each_interval_outwards_and_add_the_km_figures():
    rng = np.random.default_rng(4)
    x = durations(rng, 30)
    days, done = follow_ups(rng, 40)
    out = resampling.summary_figures({"update_gap": x, "time_to_resolve": np.array([])}, days, done)
    lo, hi = scipy_bootstrap(np.sort(x))
    assert out["update_gap"] == [math.floor(lo * 1000) / 1000, math.ceil(hi * 1000) / 1000]
    assert out["time_to_resolve"] is None
    assert out["follow_ups"] == scipy_km(days, done)


@pytest.mark.parametrize("n", [2001, 2501, 4999, 5001])
def test_medians_drawn_exactly_have_the_distribution_of_resampled_medians(n):
    """Above 2,000 values the detectable change draws each period's median from its exact distribution
    instead of resampling; 20,000 of them are indistinguishable from 20,000 resampled medians."""
    x = np.sort(durations(np.random.default_rng(n), 5001))
    drawn = resampling._median_draws(np.random.default_rng(1), x, n, 20_000)
    resampled = np.median(np.random.default_rng(2).choice(x, size=(20_000, n)), axis=1)
    assert stats.ks_2samp(drawn, resampled).pvalue > 0.01
    assert drawn.std() == pytest.approx(resampled.std(), rel=0.04)
    assert np.isin(drawn, x).all()  # each draw is one of the values, as an odd resample's median is


def test_the_drawn_medians_move_with_the_data():
    """A check that can fail: the draws follow the values they are drawn from."""
    x = np.sort(durations(np.random.default_rng(7), 5001))
    low = resampling._median_draws(np.random.default_rng(1), x, 3001, 5_000)
    high = resampling._median_draws(np.random.default_rng(1), x * 1.05, 3001, 5_000)
    assert stats.ks_2samp(low, np.median(np.random.default_rng(2).choice(x * 1.05, size=(5_000, 3001)), axis=1)
                          ).pvalue < 1e-6
    assert np.allclose(high, low * 1.05)


@pytest.mark.parametrize("sizes", [(2500, 2500), (3000, 1000), (6000, 6000)])
def test_the_detectable_change_above_2000_values_is_the_resampled_one(monkeypatch, sizes):
    n_before, n_after = sizes
    values = durations(np.random.default_rng(sum(sizes)), n_before + n_after) * \
        np.random.default_rng(3).lognormal(0, 0.8, n_before + n_after)  # wide: the answer is not the 5% floor
    drawn = resampling.minimum_detectable_change(values, n_before, n_after)
    monkeypatch.setattr(resampling, "EXACT_ABOVE", 10**9)  # every period resampled, as before
    resampled = resampling.minimum_detectable_change(values, n_before, n_after)
    assert drawn is not None and drawn > min(resampling.CHANGES)
    assert abs(drawn - resampled) <= 0.05 + 1e-9  # the same answer, or the next step on the 5% grid
