"""Similar incidents in the app: "Has this happened before?" on Declare and the Incident page,
"Related incidents" in the review, and recurring groups in Insights' "What keeps coming back".

Pages call one function each; this module only reads widgets, calls the Kit API and renders.
``render`` is the Incident-page panel (listed in ``panels.PANELS``).
"""

from __future__ import annotations

import re

import streamlit as st
from streamlit.errors import StreamlitAPIException

from incident_kit.analytics import readings
from incident_kit.ui import display
from incident_kit.ui.context import INCIDENT_PAGE, attempt
from incident_kit.ui.downloads import csv_download

# A title of a word or two matches too much to help; wait for a few words.
MIN_WORDS = 2
SHOWN = 5
# Insights shows the biggest few recurring groups; a toggle shows the rest (a long list buried the page).
GROUPS_SHOWN = 5
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def _plain(text) -> str:
    """User text shown as itself: Markdown, emoji shortcodes and icons (":...:") are escaped."""
    return _MARKDOWN.sub(r"\\\1", " ".join(str(text or "").split()))


def _link(reference: str, title: str, *, key: str) -> None:
    label = f"{reference} · {_plain(title)}"
    try:  # a link only when the Incident page is in the app's navigation
        st.page_link(INCIDENT_PAGE, label=label, icon=":material/history:", query_params={"ref": reference})
    except StreamlitAPIException:
        st.markdown(label)


def _list(found: list[dict], *, key: str) -> None:
    for n, item in enumerate(found):
        _link(item["reference"], item["title"], key=f"{key}_{n}")


def before_declare(kit, title: str, user) -> None:
    """Under the Declare title: earlier incidents like it, so people can check before declaring."""
    if len(str(title or "").split()) < MIN_WORDS:
        return
    found = attempt(kit.similar, title, limit=SHOWN, viewer=user) or []
    if not found:
        return
    with st.container(border=True):
        st.markdown("**Has this happened before?**")
        st.caption("Earlier incidents with similar words. Their reviews may say what helped. "
                   "Declare anyway if this is new or you are unsure.")
        _list(found, key="declare_similar")


def render(kit, incident, user) -> None:
    """Incident page: the incidents most like this one."""
    found = attempt(kit.similar, incident.reference, limit=SHOWN, viewer=user) or []
    st.subheader("Has this happened before?")
    if not found:
        st.caption("No earlier incident reads like this one.")
        return
    st.caption("The incidents whose titles, summaries, updates and reviews read most like this one, closest first.")
    _list(found, key=f"incident_similar_{incident.reference}")


def related_section(kit, reference: str, user, *, editable: bool = True) -> None:
    """Review: the incidents linked as related (they go into the exports), and suggestions to link."""
    st.markdown("#### Related incidents")
    linked = attempt(kit.related, reference, viewer=user) or []
    if not linked:
        st.caption("No incidents linked yet. Linked incidents appear in the exported review.")
    for n, item in enumerate(linked):
        cols = st.columns([6, 1], vertical_alignment="center")
        with cols[0]:
            _link(item["reference"], item["title"], key=f"related_{reference}_{n}")
        if editable and cols[1].button("Unlink", key=f"related_{reference}_unlink_{item['reference']}"):
            if attempt(kit.unlink_related, reference, item["reference"], by=user) is not None:
                st.rerun()
    if not editable:
        return
    have = {item["reference"] for item in linked}
    ideas = [f for f in attempt(kit.similar, reference, limit=SHOWN, viewer=user) or [] if f["reference"] not in have]
    if ideas:
        st.caption("Similar incidents you could link:")
    for item in ideas:
        cols = st.columns([6, 1], vertical_alignment="center")
        with cols[0]:
            _link(item["reference"], item["title"], key=f"related_idea_{reference}_{item['reference']}")
        if cols[1].button("Link", key=f"related_{reference}_link_{item['reference']}"):
            if attempt(kit.link_related, reference, item["reference"], by=user) is not None:
                st.rerun()


def recurring_groups(kit, user, *, since=None, until=None) -> None:
    """Insights: groups of incidents alike enough to be one problem coming back, closed, biggest first."""
    groups = attempt(kit.recurring, viewer=user, since=since, until=until)
    st.markdown("**Incidents that read alike**")
    if groups is None or groups.empty:
        st.info("No two incidents in this window read alike enough to group.", icon=":material/info:")
        return
    count = groups["group"].nunique()
    st.caption("Incidents whose titles and reviews read alike, grouped and named by the words their titles "
               "share. A group is a question worth asking (is it the same cause coming back?), not proof "
               "that it is.")
    st.markdown(display.text(readings.recurring(groups)))
    numbers = sorted(groups["group"].unique())
    shown = numbers if count <= GROUPS_SHOWN or st.toggle(
        f"Show all {count} groups", key="recurring_all") else numbers[:GROUPS_SHOWN]
    for number in shown:
        group = groups[groups["group"] == number]
        with st.expander(f"{_plain(group['name'].iloc[0])} · {readings.plural(len(group), 'incident')}"):
            for row in group.itertuples(index=False):
                _link(row.reference, f"{row.title} ({display.day(row.declared_at)})",
                      key=f"recurring_{number}_{row.reference}")
    if len(shown) < count:
        st.caption(f"The {GROUPS_SHOWN} biggest of {count} groups.")
    csv_download(groups, "recurring_incidents", "Download the groups (CSV)")
