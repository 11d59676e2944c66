"""What the trend chart builders draw (incident_kit/analytics/trend_charts.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from incident_kit.analytics import survival
from incident_kit.analytics import trend_charts
from incident_kit.analytics.trend_charts import DRAWN_STEPS, drawn_steps


def _step_value(curve: pd.DataFrame, at: np.ndarray) -> np.ndarray:
    """A step-after curve's share done at each of ``at`` (days)."""
    idx = np.searchsorted(curve["days"].to_numpy(), at, side="right") - 1
    return curve["share_done"].to_numpy()[idx]


def _km_curves(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    follow_ups = pd.DataFrame({"severity": rng.choice(["Minor", "Major", "Critical"], n),
                               "days": rng.exponential(30, n), "done": rng.random(n) < 0.7})
    frames = []
    for name, g in [("All", follow_ups), *follow_ups.groupby("severity")]:
        times, not_done = survival.km_steps(g["days"].to_numpy(), g["done"].to_numpy())
        frames.append(pd.DataFrame({"severity": name, "days": np.concatenate([[0.0], times]),
                                    "share_done": np.concatenate([[0.0], 1 - not_done]),
                                    "follow_ups": len(g)}))
    return pd.concat(frames, ignore_index=True)


def test_the_survival_chart_draws_a_few_hundred_steps_per_line_and_the_same_curve_at_every_slice():
    curves = _km_curves(20_000, seed=4)  # a step per completion: about 14,000 per line here
    drawn = drawn_steps(curves)
    width = curves["days"].max() / DRAWN_STEPS
    for name, full in curves.groupby("severity"):
        line = drawn[drawn["severity"] == name]
        assert len(full) > 5 * DRAWN_STEPS and len(line) <= DRAWN_STEPS + 2, name
        assert line.iloc[0].equals(full.iloc[0]) and line.iloc[-1].equals(full.iloc[-1])  # start and end kept
        ends = np.arange(1, DRAWN_STEPS + 1) * width - 1e-9  # just before each slice ends: equal there
        assert np.array_equal(_step_value(line, ends), _step_value(full, ends)), name
        everywhere = np.linspace(0, full["days"].max(), 5_000)  # in between, never ahead and never a slice behind
        assert (_step_value(line, everywhere) <= _step_value(full, everywhere)).all()
        assert (_step_value(line, everywhere + width) >= _step_value(full, everywhere)).all()


def test_a_short_curve_is_drawn_whole():
    curves = _km_curves(200, seed=1)
    assert len(curves) < DRAWN_STEPS
    assert drawn_steps(curves).equals(curves)


def test_lines_out_of_order_are_drawn_as_if_sorted():
    curves = _km_curves(20_000, seed=7)
    shuffled = curves.sample(frac=1, random_state=3)
    assert drawn_steps(shuffled).sort_values(["severity", "days"]).equals(
        drawn_steps(curves).sort_values(["severity", "days"]))


def test_the_survival_chart_sends_the_browser_the_drawn_steps_not_every_completion():
    curves = _km_curves(20_000, seed=4)
    spec = trend_charts.survival_chart(curves).to_dict()
    [rows] = spec["datasets"].values()
    assert len(rows) == len(drawn_steps(curves)) < len(curves) / 5


def test_period_comparison_names_each_measure_on_one_unrotated_line():
    table = pd.DataFrame([{"label": "Time to first update", "n_before": 30, "median_before": 12.0,
                           "ci_low_before": 8.0, "ci_high_before": 15.0, "n_after": 28, "median_after": 9.0,
                           "ci_low_after": 6.0, "ci_high_after": 13.0, "verdict": "no detectable change"}])
    header = trend_charts.comparison_chart(table).to_dict()["facet"]["row"]["header"]
    assert header["labelAngle"] == 0 and header["labelOrient"] == "top"
