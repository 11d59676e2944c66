"""Reviews: what is to do, in review and published (yours first), and one review to write.

``/reviews?ref=INC-12`` opens that review directly, so the address can be shared.
The review itself is a guided form (``panels/review_form.py``): a question per
section with what the record knows beside it, saved as people write.
"""

import datetime as dt

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException

from incident_kit.errors import IncidentKitError
from incident_kit.incident.models import ACTIVE
from incident_kit.review.models import SECTION_BY_KEY, STATUS_ACTIONS, Depth, ReviewStatus
from incident_kit.ui import display
from incident_kit.ui.context import PAGE_SIZE, attempt, browser_tz, current_user, kit as shared_kit
from incident_kit.ui.panels.review import change_depth_form, follow_up_form, follow_ups_table, start_form
from incident_kit.ui.panels.review_form import render_form
from incident_kit.ui.panels import similar

INCIDENT_PAGE = "incident_kit/ui/views/incident.py"
REVIEWS_PAGE = "incident_kit/ui/views/reviews.py"
QUEUES = {"todo": "to_do", "review": "in_review", "done": "done"}  # this page's keys -> kit.review_queue's lists
REVIEWS_TAB = "reviews_tab"  # the chosen tab's label, in session state

kit = shared_kit()
user = current_user()  # app.py asks who you are before any page runs
tz = browser_tz()


def _open(ref: str) -> None:
    st.query_params["ref"] = ref


def _home() -> None:
    st.title("Reviews")
    st.caption("Every resolved incident gets a review: a short note, a standard review, a full workshop, or a "
               "one-line reason why none is needed. Yours come first.")
    counts = attempt(kit.review_counts, viewer=user)  # counted in SQL: the page reads only the rows it shows
    if counts is None:
        return
    groups = [("todo", "To do"), ("review", "In review"), ("done", "Published or waived")]
    st.caption(" · ".join(f"{label}: {counts[QUEUES[g]]:,}" for g, label in groups))
    # Only the open tab's list is read (a rerun when another is chosen): each is a query over every review. The
    # labels carry no count: Streamlit keeps the chosen tab by its label, and a count that moves would reset it.
    tabs = st.tabs([label for _, label in groups], key=REVIEWS_TAB, on_change="rerun")
    for tab, (group, _) in zip(tabs, groups):
        if tab.open:
            with tab:
                _queue(group, counts[QUEUES[group]])


def _show_more(group: str) -> None:
    st.session_state[f"reviews_limit_{group}"] += PAGE_SIZE


def _queue(group: str, total: int) -> None:
    """One list, the viewer's own first: one page of rows, and "Show more" while there are more."""
    if total == 0:
        st.caption("Nothing here.")
        return
    limit = st.session_state.setdefault(f"reviews_limit_{group}", PAGE_SIZE)
    rows = attempt(kit.review_queue, QUEUES[group], viewer=user, limit=limit)
    if rows is None:
        return
    for r in rows.itertuples(index=False):
        if r.status is None:
            what = "Not started"
        else:
            what = f"{display.depth(r.depth)} · {display.status(r.status)}"
            if r.open_follow_ups:
                what += f" · {r.open_follow_ups} open follow-up{'s' if r.open_follow_ups != 1 else ''}"
        cols = st.columns([5, 3, 1], vertical_alignment="center")
        who = " · :blue-badge[Yours]" if r.mine else ""
        cols[0].markdown(f"**{r.incident}** · {display.text(r.title, limit=90)}{who}")
        cols[1].caption(what)
        cols[2].button("Open", key=f"open_review_{group}_{r.incident}", on_click=_open, args=(r.incident,))
    if len(rows) < total:
        st.caption(f"Showing {len(rows):,} of {total:,}.")
        st.button(f"Show {PAGE_SIZE} more", icon=":material/expand_more:", key=f"reviews_more_{group}",
                  on_click=_show_more, args=(group,))


