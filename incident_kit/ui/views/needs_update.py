"""Needs an update: active incidents past their promised update time, most late first."""

import streamlit as st

from incident_kit.ui import context as ui

kit = ui.kit()
user = ui.current_user()

st.title("Needs an update")
st.caption("Active incidents whose next update is overdue. Each severity promises an update on its cadence; "
           "the person accountable is the communications lead, else the incident lead, else the declarer.")

late = ui.attempt(kit.needs_update, viewer=user or "")
if late is not None:
    if late.empty:
        st.success("Every active incident you can see is up to date.", icon=":material/check_circle:")
    else:
        st.metric("Overdue incidents", len(late))
        st.dataframe(
            late[["reference", "title", "severity", "late", "accountable", "next_update_due", "last_update_at"]],
            hide_index=True, width="stretch",
            column_config={
                "reference": st.column_config.TextColumn("Incident"),
                "title": st.column_config.TextColumn("Title"),
                "severity": st.column_config.TextColumn("Severity"),
                "late": st.column_config.TextColumn("How late"),
                "accountable": st.column_config.TextColumn("Accountable for updates"),
                "next_update_due": st.column_config.DatetimeColumn("Update was due", format="YYYY-MM-DD HH:mm z"),
                "last_update_at": st.column_config.DatetimeColumn("Last update", format="YYYY-MM-DD HH:mm z"),
            })
        st.caption("Reminders go to the accountable person through the notification outbox, "
                   "once per incident per due time.")
