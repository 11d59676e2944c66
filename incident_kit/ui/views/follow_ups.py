"""Follow-ups: mine, and everything still open or overdue. Mark done, change status, export."""

import streamlit as st

from incident_kit.follow_up.models import FollowUpStatus
from incident_kit.ui import display
from incident_kit.ui.context import attempt, current_user, kit as shared_kit

STATUSES = [s.value for s in FollowUpStatus]

kit = shared_kit()
user = current_user()  # app.py asks who you are before any page runs

st.title("Follow-ups")


def _table(frame, key: str) -> None:
    st.dataframe(display.follow_up_frame(frame), hide_index=True, placeholder=display.EMPTY, width="stretch", key=key,
                 column_config={
        "Tracker link": st.column_config.LinkColumn("Tracker link", display_text="Open"),
    })


def _actions(frame, key: str) -> None:
    """Pick one follow-up and change it."""
    if frame is None or frame.empty:
        return
    labels = {r.reference: f"{r.reference} · {' '.join(str(r.title).split())[:90]}" for r in frame.itertuples()}
    cols = st.columns([3, 2, 3, 1], vertical_alignment="bottom")
    chosen = cols[0].selectbox("Follow-up", list(labels), format_func=labels.get, key=f"{key}_pick")
    status = cols[1].selectbox("New status", STATUSES, index=STATUSES.index("done"), key=f"{key}_status",
                               format_func=lambda s: FollowUpStatus(s).label)
    reason = cols[2].text_input("Reason (for won't do)", key=f"{key}_reason", disabled=status != "wont_do")
    if cols[3].button("Apply", key=f"{key}_apply", type="primary"):
        if attempt(kit.set_follow_up_status, chosen, status, reason=reason or None, by=user) is not None:
            st.toast(f"{chosen} is now marked “{FollowUpStatus(status).label}”.")
            st.rerun()


mine_tab, open_tab, export_tab = st.tabs(["My follow-ups", "All open and overdue", "Export"])
with mine_tab:
    mine = attempt(kit.follow_ups, viewer=user, owner=user, still_open=True)
    if mine is not None:
        overdue = int(mine["overdue"].sum())
        st.caption(f"{len(mine)} open, {overdue} overdue, owned by {display.text(user)}.")
        if mine.empty:
            st.success("Nothing open on your plate.", icon=":material/task_alt:")
        else:
            _table(mine, "fu_mine_table")
        _actions(mine, "mine")

with open_tab:
    only_overdue = st.toggle("Only overdue", key="fu_only_overdue")
    frame = attempt(kit.follow_ups, viewer=user, still_open=True, overdue=only_overdue)
    if frame is not None:
        st.caption(f"{len(frame)} {'overdue' if only_overdue else 'open'}; "
                   f"{int(frame['overdue'].sum())} past their due date.")
        _table(frame, "fu_open_table")
        _actions(frame, "open")

with export_tab:
    st.write("The CSV imports into GitHub Issues, Jira and Linear. Fill in the **Tracker URL** column and "
             "upload the file back here to link each follow-up to its issue.")
    scope = st.radio("Which", ["Still open", "All"], horizontal=True, key="fu_export_scope")
    opts = {"viewer": user, "still_open": scope == "Still open"}
    csv_text = attempt(kit.export_follow_ups, format="csv", **opts)
    json_text = attempt(kit.export_follow_ups, format="json", **opts)
    cols = st.columns(2)
    if csv_text is not None:
        cols[0].download_button("CSV", csv_text, file_name="follow-ups.csv", mime="text/csv",
                                icon=":material/download:")
    if json_text is not None:
        cols[1].download_button("JSON", json_text, file_name="follow-ups.json", mime="application/json",
                                icon=":material/download:")
    upload = st.file_uploader("Write back tracker links (CSV with Follow up ID and Tracker URL)", type=["csv"],
                              key="fu_links")
    if upload is not None and st.button("Import links", key="fu_import_links"):
        counts = attempt(kit.import_tracker_links, upload.getvalue().decode("utf-8"), by=user)
        if counts is not None:
            st.success(f"Linked {display.count(counts['linked'], 'follow-up')} ({counts['unchanged']} unchanged).",
                       icon=":material/link:")
