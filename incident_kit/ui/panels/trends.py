"""Honest trends on the Insights page: compare two periods, declarations as a process-behaviour chart,
and follow-up completion as a Kaplan–Meier curve. Each function renders one section; the page calls it
only while the tab that shows it is open. ``filters`` are the page's keyword arguments for the Kit's
insight methods, the viewer included.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from incident_kit.analytics import trend_charts  # pure: a frame in, an Altair chart out
from incident_kit.ui import display
from incident_kit.ui.context import attempt
from incident_kit.ui.downloads import chart_with_data


# The split date outlives its widget, whose state Streamlit drops while another tab is open.
_SPLIT_KEPT = "ins_split_kept"
WITHIN = "km_done_within_"  # the figures' "share done within N days" (km_done_within_30_days, ...)


def _median_and_interval(median, low, high, n) -> str:
    """'12 min (95%: 8 min – 15 min; 30 counted)', or 'no data' (counted as in the response-times table)."""
    if not n:
        return "no data"
    return f"{display.minutes(median)} (95%: {display.minutes(low)} – {display.minutes(high)}; {n} counted)"


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
    shown = pd.DataFrame({
        "Measure": table["label"],
        "Before": [_median_and_interval(*row) for row in zip(
            table["median_before"], table["ci_low_before"], table["ci_high_before"], table["n_before"])],
        "After": [_median_and_interval(*row) for row in zip(
            table["median_after"], table["ci_low_after"], table["ci_high_after"], table["n_after"])],
        "What we can say": table["verdict"].str.capitalize(),
        "Smallest change we could detect": ["not even a 95% change" if pd.isna(c) else f"{c:.0%} shorter"
                                            for c in table["minimum_detectable_change"]],
    })
    st.dataframe(shown, hide_index=True, width="stretch")
    chart_with_data(trend_charts.comparison_chart(table), table, key="period_comparison", caption=(
        "Medians with their 95% intervals (bootstrap, the same every time for the same data). When the "
        "intervals overlap we say **no detectable change**: the difference is within what chance alone "
        "produces with this many incidents. The last column is the smallest change in the median that "
        "these numbers of incidents would reveal, found by resampling your own durations; anything "
        "smaller is invisible here, however real."))


def declarations_xmr(kit, filters) -> None:
    """Declarations per month as an XmR chart, framed as engagement."""
    st.subheader("Declaring: routine or a signal?")
    frame = attempt(kit.declarations_xmr, **filters)
    if frame is None or frame.empty:
        st.info("No incidents declared in this window.", icon=":material/info:")
        return
    chart_with_data(trend_charts.xmr_chart(frame), frame, key="declarations_xmr", caption=(
        "Each month's declarations with their average (dotted) and natural process limits (dashed: "
        "average ± 2.66 × the average month-to-month change). Months inside the limits are routine "
        "variation: do not explain them. A month outside is worth a conversation. A rise in "
        "declarations is engagement, people raising their hand early, never a target to bring down."))


def follow_up_survival(kit, filters) -> None:
    """Kaplan–Meier curves of follow-up completion by severity."""
    st.subheader("How soon follow-ups get done")
    both = attempt(kit.follow_up_completion, **filters)  # one read of the follow-ups for the curves and figures
    curves, figures = (None, None) if both is None else (both["curves"], both["figures"])
    if curves is None or curves.empty or figures is None:
        st.info("No follow-up is done yet in this window.", icon=":material/info:")
        return
    median = figures["km_median_days_to_complete"]
    within = [f"{share:.0%} within {name.removeprefix(WITHIN).removesuffix('_days')} days"
              for name, share in figures.items() if name.startswith(WITHIN) and share is not None]
    st.markdown(f"Half of the follow-ups are done within **{median:.0f} days**." if median is not None
                else "Fewer than half of the follow-ups are done so far.")
    if within:
        st.markdown("Done: " + ", ".join(within) + ".")
    chart_with_data(trend_charts.survival_chart(curves), curves, key="follow_up_survival", caption=(
        "Kaplan–Meier estimate: open follow-ups count for as long as they have been open, not as never "
        "done, and won't-do ones until they were closed. Read where a line crosses 50%: that many days "
        "for half the work. Curves end where the data ends; a severity with few follow-ups jumps in big "
        "steps."))
