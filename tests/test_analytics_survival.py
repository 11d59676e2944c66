"""Follow-up completion as survival: Kaplan–Meier figures match hand-computed examples."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from incident_kit import analytics
from incident_kit.analytics import survival

from insights_data import NOW, build


def test_a_small_example_matches_the_kaplan_meier_arithmetic():
    # done after 2, 5, 5, 10 days; still open after 3, 8, 12 days (censored).
    # t=2: 7 at risk, 1 done -> S = 6/7; t=3 censored; t=5: 5 at risk, 2 done -> S = 6/7 * 3/5 = 18/35;
    # t=8 censored; t=10: 2 at risk, 1 done -> S = 18/35 * 1/2 = 9/35. Median: first S <= 1/2, at 10 days.
    days = [2, 5, 5, 10, 3, 8, 12]
    done = [True, True, True, True, False, False, False]
    out = survival.estimate(days, done)
    assert out["km_median_days_to_complete"] == 10
    assert out["km_done_within_30_days"] is None  # past the longest follow-up (12 days) the curve is unknown
    assert survival.estimate([2, 5, 5, 3, 8, 40], [True, True, True, False, False, False]) == {
        # done at 2, 5, 5; open 3, 8, 40: S(2) = 5/6, S(5) = 5/6 * 2/4 = 5/12 -> median 5; within 30: 7/12
        "km_median_days_to_complete": 5.0, "km_done_within_30_days": pytest.approx(7 / 12),
        "km_done_within_60_days": None, "km_done_within_90_days": None}


def test_the_store_example_counts_open_and_wont_do_follow_ups_as_censored(kit):
    # insights_data (test incident's follow-up left out), ages at NOW = 1 June 2026:
    # f4 won't do after 1 day (censored), f6 done in 2, f1 done in 7, f2 done in 17,
    # f5 open 52 days (censored), f3 open 89 days (censored).
    # S(2) = 4/5, S(7) = 4/5 * 3/4 = 3/5, S(17) = 3/5 * 2/3 = 2/5 -> median 17 days, 60% done within 30 and 60
    # days; 90 days is past the longest follow-up (89), so unknown. (A naive "3 of 6 done" says 50%.)
    build(kit)
    fu = analytics.metrics_summary(kit, now=NOW)["follow_ups"]
    assert fu["km_median_days_to_complete"] == pytest.approx(17, abs=1e-3)
    assert fu["km_done_within_30_days"] == pytest.approx(0.6, abs=1e-3)
    assert fu["km_done_within_60_days"] == pytest.approx(0.6, abs=1e-3)
    assert fu["km_done_within_90_days"] is None


def test_curves_step_up_from_zero_per_severity_and_overall(kit):
    build(kit)
    curves = survival.completion_curves(kit, now=NOW)
    overall = curves[curves["severity"] == "All"]
    assert overall["share_done"].iloc[0] == 0 and overall["days"].iloc[0] == 0
    assert overall["share_done"].is_monotonic_increasing
    assert overall["share_done"].max() == pytest.approx(0.6)
    assert set(curves["severity"]) > {"All"}


def test_nothing_done_yet_is_zero_so_far_and_unknown_after():
    out = survival.estimate([10, 40], [False, False])
    assert out == {"km_median_days_to_complete": None, "km_done_within_30_days": 0.0,
                   "km_done_within_60_days": None, "km_done_within_90_days": None}
    assert survival.estimate([], [])["km_median_days_to_complete"] is None


def test_the_curves_are_scipys_kaplan_meier_at_every_day_and_end_at_the_longest_follow_up():
    from scipy import stats

    rng = np.random.default_rng(5)
    d = pd.DataFrame({"severity": rng.choice(["Minor", "Major"], 3000), "days": np.round(rng.exponential(30, 3000), 1),
                      "done": rng.random(3000) < 0.6})
    curves = survival.curves_from(d)
    for name, g in [("All", d), *d.groupby("severity")]:
        line = curves[curves["severity"] == name]
        sf = stats.ecdf(stats.CensoredData(uncensored=g["days"][g["done"]], right=g["days"][~g["done"]])).sf
        at = np.linspace(0, g["days"].max(), 2000)
        drawn = line["share_done"].to_numpy()[np.searchsorted(line["days"].to_numpy(), at, side="right") - 1]
        assert np.allclose(drawn, 1 - sf.evaluate(at), rtol=0, atol=1e-12), name
        assert line["days"].iloc[-1] == g["days"].max()
