"""Honest trends: reproducible bootstrap intervals, period comparisons, minimum detectable change, XmR."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from incident_kit import analytics, demo
from incident_kit.analytics import trends


def _lognormal(n: int, seed: int, scale: float = 1.0) -> np.ndarray:
    return np.random.default_rng(seed).lognormal(mean=4.0, sigma=1.0, size=n) * scale


def test_the_median_interval_is_reproducible_and_holds_the_median():
    x = _lognormal(60, 1)
    first, again = trends.median_ci95(x), trends.median_ci95(x)
    assert first == again
    assert first[0] <= np.median(x) <= first[1]
    assert first[0] < first[1]
    assert trends.median_ci95(x, seed=2) != first  # the seed is what makes it repeatable
    assert trends.median_ci95([]) is None and trends.median_ci95([7.0]) == (7.0, 7.0)


def test_every_interval_on_demo_data_holds_its_median(kit):
    demo.load(kit.db, incidents=200, seed=5)
    out = analytics.metrics_summary(kit)
    for key in ("time_to_declare_minutes", "time_to_first_update_minutes", "update_gap_minutes",
                "time_to_resolve_minutes", "impact_duration_minutes"):
        lo, hi = out[key]["median_ci95"]
        assert lo <= out[key]["median"] <= hi, key
    assert analytics.metrics_summary(kit) == out


def test_same_process_twice_is_no_detectable_change_and_a_big_change_is_seen():
    same = trends.compare_periods({"time_to_resolve": _lognormal(40, 1)}, {"time_to_resolve": _lognormal(40, 2)})
    row = same.set_index("metric").loc["time_to_resolve"]
    assert row["verdict"] == "no detectable change"
    faster = trends.compare_periods({"time_to_resolve": _lognormal(200, 1)},
                                    {"time_to_resolve": _lognormal(200, 2, scale=0.3)})
    assert faster.set_index("metric").loc["time_to_resolve", "verdict"] == "shorter"
    assert same.set_index("metric").loc["time_to_declare", "verdict"] == "not enough data"


def test_the_smallest_detectable_change_shrinks_as_incidents_grow():
    x = _lognormal(500, 3)
    few = trends.minimum_detectable_change(x, 15, 15)
    some = trends.minimum_detectable_change(x, 60, 60)
    many = trends.minimum_detectable_change(x, 400, 400)
    assert few is None or few > some > many
    assert some >= 0.2  # a few dozen incidents a period cannot see small changes (Davidovič)
    assert trends.minimum_detectable_change(x, 60, 60) == some  # seeded
    assert trends.minimum_detectable_change([5.0], 1, 1) is None


def test_period_comparison_from_the_store_splits_the_window(kit):
    demo.load(kit.db, incidents=200, seed=5)
    table = trends.period_comparison(kit, split="2026-06-01")
    times = analytics.response_times(kit)
    before = int((times["declared_at"] < pd.Timestamp("2026-06-01", tz="UTC")).sum())
    row = table.set_index("metric").loc["time_to_declare"]
    assert row["n_before"] == before and row["n_before"] + row["n_after"] == len(times)


@pytest.mark.both_stores
def test_period_comparison_reads_the_same_numbers_as_the_row_frames(kit):
    """It reads only the durations (``duration_samples``); the answer is the one the row frames give."""
    from incident_kit.analytics import response

    demo.load(kit.db, incidents=300, seed=11)
    split = pd.Timestamp("2026-06-01", tz="UTC")
    f = analytics.make_filters()
    values = response.duration_samples(kit, f)
    times, gaps = analytics.response_times(kit), analytics.update_gaps(kit)
    assert times["time_to_resolve_minutes"].isna().any()  # unresolved incidents: NULL must arrive as NaN
    for column in trends.DURATIONS.values():
        frame = times if column[0] == "response_times" else gaps
        expected = np.sort(frame[column[1]].to_numpy(dtype=float, na_value=np.nan))
        assert np.array_equal(np.sort(values[column[1]]), expected, equal_nan=True), column

    def rows(g):
        return trends.samples(analytics.response_times(kit, g), analytics.update_gaps(kit, g))

    expected = trends.compare_periods(rows(analytics.make_filters(f, until=split)),
                                      rows(analytics.make_filters(f, since=split)))
    pd.testing.assert_frame_equal(trends.period_comparison(kit, split=split), expected)


def test_xmr_limits_follow_the_hand_computed_arithmetic():
    months = pd.DataFrame({"month": ["2026-01", "2026-02", "2026-04", "2026-05"], "declarations": [2, 4, 3, 12]})
    frame = trends.xmr(months)
    # March had none: 2, 4, 0, 3, 12 -> centre 21/5 = 4.2; moving ranges 2, 4, 3, 9 -> mean 4.5;
    # upper 4.2 + 2.66 * 4.5 = 16.17; lower max(0, 4.2 - 11.97) = 0.
    assert list(frame["month"]) == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"]
    assert list(frame["declarations"]) == [2, 4, 0, 3, 12]
    assert frame["centre"].iloc[0] == pytest.approx(4.2)
    assert frame["upper_limit"].iloc[0] == pytest.approx(16.17)
    assert frame["lower_limit"].iloc[0] == 0
    assert list(frame["signal"]) == [""] * 5
    spike = trends.xmr(pd.DataFrame({"month": [f"2026-{m:02d}" for m in range(1, 13)],
                                     "declarations": [10, 11, 9, 10, 12, 10, 11, 9, 10, 11, 10, 40]}))
    assert list(spike["signal"]).count("above") == 1 and spike["signal"].iloc[-1] == "above"
    assert trends.xmr(months.iloc[0:0]).empty


def test_the_exact_interval_for_large_samples_agrees_with_scipys_bootstrap(monkeypatch):
    from incident_kit.analytics import resampling

    x = _lognormal(5001, 3)
    exact = resampling.exact_median_ci95(x)
    monkeypatch.setattr(resampling, "EXACT_ABOVE", 10**9)
    monte_carlo = resampling.median_ci95(x)
    assert exact == pytest.approx(monte_carlo, rel=0.005)
    big = _lognormal(100_000, 4)
    lo, hi = trends.median_ci95(big)  # the exact path: no resampling of 100k values
    assert lo <= np.median(big) <= hi and (hi - lo) / np.median(big) < 0.02
