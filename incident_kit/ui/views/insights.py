"""Insights: learn from incidents. Distributions and trends, never league tables.

The page reads its filters, asks the Kit for the insights and renders each
chart with a caption (how to read it, what not to conclude) and a download of
the data behind it. Private incidents the viewer may not see are not counted.

Only the open tab runs. The filters and the headline above the tabs are shared;
the tabs rerun the page when another one is picked (``on_change="rerun"``), and
each tab's sections, its learning panels included, are computed and drawn only
while that tab is open, so a visit pays for four or five charts, not fifteen.
``?tab=follow-ups`` in a link opens that tab, and the tab last open comes back
when the person returns to the page within the session.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from incident_kit.analytics import charts, readings  # pure: a frame in, an Altair chart or words out
from incident_kit.analytics.readings import WORKED_OUT
from incident_kit.review.models import DEPTH_LABELS
from incident_kit.similar.grouping import MAX_SHARE, MIN_CAP
from incident_kit.similar.service import RECUR_SHARE
from incident_kit.clock import utcnow
from incident_kit.ui import display
from incident_kit.ui.context import attempt, current_user, kit
from incident_kit.ui.downloads import chart_with_data, csv_download
from incident_kit.ui.panels import similar, trends

# The tabs, by the name a link uses (?tab=follow-ups) and the label a person reads.
TABS = {"communication": "Communication", "follow-ups": "Follow-ups", "declaring": "Declaring",
        "reviews": "Reviews"}
_TAB_KEY = "ins_tab"  # the tabs' own state: Streamlit drops it while another page is shown
_KEPT_KEY = "ins_tab_kept"  # the tab last open, kept across pages for the whole session
_LINK_KEY = "ins_tab_link"  # the ?tab= value already acted on, so a stale one in the URL does not undo a click


def open_tab() -> None:
    """Before the tabs are drawn, choose the one to open: a new ?tab= link, else the one last open."""
    asked = st.query_params.get("tab")
    if asked is not None and asked != st.session_state.get(_LINK_KEY):
        # an unknown value opens the first tab; the address bar is corrected after the tabs are drawn
        st.session_state[_TAB_KEY] = TABS.get(asked.strip().lower(), next(iter(TABS.values())))
    elif _TAB_KEY not in st.session_state and st.session_state.get(_KEPT_KEY) in TABS.values():
        st.session_state[_TAB_KEY] = st.session_state[_KEPT_KEY]


def remember_tab(label: str) -> None:
    """Keep the open tab for this session and show it in the address bar, so the link can be shared."""
    st.session_state[_KEPT_KEY] = label
    slug = next(name for name, shown in TABS.items() if shown == label)
    if st.query_params.get("tab") != slug:
        st.query_params["tab"] = slug
    st.session_state[_LINK_KEY] = slug


def show(builder, frame, *, key: str, caption: str, empty: str, reading: str = "", **options) -> None:
    """A figure's one-line reading, the chart ``builder(frame, **options)`` (its spec kept per content of the
    frame: ``charts.spec``), how to read it, and the data behind it."""
    if frame.empty:
        st.info(empty, icon=":material/info:")
        return
    trends.reading(reading)
    chart_with_data(charts.spec(builder, frame, **options), frame, key=key, caption=caption)


def worked_out(tab: str) -> None:
    """The methods behind a tab's figures, named once, for whoever wants to check them."""
    with st.expander(WORKED_OUT, icon=":material/functions:"):
        st.markdown(METHODS[tab])


