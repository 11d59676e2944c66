"""Reviews: every review at a glance, and one review to write (``?ref=INC-12``).

Sections are editable markdown with their history kept; blameless-language hints
show under each section (non-blocking, dismissible); export to Markdown or HTML.
"""

import datetime as dt

import streamlit as st
from streamlit.errors import StreamlitAPIException

from incident_kit.incident.models import ACTIVE, Status
from incident_kit.review.models import Depth, ReviewStatus
from incident_kit.ui.context import attempt, current_user, kit as shared_kit
from incident_kit.ui.panels.review import change_depth_form, follow_up_form, start_form
from incident_kit.ui.panels import similar

INCIDENT_PAGE = "incident_kit/ui/views/incident.py"
STATUS_ACTIONS = {  # from -> [(target, button label)]
    ReviewStatus.DRAFT: [(ReviewStatus.IN_REVIEW, "Ready for review")],
    ReviewStatus.IN_REVIEW: [(ReviewStatus.PUBLISHED, "Publish"), (ReviewStatus.DRAFT, "Back to draft")],
    ReviewStatus.PUBLISHED: [(ReviewStatus.IN_REVIEW, "Reopen for edits")],
    ReviewStatus.WAIVED: [],
}

kit = shared_kit()
user = current_user()  # app.py asks who you are before any page runs

st.title("Reviews")

# -- which incident ---------------------------------------------------------------
listing = attempt(kit.reviews, viewer=user)
candidates = attempt(kit.incidents, viewer=user)
choices = []
if candidates is not None:
    learnable = candidates[candidates["status"].isin([Status.RESOLVED.value, Status.POST_INCIDENT.value,
                                                      Status.CLOSED.value])]
    choices = learnable["reference"].tolist()
wanted = st.query_params.get("ref")
if wanted and wanted.upper() not in choices and candidates is not None:
    choices.insert(0, wanted.upper())
if not choices:
    st.info("No resolved incidents yet. The review starts once an incident is resolved.")
    st.stop()
titles = {} if candidates is None else dict(zip(candidates["reference"], candidates["title"]))
ref = st.selectbox("Incident", choices, index=choices.index(wanted.upper()) if wanted and wanted.upper() in choices
                   else 0, format_func=lambda r: f"{r} · {titles.get(r, '')}", key="review_ref")
if st.query_params.get("ref") != ref:
    st.query_params["ref"] = ref

incident = attempt(kit.get, ref, viewer=user)
if incident is None:
    st.stop()
try:  # the Incident page may not be part of this app build
    st.page_link(INCIDENT_PAGE, label=f"Open {ref} on the Incident page", icon=":material/emergency:",
                 query_params={"ref": ref})
except StreamlitAPIException:
    pass
review = attempt(kit.review, ref, viewer=user)

if review is None:
    st.subheader(f"Start the review of {ref}")
    if incident.status in ACTIVE:
        st.warning(f"{ref} is still {incident.status.value}; resolve it first.")
    else:
        start_form(kit, incident, user, key=f"review_{ref}")
    st.stop()

# -- the review ---------------------------------------------------------------------
st.subheader(f"{review.depth.label} · {review.status.label}")
if review.waived_reason:
    st.caption(f"No review: {review.waived_reason}")
with st.expander("Change depth"):
    change_depth_form(kit, review, user, key=f"review_{ref}")

cols = st.columns(max(1, len(STATUS_ACTIONS[review.status])) + 1)
for i, (target, label) in enumerate(STATUS_ACTIONS[review.status]):
    if cols[i].button(label, key=f"review_{ref}_to_{target.value}",
                      type="primary" if target == ReviewStatus.PUBLISHED else "secondary"):
        if attempt(kit.set_review_status, ref, target.value, by=user) is not None:
            st.rerun()

if review.depth == Depth.WORKSHOP:
    day = st.date_input("Workshop date", value=review.scheduled_for.date() if review.scheduled_for else None,
                        key=f"review_{ref}_workshop_day")
    if day and (review.scheduled_for is None or day != review.scheduled_for.date()):
        if st.button("Save workshop date", key=f"review_{ref}_schedule"):
            if attempt(kit.schedule_review, ref, dt.datetime.combine(day, dt.time(13, 0), tzinfo=dt.timezone.utc),
                       by=user) is not None:
                st.rerun()

if review.depth != Depth.NONE:
    factors = st.text_input("Contributing factor labels (comma-separated, used in insights)",
                            value=", ".join(review.contributing_factors), key=f"review_{ref}_factors")
    if factors != ", ".join(review.contributing_factors):
        if st.button("Save labels", key=f"review_{ref}_save_factors"):
            if attempt(kit.set_contributing_factors, ref, factors, by=user) is not None:
                st.rerun()

hints = attempt(kit.review_hints, ref, viewer=user) or []
editable = review.status in (ReviewStatus.DRAFT, ReviewStatus.IN_REVIEW)
for spec, body in review.visible_sections:
    st.markdown(f"#### {spec.title}")
    if editable:
        text = st.text_area(spec.title, value=body, key=f"review_{ref}_{spec.key}", height=220,
                            placeholder=spec.prompt, label_visibility="collapsed")
        if text.strip() != body.strip() and st.button("Save", key=f"review_{ref}_{spec.key}_save"):
            if attempt(kit.edit_review_section, ref, spec.key, text, by=user) is not None:
                st.rerun()
    else:
        st.markdown(body or "_Not written yet._")
    for n, item in enumerate(h for h in hints if h.section == spec.key):
        hint = item.hint
        hcols = st.columns([6, 1], vertical_alignment="center")
        hcols[0].warning(hint.message, icon=":material/lightbulb:")
        if hcols[1].button("Dismiss", key=f"review_{ref}_{spec.key}_dismiss_{n}"):
            attempt(kit.dismiss_review_hint, ref, spec.key, hint.key, by=user)
            st.rerun()

similar.related_section(kit, ref, user, editable=review.status != ReviewStatus.WAIVED)

if review.depth != Depth.NONE:
    st.markdown("#### Follow-ups")
    frame = attempt(kit.follow_ups, viewer=user, incident=ref)
    if frame is not None and not frame.empty:
        st.dataframe(frame[["reference", "title", "owner", "priority", "status", "due_at", "overdue"]],
                     hide_index=True, width="stretch")
    with st.expander("Add a follow-up"):
        follow_up_form(kit, ref, user, key=f"review_fu_{ref}", source="review")

with st.expander("Edit history"):
    history = attempt(kit.review_history, ref, viewer=user)
    if history is not None:
        st.dataframe(history[["section", "version", "edited_at", "edited_by"]], hide_index=True, width="stretch")

st.markdown("#### Export")
ecols = st.columns(2)
markdown = attempt(kit.export_review, ref, format="markdown", viewer=user)
html = attempt(kit.export_review, ref, format="html", viewer=user)
if markdown is not None:
    ecols[0].download_button("Markdown", markdown, file_name=f"{ref}-review.md", mime="text/markdown",
                             icon=":material/download:", key=f"review_{ref}_md")
if html is not None:
    ecols[1].download_button("HTML (prints well)", html, file_name=f"{ref}-review.html", mime="text/html",
                             icon=":material/print:", key=f"review_{ref}_html")

if listing is not None and not listing.empty:
    st.divider()
    st.subheader("All reviews")
    st.dataframe(listing[["incident", "title", "severity", "depth", "status", "open_follow_ups", "updated_at"]],
                 hide_index=True, width="stretch")
