"""Chart builders for honest trends: pure functions from the trends/survival frames to Altair charts.

Intervals are drawn with their medians, so a reader sees overlap before reading numbers; every mark has
a tooltip; no builder takes a team or person field (``guardrail.chart_violations`` checks the specs).
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from .charts import HEIGHT, MINUTE_LABELS, MINUTE_TICKS, _axis, _frame, legend

# The survival chart draws at most this many points per line: under a pixel apart on a page-wide chart.
# The curves have a step per completion (55,000 rows at 20,000 incidents), too many for a browser to draw
# quickly; the download keeps every step.
DRAWN_STEPS = 600
COMPARISON_WIDTH = 560  # pixels: the before/after chart beside its legend within the page's ~830


def comparison_chart(comparison: pd.DataFrame) -> alt.Chart:
    """Each metric's median and 95% interval, before and after, side by side (``trends.compare_periods``)."""
    rows = []
    for r in comparison.to_dict(orient="records"):
        for period, suffix in (("before", "_before"), ("after", "_after")):
            if r[f"n{suffix}"]:
                rows.append({"measure": r["label"], "period": period, "n": r[f"n{suffix}"],
                             "median": r[f"median{suffix}"], "low": r[f"ci_low{suffix}"],
                             "high": r[f"ci_high{suffix}"], "verdict": r["verdict"]})
    data = pd.DataFrame(rows, columns=["measure", "period", "n", "median", "low", "high", "verdict"])
    base = alt.Chart(data).encode(
        y=alt.Y("period:N", title=None, sort=["before", "after"], axis=_axis()),
        color=alt.Color("period:N", title=None, sort=["before", "after"], legend=legend()),
        tooltip=[alt.Tooltip("measure:N"), alt.Tooltip("period:N"), alt.Tooltip("n:Q", title="incidents or gaps"),
                 alt.Tooltip("median:Q", format=".1f", title="half within (minutes)"),
                 alt.Tooltip("low:Q", format=".1f", title="likely from (minutes)"),
                 alt.Tooltip("high:Q", format=".1f", title="likely to (minutes)"),
                 alt.Tooltip("verdict:N", title="what we can say")],
    )
    # explicit ticks: a symmetric log scale gets none of its own, and the intervals had no axis values
    x = alt.X("low:Q", title="how long it took", scale=alt.Scale(type="symlog"),
              axis=_axis(values=MINUTE_TICKS, labelExpr=MINUTE_LABELS))
    rule = base.mark_rule(strokeWidth=3).encode(x=x, x2="high:Q")
    point = base.mark_point(filled=True, size=70).encode(x="median:Q")
    # A faceted chart keeps its own width (it does not stretch to the page): wide enough to read the ticks.
    return (rule + point).properties(height=50, width=COMPARISON_WIDTH).facet(
        # each measure's name on one line above its pair of intervals (rotated names overlapped)
        row=alt.Row("measure:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left", labelOrient="top",
                                                              labelAnchor="start", labelFontSize=12, labelLimit=0)))


def xmr_chart(xmr: pd.DataFrame) -> alt.LayerChart:
    """Declarations per month with the centre line and natural process limits (``trends.xmr``)."""
    data = _frame(xmr, ["month", "declarations", "moving_range", "centre", "upper_limit", "lower_limit", "signal"])
    data["reading"] = data["signal"].map({"above": "above the usual range: worth a look",
                                          "below": "below the usual range: worth a look"})
    data["reading"] = data["reading"].fillna("within the usual range")
    tooltip = [alt.Tooltip("month:N"), alt.Tooltip("declarations:Q"), alt.Tooltip("reading:N"),
               alt.Tooltip("centre:Q", format=".1f", title="average"),
               alt.Tooltip("upper_limit:Q", format=".1f", title="top of the usual range"),
               alt.Tooltip("lower_limit:Q", format=".1f", title="bottom of the usual range")]
    base = alt.Chart(data).encode(x=alt.X("month:O", title="month declared",
                                          axis=_axis(labelAngle=-45, labelOverlap=False)), tooltip=tooltip)
    line = base.mark_line(point=True).encode(
        y=alt.Y("declarations:Q", title="incidents declared", axis=_axis()),
        color=alt.Color("reading:N", title=None,
                        scale=alt.Scale(domain=["within the usual range", "above the usual range: worth a look",
                                                "below the usual range: worth a look"],
                                        range=["#4c78a8", "#f58518", "#b279a2"]), legend=legend()))
    centre = base.mark_line(strokeDash=[2, 2], color="gray").encode(y="centre:Q")
    upper = base.mark_line(strokeDash=[6, 4], color="gray").encode(y="upper_limit:Q")
    lower = base.mark_line(strokeDash=[6, 4], color="gray").encode(y="lower_limit:Q")
    return alt.layer(upper, centre, lower, line).properties(height=HEIGHT)


def survival_chart(curves: pd.DataFrame) -> alt.Chart:
    """Share of follow-ups done by days since creation (Kaplan–Meier), one step line per severity.

    Draws ``drawn_steps(curves)``: the same curves to within a pixel, without a point per completion.
    """
    data = _frame(drawn_steps(curves), ["severity", "days", "share_done", "follow_ups"])
    return (
        alt.Chart(data)
        .mark_line(interpolate="step-after")
        .encode(
            x=alt.X("days:Q", title="days since the follow-up was created", axis=_axis()),
            y=alt.Y("share_done:Q", title="share done",
                    axis=_axis(format="%"), scale=alt.Scale(domain=[0, 1])),
            color=alt.Color("severity:N", title="severity", legend=legend()),
            tooltip=[alt.Tooltip("severity:N"), alt.Tooltip("days:Q", format=".0f"),
                     alt.Tooltip("share_done:Q", format=".0%", title="share done"),
                     alt.Tooltip("follow_ups:Q", title="follow-ups")],
        )
        .properties(height=HEIGHT)
    )


def drawn_steps(curves: pd.DataFrame, steps: int = DRAWN_STEPS) -> pd.DataFrame:
    """The rows of ``curves`` worth drawing: each line's start and its last step in each of ``steps`` equal
    slices of the days axis. A step curve drawn from these differs from the full one by under a slice.

    One vectorised pass (550,000 rows at 200,000 incidents): each line's rows are together, by days.
    """
    if len(curves) <= steps:
        return curves
    codes = pd.factorize(curves["severity"])[0]
    days = curves["days"].to_numpy()
    new_line = codes[1:] != codes[:-1]
    if new_line.sum() + 1 != codes.max() + 1 or not (new_line | (days[1:] >= days[:-1])).all():
        return drawn_steps(curves.sort_values(["severity", "days"], kind="stable"), steps)
    slices = days // ((days.max() / steps) or 1.0)
    last_in_slice = np.append(new_line | (slices[1:] != slices[:-1]), True)
    start = np.insert(new_line, 0, True)
    return curves[last_in_slice | start]
