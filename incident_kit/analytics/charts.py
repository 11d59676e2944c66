"""Chart builders: pure functions from an insight frame to an Altair chart.

Durations are shown as distributions (ECDF, histogram, box plot), never as a
mean on its own. Every mark has a tooltip. No builder takes a team or person
field (``guardrail.chart_violations`` checks the specs).
"""

from __future__ import annotations

import altair as alt
import pandas as pd

DURATION_LABELS = {
    "time_to_declare_minutes": "Time to declare",
    "time_to_first_update_minutes": "Time to first update",
    "time_to_resolve_minutes": "Time to resolve",
    "impact_duration_minutes": "Impact duration",
}
WITHIN = {True: "within target", False: "longer than target"}
HEIGHT = 260


def _frame(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Only the columns a chart needs (so no other field travels to the browser)."""
    out = frame.loc[:, [c for c in columns if c in frame.columns]].copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.DatetimeTZDtype):
            out[col] = out[col].dt.tz_convert("UTC").dt.tz_localize(None)
        elif str(out[col].dtype) == "boolean":
            out[col] = out[col].astype(object)
    return out


def duration_ecdf(times: pd.DataFrame) -> alt.Chart:
    """Cumulative share of incidents by minutes, one line per response duration (symlog scale)."""
    data = _frame(times, ["reference", "severity", *DURATION_LABELS])
    data = data.rename(columns=DURATION_LABELS)
    return (
        alt.Chart(data)
        .transform_fold(list(DURATION_LABELS.values()), as_=["measure", "minutes"])
        .transform_filter("isValid(datum.minutes)")
        .transform_window(share="cume_dist()", sort=[{"field": "minutes"}], groupby=["measure"])
        .mark_line(interpolate="step-after", point=False)
        .encode(
            x=alt.X("minutes:Q", title="minutes (symmetric log scale)", scale=alt.Scale(type="symlog")),
            y=alt.Y("share:Q", title="share of incidents at or below", axis=alt.Axis(format="%")),
            color=alt.Color("measure:N", title=None),
            tooltip=[alt.Tooltip("measure:N"), alt.Tooltip("minutes:Q", format=".1f"),
                     alt.Tooltip("share:Q", format=".0%", title="share at or below")],
        )
        .properties(height=HEIGHT)
    )


def gap_histogram(gaps: pd.DataFrame) -> alt.Chart:
    """Update gaps in minutes, coloured by whether each was within its severity's target."""
    data = _frame(gaps, ["severity", "cadence_minutes", "gap_minutes", "within_cadence"])
    data["within target"] = data["within_cadence"].map(WITHIN).fillna("no target")
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("gap_minutes:Q", bin=alt.Bin(maxbins=40), title="minutes between consecutive updates"),
            y=alt.Y("count():Q", title="gaps", stack=True),
            color=alt.Color("within target:N", scale=alt.Scale(domain=list(WITHIN.values()) + ["no target"],
                                                               range=["#4c78a8", "#f58518", "#bab0ac"])),
            tooltip=[alt.Tooltip("gap_minutes:Q", bin=True, title="gap (minutes)"), alt.Tooltip("count():Q", title="gaps"),
                     alt.Tooltip("within target:N")],
        )
        .properties(height=HEIGHT)
    )


def cadence_chart(adherence: pd.DataFrame) -> alt.Chart:
    """Share of gaps within target, per severity (lowest first)."""
    data = _frame(adherence, ["severity", "severity_rank", "cadence_minutes", "gaps", "within_cadence", "share",
                              "median_gap_minutes", "p90_gap_minutes"])
    order = list(data.sort_values("severity_rank")["severity"]) if len(data) else []
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("severity:N", sort=order, title="severity (lowest first)"),
            y=alt.Y("share:Q", title="gaps within the target interval", axis=alt.Axis(format="%"),
                    scale=alt.Scale(domain=[0, 1])),
            tooltip=[alt.Tooltip("severity:N"), alt.Tooltip("cadence_minutes:Q", title="target (minutes)"),
                     alt.Tooltip("gaps:Q"), alt.Tooltip("within_cadence:Q", title="within target"),
                     alt.Tooltip("share:Q", format=".0%"),
                     alt.Tooltip("median_gap_minutes:Q", format=".0f", title="median gap"),
                     alt.Tooltip("p90_gap_minutes:Q", format=".0f", title="p90 gap")],
        )
        .properties(height=HEIGHT)
    )


def declarations_chart(declarations: pd.DataFrame) -> alt.Chart:
    """Declarations per month (engagement: more is healthy)."""
    data = _frame(declarations, ["month", "declarations", "distinct_declarers", "retrospective",
                                 "non_engineering_share", "lowest_severity_share"])
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("month:O", title="month declared"),
            y=alt.Y("declarations:Q", title="incidents declared"),
            tooltip=[alt.Tooltip("month:O"), alt.Tooltip("declarations:Q"),
                     alt.Tooltip("distinct_declarers:Q", title="different people declaring"),
                     alt.Tooltip("retrospective:Q", title="declared after the fact")],
        )
        .properties(height=HEIGHT)
    )


def declaration_shares_chart(declarations: pd.DataFrame) -> alt.Chart:
    """Per month: share of non-engineering types and share declared at the lowest severity."""
    data = _frame(declarations, ["month", "declarations", "non_engineering_share", "lowest_severity_share"])
    data = data.rename(columns={"non_engineering_share": "non-engineering types",
                                "lowest_severity_share": "declared at the lowest severity"})
    return (
        alt.Chart(data)
        .transform_fold(["non-engineering types", "declared at the lowest severity"], as_=["measure", "share"])
        .transform_filter("isValid(datum.share)")
        .mark_line(point=True)
        .encode(
            x=alt.X("month:O", title="month declared"),
            y=alt.Y("share:Q", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1]), title="share of declarations"),
            color=alt.Color("measure:N", title=None),
            tooltip=[alt.Tooltip("month:O"), alt.Tooltip("measure:N"), alt.Tooltip("share:Q", format=".0%"),
                     alt.Tooltip("declarations:Q")],
        )
        .properties(height=HEIGHT)
    )