def _review(ref: str) -> None:
    if st.button("All reviews", icon=":material/arrow_back:", type="tertiary", key="back_to_reviews"):
        st.query_params.clear()
        st.rerun()
    incident = None
    try:
        incident = kit.get(ref, viewer=user)
    except IncidentKitError:
        pass
    if incident is None:
        st.warning(f"We can't find an incident **{display.text(ref, limit=40)}** that you can see. Check the "
                   "reference; if it is private, ask its incident lead to add you.", icon=":material/search_off:")
        return
    st.title(f"Review of {incident.reference} · {display.text(incident.title)}")
    try:  # the Incident page may not be part of this app build
        st.page_link(INCIDENT_PAGE, label=f"Open {ref} on the Incident page", icon=":material/emergency:",
                     query_params={"ref": ref})
    except StreamlitAPIException:
        pass
    review = attempt(kit.review, ref, viewer=user)
    if review is None:
        if incident.status in ACTIVE:
            st.info(f"{ref} is still {display.status(incident.status).lower()}. The review starts once it is "
                    "resolved.", icon=":material/hourglass_top:")
        else:
            st.subheader("How deep should the review go?")
            start_form(kit, incident, user, key=f"review_{ref}")
        return

    st.markdown(f":violet-badge[{display.depth(review.depth)}] :blue-badge[{display.status(review.status)}]")
    if review.waived_reason:
        st.caption(f"No review: {display.text(review.waived_reason)}")
    actions = STATUS_ACTIONS[review.status]
    if actions:
        cols = st.columns(len(actions) + 3)
        for i, (target, label) in enumerate(actions):
            if cols[i].button(label, key=f"review_{ref}_to_{target.value}",
                              type="primary" if target == ReviewStatus.PUBLISHED else "secondary"):
                if attempt(kit.set_review_status, ref, target.value, by=user) is not None:
                    st.rerun()
    with st.expander("Change how deep the review goes"):
        change_depth_form(kit, review, user, key=f"review_{ref}")

    if review.depth == Depth.WORKSHOP:
        day = st.date_input("Workshop date", value=review.scheduled_for.date() if review.scheduled_for else None,
                            key=f"review_{ref}_workshop_day")
        if day and (review.scheduled_for is None or day != review.scheduled_for.date()):
            if st.button("Save workshop date", key=f"review_{ref}_schedule"):
                if attempt(kit.schedule_review, ref, dt.datetime.combine(day, dt.time(13, 0), tzinfo=dt.timezone.utc),
                           by=user) is not None:
                    st.rerun()

    if review.depth != Depth.NONE:
        facts = attempt(kit.review_prefill, ref, viewer=user)
        hints = attempt(kit.review_hints, ref, viewer=user) or []
        if facts is not None:
            render_form(kit, review, facts, user, tz, hints)
        factors = st.text_input("Themes for the insights (comma-separated, e.g. config change, missing alert)",
                                value=", ".join(review.contributing_factors), key=f"review_{ref}_factors")
        if factors != ", ".join(review.contributing_factors):
            if st.button("Save themes", key=f"review_{ref}_save_factors"):
                if attempt(kit.set_contributing_factors, ref, factors, by=user) is not None:
                    st.rerun()
        similar.related_section(kit, ref, user, editable=review.status != ReviewStatus.WAIVED)
        st.markdown("#### Follow-ups")
        follow_ups_table(kit, ref, user, key=f"review_fus_{ref}")
        with st.expander("Add a follow-up"):
            follow_up_form(kit, ref, user, key=f"review_fu_{ref}", source="review")

        with st.expander("Earlier versions"):
            history = attempt(kit.review_history, ref, viewer=user)
            if history is not None and not history.empty:
                st.dataframe(pd.DataFrame({
                    "Question": [SECTION_BY_KEY[s].ask if s in SECTION_BY_KEY else display.field(s)
                                 for s in history["section"]],
                    "Version": history["version"],
                    "Saved": [display.date_time(v, tz) for v in history["edited_at"]],
                    "By": history["edited_by"],
                }), hide_index=True, placeholder=display.EMPTY, width="stretch", key=f"review_{ref}_history")

    st.markdown("#### Share or print")
    ecols = st.columns(3)
    markdown = attempt(kit.export_review, ref, format="markdown", viewer=user)
    html = attempt(kit.export_review, ref, format="html", viewer=user)
    if markdown is not None:
        ecols[0].download_button("Markdown", markdown, file_name=f"{ref}-review.md", mime="text/markdown",
                                 icon=":material/download:", key=f"review_{ref}_md")
    if html is not None:
        ecols[1].download_button("HTML (prints well)", html, file_name=f"{ref}-review.html", mime="text/html",
                                 icon=":material/print:", key=f"review_{ref}_html")
    st.caption("This page's address opens this review directly: copy it to share.")


wanted = str(st.query_params.get("ref") or "").strip().upper()
if wanted:
    _review(wanted[:40])
else:
    _home()
