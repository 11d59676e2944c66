"""Follow-ups: mine, and everything still open or overdue. Mark done, change status, export."""

from functools import partial

import streamlit as st

from incident_kit.follow_up.models import FollowUpStatus
from incident_kit.ui import display
from incident_kit.ui.context import PAGE_SIZE, attempt, current_user, flash, show_flash, kit as shared_kit

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
            flash(f"{chosen} is now marked “{FollowUpStatus(status).label}”.", toast=True)
            st.rerun()


def _show_more(key: str) -> None:
    st.session_state[f"{key}_limit"] += PAGE_SIZE


def _page(key: str, **filters):
    """Counts and one page of rows for these filters, both read in SQL; starts again at one page when they change."""
    signature = repr(sorted(filters.items()))
    if st.session_state.get(f"{key}_signature") != signature:
        st.session_state[f"{key}_signature"] = signature
        st.session_state[f"{key}_limit"] = PAGE_SIZE
    counts = attempt(kit.follow_up_counts, viewer=user, **filters)
    rows = attempt(kit.follow_ups, viewer=user, **filters, limit=st.session_state[f"{key}_limit"])
    return (None, None) if counts is None or rows is None else (counts, rows)


def _more(key: str, shown: int, total: int) -> None:
    if shown < total:
        st.button(f"Show {PAGE_SIZE} more", icon=":material/expand_more:", key=f"{key}_more",
                  on_click=_show_more, args=(key,))


show_flash()  # what the last run changed, said on this one

# Only the open tab runs (a rerun when another is chosen): each list is a query over every follow-up.
mine_tab, open_tab, export_tab = st.tabs(["My follow-ups", "All open and overdue", "Export"], key="fu_tab",
                                         on_change="rerun")
if mine_tab.open:
    with mine_tab:
        counts, mine = _page("fu_mine", owner=user, still_open=True)
        if mine is not None:
            st.caption(f"{counts['total']:,} open, {counts['overdue']:,} overdue, owned by {display.text(user)}."
                       + (f" Showing {len(mine):,}." if len(mine) < counts["total"] else ""))
            if mine.empty:
                st.success("Nothing open on your plate.", icon=":material/task_alt:")
            else:
                _table(mine, "fu_mine_table")
            _more("fu_mine", len(mine), counts["total"])
            _actions(mine, "mine")

if open_tab.open:
    with open_tab:
        only_overdue = st.toggle("Only overdue", key="fu_only_overdue")
        counts, frame = _page("fu_open", still_open=True, overdue=only_overdue)
        if frame is not None:
            st.caption(f"{counts['total']:,} {'overdue' if only_overdue else 'open'}; "
                       f"{counts['overdue']:,} past their due date."
                       + (f" Showing {len(frame):,}." if len(frame) < counts["total"] else ""))
            _table(frame, "fu_open_table")
            _more("fu_open", len(frame), counts["total"])
            _actions(frame, "open")

if export_tab.open:
    with export_tab:
        st.write("The CSV imports into GitHub Issues, Jira and Linear. Fill in the **Tracker URL** column and "
                 "upload the file back here to link each follow-up to its issue.")
        scope = st.radio("Which", ["Still open", "All"], horizontal=True, key="fu_export_scope")
        opts = {"viewer": user, "still_open": scope == "Still open"}
        cols = st.columns(2)
        # The file is made when someone clicks, not on every view of the page: an export holds every row.
        cols[0].download_button("CSV", partial(kit.export_follow_ups, format="csv", **opts), file_name="follow-ups.csv",
                                mime="text/csv", icon=":material/download:")
        cols[1].download_button("JSON", partial(kit.export_follow_ups, format="json", **opts),
                                file_name="follow-ups.json", mime="application/json", icon=":material/download:")
        upload = st.file_uploader("Write back tracker links (CSV with Follow up ID and Tracker URL)", type=["csv"],
                                  key="fu_links")
        if upload is not None and st.button("Import links", key="fu_import_links"):
            counts = attempt(kit.import_tracker_links, upload.getvalue().decode("utf-8"), by=user)
            if counts is not None:
                st.success(f"Linked {display.count(counts['linked'], 'follow-up')} ({counts['unchanged']} unchanged).",
                           icon=":material/link:")