def follow_up_completion_chart(summary: pd.DataFrame, *, group_title: str) -> alt.Chart:
    """Completion rate by due date per group (severity or month created)."""
    data = _frame(summary, ["group", "follow_ups", "due", "done_by_due", "completion_rate_by_due", "open",
                            "overdue"])
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("group:N", sort=None, title=group_title),
            y=alt.Y("completion_rate_by_due:Q", title="done by the due date", axis=alt.Axis(format="%"),
                    scale=alt.Scale(domain=[0, 1])),
            tooltip=[alt.Tooltip("group:N", title=group_title), alt.Tooltip("due:Q", title="due so far"),
                     alt.Tooltip("done_by_due:Q", title="done by due date"),
                     alt.Tooltip("completion_rate_by_due:Q", format=".0%", title="rate"),
                     alt.Tooltip("open:Q", title="still open"), alt.Tooltip("overdue:Q")],
        )
        .properties(height=HEIGHT)
    )


def open_age_chart(follow_ups: pd.DataFrame) -> alt.Chart:
    """Age in days of open follow-ups, overdue ones highlighted."""
    data = _frame(follow_ups, ["severity", "status", "open_age_days", "is_open", "is_overdue"])
    data = data[data["is_open"].astype(bool)] if len(data) else data
    data["overdue"] = data["is_overdue"].map({True: "overdue", False: "not yet due"}) if len(data) else []
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("open_age_days:Q", bin=alt.Bin(maxbins=30), title="days since the follow-up was created"),
            y=alt.Y("count():Q", title="open follow-ups", stack=True),
            color=alt.Color("overdue:N", scale=alt.Scale(domain=["not yet due", "overdue"],
                                                         range=["#4c78a8", "#e45756"]), title=None),
            tooltip=[alt.Tooltip("open_age_days:Q", bin=True, title="age (days)"),
                     alt.Tooltip("count():Q", title="follow-ups"), alt.Tooltip("overdue:N")],
        )
        .properties(height=HEIGHT)
    )


def time_to_complete_chart(follow_ups: pd.DataFrame) -> alt.Chart:
    """Distribution (box plot) of days to complete, per severity."""
    data = _frame(follow_ups, ["severity", "severity_rank", "days_to_complete"])
    data = data.dropna(subset=["days_to_complete"]) if len(data) else data
    order = list(data.sort_values("severity_rank")["severity"].unique()) if len(data) else []
    return (
        alt.Chart(data)
        .mark_boxplot(extent="min-max")
        .encode(
            x=alt.X("severity:N", sort=order, title="severity (lowest first)"),
            y=alt.Y("days_to_complete:Q", title="days from creation to done"),
            tooltip=[alt.Tooltip("severity:N"), alt.Tooltip("days_to_complete:Q", format=".1f")],
        )
        .properties(height=HEIGHT)
    )


def review_depth_chart(mix: pd.DataFrame) -> alt.Chart:
    """The mix of review depths chosen."""
    data = _frame(mix, ["depth", "reviews", "share", "published", "waived", "in_progress",
                        "median_days_to_publish", "p90_days_to_publish"])
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("depth:N", sort=["none", "note", "standard", "workshop"], title="review depth chosen"),
            y=alt.Y("share:Q", axis=alt.Axis(format="%"), title="share of reviewed incidents"),
            tooltip=[alt.Tooltip("depth:N"), alt.Tooltip("reviews:Q"), alt.Tooltip("share:Q", format=".0%"),
                     alt.Tooltip("published:Q"), alt.Tooltip("in_progress:Q", title="draft or in review"),
                     alt.Tooltip("median_days_to_publish:Q", format=".1f", title="median days to publish"),
                     alt.Tooltip("p90_days_to_publish:Q", format=".1f", title="p90 days to publish")],
        )
        .properties(height=HEIGHT)
    )


def time_to_publish_chart(reviews: pd.DataFrame) -> alt.Chart:
    """Distribution (box plot) of days from starting a review to publishing it, per depth."""
    data = _frame(reviews, ["depth", "days_to_publish"])
    data = data.dropna(subset=["days_to_publish"]) if len(data) else data
    return (
        alt.Chart(data)
        .mark_boxplot(extent="min-max")
        .encode(
            x=alt.X("depth:N", sort=["note", "standard", "workshop"], title="review depth"),
            y=alt.Y("days_to_publish:Q", title="days to publish"),
            tooltip=[alt.Tooltip("depth:N"), alt.Tooltip("days_to_publish:Q", format=".1f")],
        )
        .properties(height=HEIGHT)
    )


def themes_chart(themes: pd.DataFrame) -> alt.Chart:
    """Recurring themes: distinct incidents per tag or contributing factor."""
    data = _frame(themes, ["theme", "kind", "incidents", "months", "first_seen", "last_seen"])
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("theme:N", sort="-x", title=None),
            x=alt.X("incidents:Q", title="incidents where it came up"),
            color=alt.Color("kind:N", title=None),
            tooltip=[alt.Tooltip("theme:N"), alt.Tooltip("kind:N"), alt.Tooltip("incidents:Q"),
                     alt.Tooltip("months:Q", title="months it came up in"),
                     alt.Tooltip("first_seen:T", format="%Y-%m-%d"), alt.Tooltip("last_seen:T", format="%Y-%m-%d")],
        )
        .properties(height=max(HEIGHT, 18 * len(data)))
    )