def communication(k, data, filters, since, until) -> None:
    summary = data["response_summary"]
    st.subheader("Response times")
    trends.reading(readings.response(summary, "time_to_declare"))
    st.dataframe(pd.DataFrame({
        "Measure": [display.field(m) for m in summary["metric"]],
        "Counted": summary["n"],
        "Half within": [display.minutes(v) for v in summary["median"]],
        "Likely between": [readings.span(lo, hi) for lo, hi in zip(summary["median_low"], summary["median_high"])],
        "9 in 10 within": [display.minutes(v) for v in summary["p90"]],
    }), hide_index=True, width="stretch", key="response_summary_table")
    st.caption("How long half of the incidents took at most, and how long all but the slowest tenth took. "
               "The typical time alone hides the long tail: read both. “Counted” is incidents, or gaps for the "
               "gap between updates. Not a target for any one incident.")
    csv_download(summary, "response_summary")
    trends.period_comparison(k, filters, since, until)

    st.subheader("How long things take")
    show(charts.duration_ecdf, data["response_distribution"],
         key="response_distribution", empty="No live incidents in this window.",
         reading=readings.response(summary, "time_to_resolve"),
         caption="Each line climbs from 0% to 100% of live incidents: where a line crosses 50%, half took at most "
                 "that long; at 90%, 9 in 10 did. Lines further left are faster. Do not conclude that a slow "
                 "incident was handled badly: hard problems take longer, and declaring late is better than not "
                 "declaring.")

    st.subheader("Update cadence")
    show(charts.gap_histogram, data["gap_histogram"], key="update_gaps",
         empty="No consecutive updates in this window.", reading=readings.gaps(data["gap_histogram"]),
         caption="Gaps between consecutive updates (up to the update that resolves the incident), as a multiple "
                 "of the severity's promised interval: bars left of 1× kept the promise. A few long gaps are "
                 "normal in quiet monitoring; a tall orange tail means stakeholders waited.")
    show(charts.cadence_chart, data["cadence_adherence"], key="cadence_adherence",
         empty="No update gaps to compare.", reading=readings.cadence(data["cadence_adherence"]),
         caption="Share of gaps within the target interval, per severity. Higher severities promise shorter "
                 "intervals, so lower bars there are expected; compare a severity with itself over time, "
                 "not severities with each other.")
    worked_out("Communication")


def follow_ups(k, data, filters, since, until) -> None:
    by_month = data["follow_ups_by_month"]
    st.subheader("Completion by the due date")
    show(charts.follow_up_completion_chart, by_month, group_title="month created", key="follow_ups_by_month",
         empty="No follow-ups in this window.", reading=readings.done_by_due(by_month),
         caption="Of the follow-ups whose due date has passed (won't-do ones left out), the share done by that "
                 "date, by the month they were created. Recent months have few due yet, so their bars move a "
                 "lot. A low rate says the due dates or the load need a look, not that someone failed.")
    by_severity = data["follow_ups_by_severity"]
    show(charts.follow_up_completion_chart, by_severity, group_title="severity", key="follow_ups_by_severity",
         empty="No follow-ups in this window.",
         reading=readings.done_by_due_per_group(by_severity),
         caption="The same rate by the incident's severity. Higher severities set shorter due dates, so "
                 "compare each severity with its own past rather than with the others.")
    st.subheader("Open follow-ups")
    show(charts.open_age_chart, data["open_age_histogram"], key="open_follow_ups",
         empty="No open follow-ups in this window.", reading=readings.open_follow_ups(data["open_age_histogram"]),
         caption="Open and in-progress follow-ups by weeks since they were created, overdue ones in red. "
                 "A long red tail is work that may no longer matter: decide to do it, or mark it won't-do "
                 "with a reason.")
    st.subheader("Time to complete")
    completion = data["completion_time_by_severity"]
    show(charts.box_chart, completion, category="severity", category_title="severity",
         value_title="days to complete", order=list(completion["severity"]), key="time_to_complete",
         empty="No follow-up is done yet.",
         reading=readings.halves(completion, "severity", lead="Half of the done follow-ups were done within"),
         caption="Days from creating a follow-up to marking it done: the box spans the middle half, the white "
                 "tick marks where half were done, the line reaches the quickest and the slowest. Quick is not "
                 "better by itself: some follow-ups deserve weeks.")
    trends.follow_up_survival(k, filters)
    worked_out("Follow-ups")


