"""Needs an update: active incidents past their promised update time, most late first. Each row opens its incident."""

import streamlit as st

from incident_kit.ui import context as ui
from incident_kit.ui import display

kit = ui.kit()
user = ui.current_user()
tz = ui.browser_tz()

st.title("Needs an update")
st.caption("Active incidents whose next update is overdue. Each severity promises an update on its cadence; "
           "the person accountable is the communications lead, else the incident lead, else the declarer.")


def _show_more() -> None:
    st.session_state["late_limit"] += ui.PAGE_SIZE


counts = ui.attempt(kit.incident_counts, viewer=user, active=True)  # counted in SQL, like the rows below
late = ui.attempt(kit.needs_update, viewer=user, limit=st.session_state.setdefault("late_limit", ui.PAGE_SIZE))
if late is not None and counts is not None:
    total = max(counts["overdue"], len(late))  # read a moment apart: an update may have fallen due between
    if late.empty:
        st.success("Every active incident you can see is up to date.", icon=":material/check_circle:")
    else:
        st.metric("Overdue incidents", f"{total:,}")
        for row in late.itertuples(index=False):
            with st.container(border=True):
                cols = st.columns([5, 2, 2], vertical_alignment="center")
                cols[0].markdown(f"**{row.reference}** · {display.text(row.title, limit=90)}  \n"
                                 f":gray[{display.text(row.severity)} · updates by "
                                 f"{display.text(row.accountable)}]")
                cols[1].markdown(f":red[**Late by {row.late}**]  \n:gray[was due "
                                 f"{display.date_time(row.next_update_due, tz)}]")
                if cols[2].button("Post an update", key=f"late_{row.reference}", icon=":material/campaign:"):
                    ui.open_incident(row.reference)
        if len(late) < total:
            st.caption(f"Showing the {len(late):,} most late of {total:,}.")
            st.button(f"Show {ui.PAGE_SIZE} more", icon=":material/expand_more:", on_click=_show_more)
        st.caption("Reminders go to the person accountable, once per incident per due time.")
