"""The internal status board: what is going on now, and what was resolved this week.

Every incident the viewer may see; the first lines of its latest update, and the whole update on request.
"""

import streamlit as st

from incident_kit.incident.models import ACTIVE
from incident_kit.ui import context as ui
from incident_kit.ui import display
from incident_kit.ui.panels import maintenance

kit = ui.kit()
user = ui.current_user()
tz = ui.browser_tz()
ACTIVE_VALUES = [s.value for s in ACTIVE]

st.title("Status")
st.caption("Internal view: includes internal updates and the private incidents you take part in. "
           "Customers see a separate public status page with external updates only.")


def _card(row, *, ongoing: bool) -> None:
    with st.container(border=True):
        lock = " · :violet-badge[:material/lock: Private]" if row.private else ""
        st.subheader(f"{row.reference} · {display.text(row.title)}", anchor=False)
        line = f"{display.text(row.severity)} · {display.status(row.status)}{lock}"
        if ongoing:
            line += f" · updates by {display.text(row.accountable)}"
            due, _ = ui.next_update_text(row.next_update_due)
            if due != "—":
                line += f" · next update {due}"
        st.caption(line)
        if ongoing and row.overdue:
            st.warning("The next update is overdue.", icon=":material/schedule:")
        if row.last_update:
            st.caption(f"Latest {display.AUDIENCE_LABELS.get(row.last_update_audience, '').lower()} update · "
                       f"{display.date_time(row.last_update_at, tz)}")
            # Its first lines; the whole update on request, so a busy day's board stays a page long.
            st.markdown(display.update_glance(**row.last_update_parts))
            with st.expander("Show the whole update"):
                st.markdown(display.update_markdown(**row.last_update_parts, tz=tz))
        else:
            st.caption("No update posted yet.")
        st.page_link(ui.INCIDENT_PAGE, label=f"Open {row.reference}", icon=":material/open_in_new:",
                     query_params={"ref": row.reference})


board = ui.attempt(kit.status_board, viewer=user)
if board is not None:
    ongoing = board[board["status"].isin(ACTIVE_VALUES)]
    resolved = board[~board["status"].isin(ACTIVE_VALUES)]
    left, right = st.columns(2)
    left.metric("Ongoing incidents", len(ongoing))
    right.metric("Overdue for an update", int(ongoing["overdue"].sum()))
    st.header("Ongoing", anchor=False)
    if ongoing.empty:
        st.success("Nothing is going on right now.", icon=":material/check_circle:")
    for row in ongoing.itertuples():
        _card(row, ongoing=True)
    st.header("Resolved in the last 7 days", anchor=False)
    if resolved.empty:
        st.caption("Nothing was resolved this week.")
    for row in resolved.itertuples():
        _card(row, ongoing=False)

maintenance.render(kit, user, tz)