def declaring(k, data, filters, since, until) -> None:
    declarations = data["declarations_by_month"]
    st.subheader("Declarations per month")
    show(charts.declarations_chart, declarations, key="declarations",
         empty="No incidents declared in this window.",
         reading=readings.declarations(declarations, utcnow()),
         caption="More declarations is healthy: it means people are comfortable raising their hand early. "
                 "Do not read a rise as things getting worse, or set a target to bring it down. The tooltip "
                 "shows how many different people declared (a count, never who).")
    show(charts.declaration_shares_chart, declarations, key="declaration_shares",
         empty="No incidents declared in this window.",
         reading=readings.declaration_shares(declarations, utcnow()),
         caption="Share of non-engineering types (support, security, legal, people…) and share declared at "
                 "the lowest severity. Rising shares suggest declaring feels routine across the organisation. "
                 "Small months swing widely.")
    trends.declarations_xmr(k, filters)
    worked_out("Declaring")


def reviews(k, data, filters, since, until) -> None:
    mix = data["review_depth_mix"]
    st.subheader("Review depth")
    show(charts.review_depth_chart, mix, key="review_depths", empty="No reviews in this window.",
         reading=readings.review_depths(mix),
         caption="The depth teams chose for each incident's review. A healthy mix has many light notes and a "
                 "few workshops; a deeper review is not a sign of a worse incident.")
    publish = data["publish_time_by_depth"]
    show(charts.box_chart, publish, category="depth", category_title="review depth", value_title="days to publish",
         order=list(publish["depth"]), key="time_to_publish", empty="No published reviews in this window.",
         reading=readings.halves(publish, "depth", lead="Half of the reviews were published within",
                                 names={d.value: label for d, label in DEPTH_LABELS.items()}),
         caption="Days from starting a review to publishing it, by depth (box: the middle half; white tick: "
                 "where half were published). Workshops take longer by design; reviews still in draft are not "
                 "counted here.")
    recurring = data["themes"]
    st.subheader("What keeps coming back")
    show(charts.themes_chart, recurring, key="themes",
         empty="No tag or contributing factor came up in more than one incident.",
         reading=readings.themes(recurring),
         caption="Tags and review contributing factors seen in two or more incidents, counted in incidents. "
                 "A theme across many months is worth a deeper look; one busy week is not a trend.")
    similar.recurring_groups(k, current_user() or "", since=since, until=until)
    worked_out("Reviews")


# The methods behind each tab's figures (``analytics.readings.METHODS``); recurring groups add their own.
METHODS = {**readings.METHODS, "Reviews": readings.METHODS["Reviews"] + f"""
- **Incidents that read alike**: each incident's title, summary, tags and contributing factors are searched
  (BM25) among the others' words. Two incidents read alike when each scores at least
  {RECUR_SHARE:.0%} of the score it gives itself. Groups are built by average linkage: two groups join only
  when their incidents, pair by pair, read alike on average, so one shared word (a service name) never chains
  unrelated incidents together. No group holds more than {MAX_SHARE:.0%} of the incidents compared (at least
  {MIN_CAP}); a bigger one is split. A group is named by the words more than half of its titles share.
"""}


SECTIONS = {"Communication": communication, "Follow-ups": follow_ups, "Declaring": declaring, "Reviews": reviews}

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
# The same filters for every section, passed to each Kit call as keywords.
filters = dict(
    since=since, until=until, severities=severities or None, types=[type_labels[t] for t in types] or None,
    # Without a signed-in name the page counts only incidents that are not private.
    viewer=current_user() or "",
)

# Every frame of every tab comes from one read (cheaper than one read per tab, and kept per data
# version by analytics); the learning panels inside each tab are what only the open tab pays for.
data = attempt(k.insights, **filters)
if data is None:
    st.stop()
c = data["scope_counts"].iloc[0]
st.markdown(readings.scope(c["incidents"], c["live"], c["excluded"]))

open_tab()
containers = dict(zip(TABS.values(), st.tabs(list(TABS.values()), key=_TAB_KEY, on_change="rerun")))
label = next((name for name, tab in containers.items() if tab.open), next(iter(TABS.values())))
remember_tab(label)
with containers[label]:
    SECTIONS[label](k, data, filters, since, until)
