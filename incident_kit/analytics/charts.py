"""Chart builders: pure functions from an insight frame to an Altair chart.

Durations are shown as distributions (ECDF, histogram, box plot), never as a
mean on its own. Every mark has a tooltip. No builder takes a team or person
field (``guardrail.chart_violations`` checks the specs).

Pages draw a chart from its Vega-Lite spec, ``spec(builder, frame)``: built once per content of the frame
and kept, since building an Altair chart and turning it into Vega-Lite (Altair deep-copies the chart and
validates it against the Vega-Lite schema) cost more than the rest of a warm Insights view together.
"""

from __future__ import annotations

import contextlib
import json
import threading

import altair as alt
import pandas as pd
import pyarrow as pa

from ..review.models import DEPTH_LABELS
from . import memo

DURATION_LABELS = {
    "time_to_declare_minutes": "Time to declare",
    "time_to_first_update_minutes": "Time to first update",
    "time_to_resolve_minutes": "Time to resolve",
    "impact_duration_minutes": "Impact duration",
}
WITHIN = {True: "within target", False: "longer than target"}
HEIGHT = 260
# Log-axis ticks people read at a glance (minutes): 1 min, 10 min, 1 h, 10 h, 1 d, 1 week.
MINUTE_TICKS = [0, 1, 10, 60, 600, 1440, 10080]
MINUTE_LABELS = ("datum.value == 0 ? '0' : datum.value < 60 ? datum.value + ' min' : "
                 "datum.value < 1440 ? datum.value / 60 + ' h' : datum.value < 10080 ? datum.value / 1440 + ' d' "
                 ": datum.value / 10080 + ' wk'")
BOX_TITLES = {"min": "quickest", "p25": "a quarter took at most", "median": "half took at most",
              "p75": "three quarters took at most", "p90": "9 in 10 took at most", "max": "slowest"}
TITLE_LIMIT = 1000  # pixels: long axis titles are written to be read whole, never cut with "…"


def _axis(**kwargs) -> alt.Axis:
    return alt.Axis(titleLimit=TITLE_LIMIT, labelLimit=240, **kwargs)


def legend(**kwargs) -> alt.Legend:
    """A legend beside the chart whose entries are never cut: the default 160-pixel label limit cut the
    longer ones ("declared at the lowest se…"). Beside, not under: a chart's height holds its legend, and
    one under the plot left the plot a third of its height."""
    return alt.Legend(orient="right", labelLimit=0, titleLimit=0, **kwargs)


def _frame(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Only the columns a chart needs (so no other field travels to the browser)."""
    out = frame.loc[:, [c for c in columns if c in frame.columns]].copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.DatetimeTZDtype):
            out[col] = out[col].dt.tz_convert("UTC").dt.tz_localize(None)
        elif str(out[col].dtype) == "boolean":
            out[col] = out[col].astype(object)
    return out


def duration_ecdf(distribution: pd.DataFrame) -> alt.Chart:
    """Cumulative share of incidents by minutes, one line per response duration (a symmetric log axis, whose
    ticks read 1 min, 10 min, 1 h, 10 h, 1 d, 1 wk).

    Takes ``analytics.response_distribution``: percentiles 0, 2 … 100 of each duration.
    """
    data = _frame(distribution, ["metric", "n", "share", "minutes"])
    data["measure"] = data["metric"].map(lambda m: DURATION_LABELS.get(f"{m}_minutes", m))
    return (
        alt.Chart(data)
        .mark_line(interpolate="step-after", point=alt.OverlayMarkDef(size=12))
        .encode(
            x=alt.X("minutes:Q", title="how long it took", scale=alt.Scale(type="symlog"),
                    axis=_axis(values=MINUTE_TICKS, labelExpr=MINUTE_LABELS)),
            y=alt.Y("share:Q", title="share at or below", axis=_axis(format="%")),
            color=alt.Color("measure:N", title=None, legend=legend()),
            tooltip=[alt.Tooltip("measure:N", title="measure"),
                     alt.Tooltip("share:Q", format=".0%", title="share at or below"),
                     alt.Tooltip("minutes:Q", format=".0f", title="minutes"), alt.Tooltip("n:Q", title="incidents")],
        )
        .properties(height=HEIGHT)
    )


def gap_histogram(histogram: pd.DataFrame) -> alt.Chart:
    """Update gaps by their size as a multiple of the severity's target (``analytics.gap_histogram``)."""
    data = _frame(histogram, ["bin_start", "bin_end", "label", "gaps", "within_cadence"])
    data["within target"] = data["within_cadence"].map(WITHIN)
    order = list(data.sort_values("bin_start")["label"]) if len(data) else []
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("label:O", sort=order, title="gap ÷ the severity's target interval",
                    axis=_axis(labelAngle=-45, labelOverlap=False)),
            y=alt.Y("gaps:Q", title="gaps", axis=_axis()),
            color=alt.Color("within target:N", title=None,
                            scale=alt.Scale(domain=list(WITHIN.values()), range=["#4c78a8", "#f58518"]),
                            legend=legend()),
            tooltip=[alt.Tooltip("label:O", title="gap ÷ target"), alt.Tooltip("gaps:Q"),
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
            x=alt.X("severity:N", sort=order, title="severity (lowest first)", axis=_axis(labelAngle=0)),
            y=alt.Y("share:Q", title="gaps within the target interval", axis=_axis(format="%"),
                    scale=alt.Scale(domain=[0, 1])),
            tooltip=[alt.Tooltip("severity:N"), alt.Tooltip("cadence_minutes:Q", title="target (minutes)"),
                     alt.Tooltip("gaps:Q"), alt.Tooltip("within_cadence:Q", title="within target"),
                     alt.Tooltip("share:Q", format=".0%"),
                     alt.Tooltip("median_gap_minutes:Q", format=".0f", title="half of the gaps within (minutes)"),
                     alt.Tooltip("p90_gap_minutes:Q", format=".0f", title="9 in 10 gaps within (minutes)")],
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
            x=alt.X("month:O", title="month declared", axis=_axis(labelAngle=-45, labelOverlap=False)),
            y=alt.Y("declarations:Q", title="incidents declared", axis=_axis()),
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
            x=alt.X("month:O", title="month declared", axis=_axis(labelAngle=-45, labelOverlap=False)),
            y=alt.Y("share:Q", axis=_axis(format="%"), scale=alt.Scale(domain=[0, 1]),
                    title="share of declarations"),
            color=alt.Color("measure:N", title=None, legend=legend()),
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
            x=alt.X("group:N", sort=None, title=group_title, axis=_axis(labelAngle=-45, labelOverlap=False)),
            y=alt.Y("completion_rate_by_due:Q", title="done by the due date", axis=_axis(format="%"),
                    scale=alt.Scale(domain=[0, 1])),
            tooltip=[alt.Tooltip("group:N", title=group_title), alt.Tooltip("due:Q", title="due so far"),
                     alt.Tooltip("done_by_due:Q", title="done by due date"),
                     alt.Tooltip("completion_rate_by_due:Q", format=".0%", title="rate"),
                     alt.Tooltip("open:Q", title="still open"), alt.Tooltip("overdue:Q")],
        )
        .properties(height=HEIGHT)
    )


