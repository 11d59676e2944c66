"""Incident-page panel: the review (suggested depth, start or change it) and follow-ups.

Also the small widget groups the Reviews page reuses (start form, depth change,
add-follow-up form), so both places behave the same.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st
from streamlit.errors import StreamlitAPIException

from incident_kit.clock import UTC
from incident_kit.incident.models import ACTIVE, Status
from incident_kit.review.models import AWAITS_REVIEW, DEPTH_HELP, NEEDS_NO_REVIEW, Depth
from incident_kit.ui import display
from incident_kit.ui.context import attempt, flash, show_flash

REVIEWS_PAGE = "incident_kit/ui/views/reviews.py"
FOLLOW_UPS_PAGE = "incident_kit/ui/views/follow_ups.py"
DEPTHS = list(Depth)
PRIORITIES = ["low", "medium", "high", "urgent"]


def _depth_label(depth: Depth) -> str:
    return depth.label


def start_form(kit, incident, user: str, *, key: str) -> None:
    """Choose a depth (the suggestion is preselected) and start the review."""
    suggested = attempt(kit.suggest_review_depth, incident.reference, viewer=user) or Depth.NOTE
    st.caption(f"Suggested from severity ({display.text(incident.severity)}): **{suggested.label}**. The team decides.")
    depth = st.radio("How deep should the review go?", DEPTHS, index=DEPTHS.index(suggested), format_func=_depth_label,
                     key=f"{key}_depth", horizontal=True, captions=[DEPTH_HELP[d] for d in DEPTHS])
    reason = ""
    scheduled = None
    if depth == Depth.NONE:
        reason = st.text_input("Why no review? (one line)", key=f"{key}_reason",
                               placeholder="e.g. Routine; nothing new to learn")
    if depth == Depth.WORKSHOP:
        day = st.date_input("Workshop date (optional)", value=None, key=f"{key}_date")
        if day:
            scheduled = dt.datetime.combine(day, dt.time(13, 0), tzinfo=UTC)
    label = "Waive the review" if depth == Depth.NONE else f"Start the {depth.label.lower()}"
    if st.button(label, key=f"{key}_start", type="primary"):
        done = attempt(kit.start_review, incident.reference, depth=depth.value, reason=reason,
                       scheduled_for=scheduled, by=user)
        if done is not None:
            st.toast(f"{done.depth.label} started for {incident.reference}.")
            if depth != Depth.NONE:
                try:
                    st.switch_page(REVIEWS_PAGE, query_params={"ref": incident.reference})
                except StreamlitAPIException:
                    pass
            st.rerun()


def change_depth_form(kit, review, user: str, *, key: str) -> None:
    others = [d for d in DEPTHS if d != review.depth]
    cols = st.columns([2, 3, 1], vertical_alignment="bottom")
    depth = cols[0].selectbox("Change to", others, format_func=_depth_label, key=f"{key}_new_depth")
    reason = cols[1].text_input("Why no review? (one line)", key=f"{key}_new_reason",
                                disabled=depth != Depth.NONE)
    if cols[2].button("Change", key=f"{key}_change"):
        if attempt(kit.change_review_depth, review.incident, depth.value, reason=reason, by=user) is not None:
            st.rerun()


def follow_up_form(kit, reference: str, user: str, *, key: str, source: str = "incident page") -> None:
    """Title, owner (you by default), due date (by severity by default), priority. Empty again after an add."""
    fields = [f"{key}_{name}" for name in ("title", "owner", "due", "priority")]
    if st.session_state.pop(f"{key}_added", False):  # the last run added one: start over, never add it twice
        for name in fields:
            st.session_state.pop(name, None)
    show_flash()  # "Added FU-…" (the Incident page has shown it already at its top)
    title = st.text_input("Follow-up", key=f"{key}_title", placeholder="e.g. Add an alert for queue depth")
    cols = st.columns(3)
    owner = cols[0].text_input("Owner", value=user, key=f"{key}_owner")
    due = cols[1].date_input("Due (default: by severity)", value=None, key=f"{key}_due")
    priority = cols[2].selectbox("Priority", PRIORITIES, index=1, key=f"{key}_priority",
                                 format_func=lambda p: display.PRIORITY_LABELS.get(p, p))
    if st.button("Add follow-up", key=f"{key}_add"):
        item = attempt(kit.add_follow_up, reference, title, owner=owner or None, due=due, priority=priority,
                       source=source, by=user)
        if item is not None:
            flash(f"Added {item.reference}, due {display.day(item.due_at)}.", toast=True)
            st.session_state[f"{key}_added"] = True
            st.rerun()


def follow_ups_table(kit, reference: str, user, *, key: str) -> None:
    """The incident's follow-ups in people's words (no identifiers, dates as '20 Dec 2026')."""
    frame = attempt(kit.follow_ups, viewer=user, incident=reference)
    if frame is None or frame.empty:
        st.caption("No follow-ups yet.")
        return
    st.dataframe(display.follow_up_frame(frame, with_incident=False), hide_index=True, placeholder=display.EMPTY,
                 width="stretch", key=key,
                 column_config={"Tracker link": st.column_config.LinkColumn("Tracker link", display_text="Open")})


def _start_and_open(kit, ref: str, user, depth: Depth) -> None:
    review = attempt(kit.start_review, ref, depth=depth.value, by=user)
    if review is not None:
        try:
            st.switch_page(REVIEWS_PAGE, query_params={"ref": ref})
        except StreamlitAPIException:  # the Reviews page is not part of this app build
            st.rerun()


def next_step(kit, incident, user) -> None:
    """A resolved incident without a review: the three usual next steps, in plain words."""
    ref = incident.reference
    st.write("The impact is over. Before the incident closes, decide what to learn from it:")
    note, standard, waive = st.columns(3)
    with note.container(border=True):
        st.markdown("**Write a short note**")
        st.caption(DEPTH_HELP[Depth.NOTE])
        if st.button("Start a short note", key=f"panel_{ref}_note", type="primary"):
            _start_and_open(kit, ref, user, Depth.NOTE)
    with standard.container(border=True):
        st.markdown("**Write a standard review**")
        st.caption("Guided questions with the timeline, key times and roles beside them.")
        if st.button("Start a standard review", key=f"panel_{ref}_standard"):
            _start_and_open(kit, ref, user, Depth.STANDARD)
    with waive.container(border=True):
        st.markdown("**No review needed**")
        reason = st.text_input("Why not? (one line)", key=f"panel_{ref}_waive_reason",
                               placeholder="e.g. Routine; nothing new to learn")
        if st.button("Skip the review and close", key=f"panel_{ref}_waive"):
            if attempt(kit.start_review, ref, depth=Depth.NONE.value, reason=reason, by=user) is not None:
                closed = attempt(kit.close_incident, ref, by=user)
                if closed is not None:
                    st.session_state[f"closed_{ref}"] = closed[1]
                st.rerun()
    with st.expander("A full workshop, or plan a date"):
        start_form(kit, incident, user, key=f"panel_{ref}")


def render(kit, incident, user) -> None:
    st.subheader("Review and follow-ups")
    ref = incident.reference
    review = attempt(kit.review, ref, viewer=user)
    if incident.status in ACTIVE:
        st.caption("The review starts once the incident is resolved; follow-ups can be added any time.")
    elif incident.status in NEEDS_NO_REVIEW:
        st.caption(f"{ref} is {display.status(incident.status).lower()}; it needs no review.")
    elif review is None:
        next_step(kit, incident, user)
    else:
        line = f"**{display.depth(review.depth)}** · {display.status(review.status)}"
        if review.waived_reason:
            line += f" · {display.text(review.waived_reason)}"
        st.markdown(line)
        if incident.status != Status.CLOSED:
            with st.expander("Change how deep the review goes"):
                change_depth_form(kit, review, user, key=f"panel_{ref}")
    if review is not None and review.depth != Depth.NONE:
        try:  # only when the Reviews page is part of the app's navigation
            st.page_link(REVIEWS_PAGE, label="Open the review", icon=":material/rate_review:",
                         query_params={"ref": ref})
        except StreamlitAPIException:
            st.caption(f"Write the review on the Reviews page ({ref}).")
    if incident.status in AWAITS_REVIEW and review is not None:
        if review.lets_incident_close:
            if st.button("Close the incident", key=f"panel_{ref}_close", type="primary",
                         icon=":material/task_alt:"):
                closed = attempt(kit.close_incident, ref, by=user)
                if closed is not None:
                    st.session_state[f"closed_{ref}"] = closed[1]
                    st.rerun()
        else:
            st.caption("The incident closes once its review is published (or waived with a one-line reason).")
    if f"closed_{ref}" in st.session_state and incident.status == Status.CLOSED:
        n = st.session_state[f"closed_{ref}"]
        st.info(f"{ref} is closed; {n} follow-up{'s' if n != 1 else ''} still open.", icon=":material/task_alt:")
    follow_ups_table(kit, ref, user, key=f"panel_fus_{ref}")
    with st.expander("Add a follow-up"):
        follow_up_form(kit, ref, user, key=f"panel_fu_{ref}")
