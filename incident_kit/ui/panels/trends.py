"""Honest trends on the Insights page: compare two periods, declarations against their usual range, and
how soon follow-ups get done (the methods are named in the page's "How this is worked out"). Each
function renders one section; the page calls it only while the tab that shows it is open. ``filters``
are the page's keyword arguments for the Kit's insight methods, the viewer included.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from incident_kit.analytics import charts, readings, trend_charts  # pure: a frame in, words or a chart out
from incident_kit.ui import display
from incident_kit.ui.context import attempt
from incident_kit.ui.downloads import chart_with_data


# The split date outlives its widget, whose state Streamlit drops while another tab is open.
_SPLIT_KEPT = "ins_split_kept"


def _half_within(median, low, high, n) -> str:
    """'12 min (8–15 min)': the time half took at most, and where it likely lies; or 'no data'."""
    if not n:
        return "no data"
    likely = readings.span(low, high)
    return display.minutes(median) + ("" if likely == "—" else f" ({likely})")


def period_comparison(kit, filters, since, until) -> None:
    """Before and after a date the reader picks (default: the middle of the window)."""
    st.subheader("Are we getting faster?")
    if not since or not until or until <= since:
        st.info("Pick a window with a start and an end to compare its two halves.", icon=":material/info:")
        return
    kept = st.session_state.get(_SPLIT_KEPT)  # the date picked before another tab was opened
    value = kept if kept and since <= kept <= until else since + (until - since) / 2
    split = st.date_input("Compare incidents declared before and after", value=value, min_value=since,
                          max_value=until, key="ins_split")
    st.session_state[_SPLIT_KEPT] = split
    table = attempt(kit.period_comparison, split=split, **filters)
    if table is None:
        return
    if not (table["n_before"].sum() and table["n_after"].sum()):
        st.info("One of the two periods has no live incidents to compare; move the date.", icon=":material/info:")
        return
    reading(readings.comparison(table, split))
    shown = pd.DataFrame({
        "Measure": table["label"],
        "Before: half within (likely)": [_half_within(*row) for row in zip(
            table["median_before"], table["ci_low_before"], table["ci_high_before"], table["n_before"])],
        "After: half within (likely)": [_half_within(*row) for row in zip(
            table["median_after"], table["ci_low_after"], table["ci_high_after"], table["n_after"])],
        "What we can say": table["verdict"].str.capitalize(),
        "Smallest change we could see": ["too few incidents to tell" if pd.isna(c) else f"{c:.0%} shorter"
                                         for c in table["minimum_detectable_change"]],
    })
    st.dataframe(shown, hide_index=True, width="stretch")
    chart_with_data(charts.spec(trend_charts.comparison_chart, table), table, key="period_comparison", caption=(
        "Each dot is the time half of the incidents took at most; the line around it is where that time "
        "likely lies. When the lines overlap we say **no detectable change**: the difference is within "
        "what chance alone gives with this many incidents. The last column is the smallest change these "
        "numbers of incidents would reveal; anything smaller is invisible here, however real."))


def declarations_xmr(kit, filters) -> None:
    """Declarations per month against their usual range, framed as engagement."""
    st.subheader("Declaring: routine or a signal?")
    frame = attempt(kit.declarations_xmr, **filters)
    if frame is None or frame.empty:
        st.info("No incidents declared in this window.", icon=":material/info:")
        return
    reading(readings.usual_range(frame))
    chart_with_data(charts.spec(trend_charts.xmr_chart, frame), frame, key="declarations_xmr", caption=(
        "Each month's declarations with their average (dotted) and their usual range (dashed). Months "
        "inside the range are routine: do not explain them. A month outside is worth a conversation. A rise "
        "in declarations is engagement, people raising their hand early, never a target to bring down."))


def follow_up_survival(kit, filters) -> None:
    """How soon follow-ups get done, by severity, open ones counted for as long as they have been open."""
    st.subheader("How soon follow-ups get done")
    both = attempt(kit.follow_up_completion, **filters)  # one read of the follow-ups for the curves and figures
    curves, figures = (None, None) if both is None else (both["curves"], both["figures"])
    if curves is None or curves.empty or figures is None:
        st.info("No follow-up is done yet in this window.", icon=":material/info:")
        return
    reading(readings.follow_up_completion(figures))
    chart_with_data(charts.spec(trend_charts.survival_chart, curves), curves, key="follow_up_survival", caption=(
        "Open follow-ups count for as long as they have been open, not as never done, and won't-do ones "
        "until they were closed. Read where a line crosses 50%: that many days for half the work. Lines "
        "end where the data ends; a severity with few follow-ups jumps in big steps."))


def reading(line: str) -> None:
    """A figure's one-line reading (``analytics.readings``), shown as plain text: it may hold user words."""
    if line:
        st.markdown(display.text(line))
