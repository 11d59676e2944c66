"""Insights: learn from incidents. Distributions and trends, never league tables.

The page reads its filters, calls ``incident_kit.analytics`` and renders each
chart with a caption (how to read it, what not to conclude) and a download of
the data behind it. Private incidents the viewer may not see are not counted.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from incident_kit import analytics
from incident_kit.analytics import charts
from incident_kit.clock import utcnow
from incident_kit.safe_output import frame_csv
from incident_kit.ui import display
from incident_kit.ui.context import attempt, current_user, kit
from incident_kit.ui.panels import similar, trends

st.title("Insights")
st.caption("Are we communicating on time? Do follow-ups get done? Are people comfortable declaring? "
           "What keeps coming back? These charts show distributions and trends over time. They never rank "
           "or compare teams or people by incident counts, because that teaches people not to declare.")

k = kit()
today = utcnow().date()
with st.container(border=True):
    c1, c2, c3 = st.columns([2, 2, 2])
    window = c1.date_input("Declared between", value=(today - dt.timedelta(days=365), today), key="ins_window")
    severities = c2.multiselect("Severity", [s.name for s in k.severities()], key="ins_severity",
                                placeholder="All severities")
    type_labels = {t.label: t.name for t in k.types()}
    types = c3.multiselect("Type", list(type_labels), key="ins_type", placeholder="All types")

if isinstance(window, (tuple, list)):  # while a range is being picked it has one end only
    since, until = (list(window) + [None, None])[:2]
else:
    since, until = window, None
filters = analytics.make_filters(
    since=since, until=until, severities=severities or None, types=[type_labels[t] for t in types] or None,
    # Without a signed-in name the page counts only incidents that are not private.
    viewer=current_user() or "",
)


def show(chart, frame, *, key: str, caption: str, empty: str) -> None:
    """A chart, how to read it, and the data behind it."""
    if frame.empty:
        st.info(empty, icon=":material/info:")
        return
    st.altair_chart(chart, width="stretch")
    st.caption(caption)
    st.download_button("Download the data (CSV)", frame_csv(frame).encode(), file_name=f"{key}.csv",
                       mime="text/csv", key=f"download_{key}", icon=":material/download:")


data = attempt(analytics.insights, k, filters)  # every frame below, computed in one read
if data is None:
    st.stop()
c = data["scope_counts"].iloc[0]
st.markdown(f"**{c['incidents']}** incidents declared in this window. Response metrics count the "
            f"**{c['live']}** live ones; **{c['excluded']}** declared after the fact or as tests are left out.")

communication, follow_up_tab, declaring, reviews_tab = st.tabs(
    ["Communication", "Follow-ups", "Declaring", "Reviews"])

with communication:
    summary = data["response_summary"]
    st.subheader("Response times")
    st.dataframe(pd.DataFrame({
        "Measure": [display.field(m) for m in summary["metric"]],
        "Counted": summary["n"],
        "Typical (median)": [display.minutes(v) for v in summary["median"]],
        "Slowest 10 % took at least": [display.minutes(v) for v in summary["p90"]],
    }), hide_index=True, width="stretch", key="response_summary_table")
    st.caption("The typical time (half were quicker, half slower) and the time the slowest tenth took at least. "
               "A typical time alone hides the long tail: read both. “Counted” is incidents, or gaps for the "
               "gap between updates. Not a target for any one incident.")
    st.download_button("Download the data (CSV)", frame_csv(summary).encode(),
                       file_name="response_summary.csv", mime="text/csv", key="download_response_summary",
                       icon=":material/download:")
    trends.period_comparison(k, filters, since, until)

    st.subheader("How long things take")
    show(charts.duration_ecdf(data["response_distribution"]), data["response_distribution"],
         key="response_distribution", empty="No live incidents in this window.",
         caption="Each line climbs from 0% to 100% of live incidents: where a line crosses 50% is the median, "
                 "90% the p90. Lines further left are faster. Do not conclude that a slow incident was handled "
                 "badly: hard problems take longer, and declaring late is better than not declaring.")

    st.subheader("Update cadence")
    show(charts.gap_histogram(data["gap_histogram"]), data["gap_histogram"], key="update_gaps",
         empty="No consecutive updates in this window.",
         caption="Gaps between consecutive updates (up to the update that resolves the incident), as a multiple "
                 "of the severity's promised interval: bars left of 1× kept the promise. A few long gaps are "
                 "normal in quiet monitoring; a tall orange tail means stakeholders waited.")
    show(charts.cadence_chart(data["cadence_adherence"]), data["cadence_adherence"], key="cadence_adherence",
         empty="No update gaps to compare.",
         caption="Share of gaps within the target interval, per severity. Higher severities promise shorter "
                 "intervals, so lower bars there are expected; compare a severity with itself over time, "
                 "not severities with each other.")

with follow_up_tab:
    by_month = data["follow_ups_by_month"]
    st.subheader("Completion by the due date")
    show(charts.follow_up_completion_chart(by_month, group_title="month created"), by_month,
         key="follow_ups_by_month", empty="No follow-ups in this window.",
         caption="Of the follow-ups whose due date has passed (won't-do ones left out), the share done by that "
                 "date, by the month they were created. Recent months have few due yet, so their bars move a "
                 "lot. A low rate says the due dates or the load need a look, not that someone failed.")
    by_severity = data["follow_ups_by_severity"]
    show(charts.follow_up_completion_chart(by_severity, group_title="severity"), by_severity,
         key="follow_ups_by_severity", empty="No follow-ups in this window.",
         caption="The same rate by the incident's severity. Higher severities set shorter due dates, so "
                 "compare each severity with its own past rather than with the others.")
    st.subheader("Open follow-ups")
    show(charts.open_age_chart(data["open_age_histogram"]), data["open_age_histogram"], key="open_follow_ups",
         empty="No open follow-ups in this window.",
         caption="Open and in-progress follow-ups by weeks since they were created, overdue ones in red. "
                 "A long red tail is work that may no longer matter: decide to do it, or mark it won't-do "
                 "with a reason.")
    st.subheader("Time to complete")
    show(charts.box_chart(data["completion_time_by_severity"], category="severity", category_title="severity",
                          value_title="days from creation to done",
                          order=list(data["completion_time_by_severity"]["severity"])),
         data["completion_time_by_severity"], key="time_to_complete", empty="No follow-up is done yet.",
         caption="Days from creating a follow-up to marking it done: the box spans the middle half, the white "
                 "tick is the median, the line reaches the quickest and the slowest. Quick is not better by "
                 "itself: some follow-ups deserve weeks.")
    trends.follow_up_survival(k, filters)

with declaring:
    declarations = data["declarations_by_month"]
    st.subheader("Declarations per month")
    show(charts.declarations_chart(declarations), declarations, key="declarations",
         empty="No incidents declared in this window.",
         caption="More declarations is healthy: it means people are comfortable raising their hand early. "
                 "Do not read a rise as things getting worse, or set a target to bring it down. The tooltip "
                 "shows how many different people declared (a count, never who).")
    show(charts.declaration_shares_chart(declarations), declarations, key="declaration_shares",
         empty="No incidents declared in this window.",
         caption="Share of non-engineering types (support, security, legal, people…) and share declared at "
                 "the lowest severity. Rising shares suggest declaring feels routine across the organisation. "
                 "Small months swing widely.")
    trends.declarations_xmr(k, filters)

with reviews_tab:
    mix = data["review_depth_mix"]
    st.subheader("Review depth")
    show(charts.review_depth_chart(mix), mix, key="review_depths", empty="No reviews in this window.",
         caption="The depth teams chose for each incident's review. A healthy mix has many light notes and a "
                 "few workshops; a deeper review is not a sign of a worse incident.")
    publish = data["publish_time_by_depth"]
    show(charts.box_chart(publish, category="depth", category_title="review depth", value_title="days to publish",
                          order=list(publish["depth"])),
         publish, key="time_to_publish", empty="No published reviews in this window.",
         caption="Days from starting a review to publishing it, by depth (box: middle half; white tick: "
                 "median). Workshops take longer by design; reviews still in draft are not counted here.")
    recurring = data["themes"]
    st.subheader("What keeps coming back")
    show(charts.themes_chart(recurring), recurring, key="themes",
         empty="No tag or contributing factor came up in more than one incident.",
         caption="Tags and review contributing factors seen in two or more incidents, counted in incidents. "
                 "A theme across many months is worth a deeper look; one busy week is not a trend.")
    similar.recurring_groups(k, current_user() or "", since=since, until=until)
