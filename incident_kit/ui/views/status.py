"""The internal status page: every incident you may see that is active or was resolved this week."""

import streamlit as st

from incident_kit.ui import context as ui

kit = ui.kit()
user = ui.current_user()

st.title("Status")
st.caption("Internal view: includes internal updates and the private incidents you take part in. "
           "Customers see the static status page built with `incident-kit status-page build`.")

board = ui.attempt(kit.status_board, viewer=user or "")
if board is not None:
    ongoing = board[board["status"].isin(["investigating", "fixing", "monitoring"])]
    left, right = st.columns(2)
    left.metric("Ongoing incidents", len(ongoing))
    right.metric("Overdue for an update", int(board["overdue"].sum()))
    if board.empty:
        st.success("No ongoing or recently resolved incidents.", icon=":material/check_circle:")
    for row in board.itertuples():
        with st.container(border=True):
            lock = " · private" if row.private else ""
            st.subheader(f"{row.reference} · {row.title}", anchor=False)
            due = ("" if row.next_update_due is None or str(row.next_update_due) == "NaT"
                   else f" · next update due {row.next_update_due:%Y-%m-%d %H:%M} UTC")
            st.caption(f"{row.severity} · {row.status.replace('_', '-')}{lock} · accountable: {row.accountable}{due}")
            if row.overdue:
                st.warning("The next update is overdue.", icon=":material/schedule:")
            if row.last_update:
                st.caption(f"Latest {row.last_update_audience} update")
                st.text(row.last_update)
            else:
                st.caption("No update posted yet.")
