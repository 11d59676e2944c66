"""The internal status board: what is going on now, and what was resolved this week.

Every incident the viewer may see; the first lines of its latest update, and the whole update on request.
"""

import streamlit as st

from incident_kit.ui import context as ui
from incident_kit.ui import display
from incident_kit.ui.panels import maintenance

kit = ui.kit()
user = ui.current_user()
tz = ui.browser_tz()

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


def _show_more(part: str) -> None:
    st.session_state[f"board_limit_{part}"] += ui.CARDS_PAGE_SIZE


def _part(part: str, total: int) -> None:
    """One part of the board: one page of cards (chosen in SQL), and "Show more" while there are more."""
    limit = st.session_state.setdefault(f"board_limit_{part}", ui.CARDS_PAGE_SIZE)
    rows = ui.attempt(kit.status_board, viewer=user, part=part, limit=limit) if total else None
    for row in rows.itertuples() if rows is not None else ():
        _card(row, ongoing=part == "ongoing")
    if rows is not None and len(rows) < total:
        st.caption(f"Showing {len(rows):,} of {total:,}.")
        st.button(f"Show {ui.CARDS_PAGE_SIZE} more", icon=":material/expand_more:", key=f"board_more_{part}",
                  on_click=_show_more, args=(part,))


counts = ui.attempt(kit.status_board_counts, viewer=user)
if counts is not None:
    left, right = st.columns(2)
    left.metric("Ongoing incidents", f"{counts['ongoing']:,}")
    right.metric("Overdue for an update", f"{counts['overdue']:,}")
    st.header("Ongoing", anchor=False)
    if not counts["ongoing"]:
        st.success("Nothing is going on right now.", icon=":material/check_circle:")
    _part("ongoing", counts["ongoing"])
    st.header("Resolved in the last 7 days", anchor=False)
    if not counts["resolved"]:
        st.caption("Nothing was resolved this week.")
    _part("resolved", counts["resolved"])

maintenance.render(kit, user, tz)