def open_age_chart(histogram: pd.DataFrame) -> alt.Chart:
    """Open follow-ups by weeks since creation, overdue ones highlighted (``analytics.open_age_histogram``)."""
    data = _frame(histogram, ["weeks_open", "overdue", "follow_ups"])
    data["due"] = data["overdue"].map({True: "overdue", False: "not yet due"}).fillna("no due date")
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("weeks_open:O", title="weeks since the follow-up was created (52 = a year or more)",
                    axis=_axis(labelAngle=0, labelOverlap=False)),
            y=alt.Y("sum(follow_ups):Q", title="open follow-ups", stack=True, axis=_axis()),
            color=alt.Color("due:N", title=None, scale=alt.Scale(domain=["not yet due", "overdue", "no due date"],
                                                                 range=["#4c78a8", "#e45756", "#bab0ac"]),
                            legend=legend()),
            tooltip=[alt.Tooltip("weeks_open:O", title="weeks open"), alt.Tooltip("due:N"),
                     alt.Tooltip("sum(follow_ups):Q", title="follow-ups")],
        )
        .properties(height=HEIGHT)
    )


def box_chart(box: pd.DataFrame, *, category: str, category_title: str, value_title: str,
              order: list[str] | None = None) -> alt.Chart:
    """A box plot from a five-number summary (``completion_time_by_severity``, ``publish_time_by_depth``).

    The box spans p25 to p75, the white tick is the median, the whisker runs from min to max.
    """
    data = _frame(box, [category, "n", "min", "p25", "median", "p75", "p90", "max"])
    if category == "depth":  # the same words as the rest of the app ("Short note", not "note")
        data[category] = data[category].map(lambda d: DEPTH_LABELS.get(d, d))
        order = [DEPTH_LABELS.get(d, d) for d in order] if order else order
    x = alt.X(f"{category}:N", sort=order, title=category_title, axis=_axis(labelAngle=0))
    tooltip = [alt.Tooltip(f"{category}:N", title=category_title), alt.Tooltip("n:Q", title="counted")] + [
        alt.Tooltip(f"{c}:Q", format=".1f", title=title) for c, title in BOX_TITLES.items()]
    base = alt.Chart(data).encode(x=x, tooltip=tooltip)
    whisker = base.mark_rule().encode(y=alt.Y("min:Q", title=value_title, axis=_axis()), y2="max:Q")
    body = base.mark_bar(size=28).encode(y="p25:Q", y2="p75:Q")
    median = base.mark_tick(color="white", size=28, thickness=2).encode(y="median:Q")
    return (whisker + body + median).properties(height=HEIGHT)


def review_depth_chart(mix: pd.DataFrame) -> alt.Chart:
    """The mix of review depths chosen."""
    data = _frame(mix, ["depth", "reviews", "share", "published", "waived", "in_progress",
                        "median_days_to_publish", "p90_days_to_publish"])
    data["depth"] = data["depth"].map(lambda d: DEPTH_LABELS.get(d, d))
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("depth:N", sort=list(DEPTH_LABELS.values()), title="review depth chosen",
                    axis=_axis(labelAngle=0)),
            y=alt.Y("share:Q", axis=_axis(format="%"), title="share of reviewed incidents"),
            tooltip=[alt.Tooltip("depth:N"), alt.Tooltip("reviews:Q"), alt.Tooltip("share:Q", format=".0%"),
                     alt.Tooltip("published:Q"), alt.Tooltip("in_progress:Q", title="draft or in review"),
                     alt.Tooltip("median_days_to_publish:Q", format=".1f", title="half published within (days)"),
                     alt.Tooltip("p90_days_to_publish:Q", format=".1f", title="9 in 10 published within (days)")],
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
            y=alt.Y("theme:N", sort="-x", title=None, axis=_axis(labelOverlap=False)),
            x=alt.X("incidents:Q", title="incidents where it came up", axis=_axis()),
            color=alt.Color("kind:N", title=None, legend=legend()),
            tooltip=[alt.Tooltip("theme:N"), alt.Tooltip("kind:N"), alt.Tooltip("incidents:Q"),
                     alt.Tooltip("months:Q", title="months it came up in"),
                     alt.Tooltip("first_seen:T", format="%d %b %Y", title="first seen"),
                     alt.Tooltip("last_seen:T", format="%d %b %Y", title="last seen")],
        )
        .properties(height=max(HEIGHT, 24 * len(data)))  # a readable row per theme (20 at most)
    )


# A page shows up to 15 charts per viewer and window; a few dozen specs of a few KB each keep a busy team warm.
SPECS_KEPT = 64
KEPT_SPECS = memo.Memo(SPECS_KEPT)  # hits and misses are counted, as for answers
_ALTAIR = threading.Lock()  # Altair's theme and data transformer are global to the process, not per thread


def _named_frame(data, datasets: dict) -> dict:
    """An Altair data transformer: keep the chart's frame under a name made from its content, as Streamlit does,
    for Streamlit to send as Arrow (instead of Altair writing every row into the spec as JSON)."""
    name = "data-" + memo.fingerprint(data).hex()[:16]
    datasets[name] = data
    return {"name": name}


alt.data_transformers.register("incident_kit_frames", _named_frame)


def vega_lite(chart) -> dict:
    """``chart`` as a Vega-Lite spec for ``st.vega_lite_chart``, each frame of its data under ``datasets``.

    What ``st.altair_chart`` sends, less Altair's validation against the Vega-Lite schema (a third of the
    cost of a chart per view): the builders here make valid specs, which tests check (``to_dict()``
    validates). Altair's own theme is off, as Streamlit turns it off, so the page's theme applies.
    """
    datasets: dict = {}
    with _ALTAIR:
        theme = alt.theme.enable("none") if alt.theme.active == "default" else contextlib.nullcontext()
        with theme, alt.data_transformers.enable("incident_kit_frames", datasets=datasets):
            out = chart.to_dict(validate=False)
    out["datasets"] = {**out.get("datasets", {}), **datasets}
    return out


def spec(builder, frame: pd.DataFrame, **options) -> dict:
    """``vega_lite(builder(frame, **options))``, kept per content of ``frame`` and the options, its data as Arrow
    tables: a repeat view of the same figures costs a digest of the frame (under a millisecond for the page's
    aggregates) instead of building the chart and converting its data again. ``builder`` must be a pure
    function of its arguments, as every builder here is. Each call returns a spec of its own (Streamlit
    changes the one it is given); the Arrow tables are immutable."""
    try:
        key = (builder, repr(sorted(options.items())), memo.fingerprint(frame))
    except TypeError:  # a value the digest cannot read (a list in a cell): built every time, still correct
        return vega_lite(builder(frame, **options))
    kept = KEPT_SPECS.get(key, None, None)
    if kept is memo.MISS:
        made = vega_lite(builder(frame, **options))
        tables = {name: _arrow(data) for name, data in made.pop("datasets").items()}
        kept = (json.dumps(made), tables)
        KEPT_SPECS.put(key, None, None, kept)
    text, tables = kept
    return {**json.loads(text), "datasets": dict(tables)}


def _arrow(data: pd.DataFrame):
    """A chart's frame as the Arrow table Streamlit would send; the frame itself if Arrow cannot read a column
    (Streamlit then converts it on each view, with its own fixes for mixed columns)."""
    try:
        return pa.Table.from_pandas(data)
    except (pa.ArrowTypeError, pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return data
