"""Incident: the live header and timeline, and the controls to run the response.

Reached by reference (``?ref=INC-12``, or the last incident opened this session). The header and the
timeline refresh by themselves; every form sits outside them, so a refresh never loses what someone types.
"""

import datetime as dt

import pandas as pd
import streamlit as st

from incident_kit.clock import utcnow
from incident_kit.errors import IncidentKitError
from incident_kit.incident.format import draft_update
from incident_kit.incident.models import ACTIVE_ORDER, REOPENABLE, TRANSITIONS, Status, normalise_tags
from incident_kit.review.models import AWAITS_REVIEW
from incident_kit.ui import context as ctx
from incident_kit.ui import display
from incident_kit.ui.panels import component_impacts, incident_panels

# Offered "next update in" choices (minutes); the severity's cadence is added and preselected.
NEXT_UPDATE_CHOICES = [15, 30, 60, 120, 240, 480, 1440]
NO_FURTHER_UPDATES = 0

kit = ctx.kit()
user = ctx.current_user()
tz = ctx.browser_tz()


def _pick_incident() -> None:
    """No reference yet: offer the active incidents and a box for any reference."""
    st.title("Incident")
    st.write("Open an incident from the list, or type its reference.")
    with st.form("open_reference", border=False):
        ref = st.text_input("Reference", placeholder="e.g. INC-12")
        if st.form_submit_button("Open"):
            if ref.strip():
                ctx.open_incident(ref.strip().upper()[:40])
            st.error("Type a reference such as INC-12.", icon=":material/error:")
    active = ctx.attempt(kit.incidents, viewer=user, active=True, limit=10)
    if active is not None and not active.empty:
        st.subheader("Active now")
        for row in active.itertuples(index=False):
            if st.button(f"{row.reference} · {display.text(row.title, limit=90)}", key=f"pick_{row.reference}",
                         type="tertiary"):
                ctx.open_incident(row.reference)
    st.page_link(ctx.INCIDENTS_PAGE, label="All incidents", icon=":material/list_alt:")


reference = ctx.selected_reference()
if not reference:
    _pick_incident()
    st.stop()

incident = ctx.load_incident(kit, reference, user)
if incident is None:
    st.page_link(ctx.INCIDENTS_PAGE, label="Back to all incidents", icon=":material/list_alt:")
    st.stop()
ref = incident.reference
ctx.remember_reference(ref)
severities = ctx.attempt(kit.severities) or []
cadence_minutes = kit.update_cadence(incident.severity)  # the catalog's rule, with its default
roles = ctx.attempt(kit.roles) or []
role_labels = {r.name: r.label for r in roles}
types = ctx.attempt(kit.types) or []
type_labels = {t.name: t.label for t in types}


# -- live header ----------------------------------------------------------------------
@st.fragment(run_every=ctx.LIVE_SECONDS)
def live_header():
    inc = ctx.attempt(kit.get, ref, viewer=user)
    row = ctx.attempt(kit.summary, ref, viewer=user)
    if inc is None or row is None:
        return
    st.title(f"{inc.reference} · {display.text(inc.title)}")
    badges = [f":blue-badge[{display.status(inc.status)}]", f":orange-badge[{display.text(inc.severity)}]"]
    if inc.type:
        badges.append(f":gray-badge[{display.text(type_labels.get(inc.type, inc.type))}]")
    if inc.private:
        badges.append(":violet-badge[:material/lock: Private]")
    if inc.mode.value != "live":
        badges.append(f":gray-badge[{inc.mode.value.capitalize()}]")
    if inc.merged_into:
        badges.append(f":gray-badge[Merged into {inc.merged_into}]")
    st.markdown(" ".join(badges) + "".join(f" :gray-badge[{display.text(t)}]" for t in inc.tags))
    if inc.summary:
        st.markdown(display.block(inc.summary))
    due, overdue = ctx.next_update_text(row["next_update_due"])
    if inc.resolved_at is None:
        age_label, age_value = "Impact for", ctx.age(inc.started_at)
    else:
        age_label, age_value = "Impact lasted", ctx.age(inc.started_at, inc.resolved_at)
    facts = [("Status", display.status(inc.status)), ("Severity", display.text(inc.severity)),
             ("Incident lead", display.text(inc.lead) or "—"), ("Comms lead", display.text(inc.comms_lead) or "—"),
             (age_label, age_value), ("Next update", f":red[{due}]" if overdue else due)]
    with st.container(border=True):
        for col, (label, value) in zip(st.columns(len(facts)), facts):
            col.markdown(f":gray[{label}]  \n**{value}**")
    who = display.text(row["accountable"])
    if overdue:
        st.error(f"The next update is **{due}**. **{who}** is accountable for updates: post one below.",
                 icon=":material/schedule:")
    elif row["next_update_due"] is not None:
        st.caption(f":material/schedule: Next update due {display.date_time(row['next_update_due'], tz)} "
                   f"· **{who}** is accountable for updates")
    else:
        st.caption(f"Declared by {display.text(inc.declared_by)} {display.date_time(inc.declared_at, tz)} "
                   "· no update is due")


live_header()
ctx.show_flash()


# -- controls (outside the fragments) -----------------------------------------------------------
def _update_form() -> None:
    """The one update format (status, impact, what we're doing, next update by); once resolved, a closing note."""
    if not incident.accepts_updates:
        st.info(f"{ref} is {ctx.status_label(incident.status).lower()}; reopen it to post updates.",
                icon=":material/lock_clock:")
        return
    version = st.session_state.setdefault(f"update_version_{ref}", 0)
    draft_key = f"update_draft_{ref}_{version}_{incident.status.value}"  # a live draft ends with the response
    preview_key = f"update_preview_{ref}_{incident.status.value}"
    if draft_key not in st.session_state:  # computed once per form, so the prefill never shifts while typing
        updates = ctx.attempt(kit.updates, ref, viewer=user) or []
        st.session_state[draft_key] = draft_update(incident, updates[-1] if updates else None,
                                                   cadence_minutes)
    draft = st.session_state[draft_key]
    statuses = ([s.value for s in ACTIVE_ORDER] + [Status.RESOLVED.value] if incident.active
                else [incident.status.value])
    default_next = cadence_minutes if draft.next_update_at else NO_FURTHER_UPDATES
    choices = sorted({*NEXT_UPDATE_CHOICES, cadence_minutes}) + [NO_FURTHER_UPDATES]
    now = utcnow()

    def next_label(minutes: int) -> str:
        if minutes == NO_FURTHER_UPDATES:
            return "No further updates planned"
        return f"in {ctx.duration(dt.timedelta(minutes=minutes))} (by {ctx.when(now + dt.timedelta(minutes=minutes), tz, with_date=False)})"

    with st.form(f"update_{ref}_{version}_{incident.status.value}"):
        if incident.active:
            c1, c2 = st.columns(2)
            # The incident may have moved on since the draft was made: then start from where it is now.
            start = draft.status if draft.status in statuses else incident.status.value
            status = c1.selectbox("Current status", statuses, index=statuses.index(start),
                                  format_func=ctx.status_label)
            next_in = c2.selectbox("Next update by", choices, index=choices.index(default_next), format_func=next_label,
                                   help=f"{incident.severity} incidents promise an update every "
                                        f"{display.duration(dt.timedelta(minutes=cadence_minutes))}.")
            impact = st.text_area("Impact", value=draft.impact, height=68,
                                  placeholder="Who is affected, and how? e.g. Some customers cannot pay by card.")
            doing = st.text_area("What we're doing", value=draft.doing, height=68,
                                 placeholder="e.g. Rolling back this morning's deploy.")
            message = st.text_area("What changed", value=draft.message, height=90,
                                   placeholder="The news since the last update, in a sentence or two.")
        else:
            st.caption("The impact is over: a closing note tells everyone something after the fact, and promises no more.")
            status, next_in, impact, doing = incident.status.value, NO_FURTHER_UPDATES, "", ""
            message = st.text_area("Closing note", value=draft.message, height=90,
                                   placeholder="e.g. Every duplicate charge has now been refunded.")
        audience = st.radio(
            "Audience", ["internal", "external"], horizontal=True,
            format_func={"internal": "Internal", "external": "External (customers)"}.get,
            captions=["For colleagues: shown in the app and internal channels.",
                      "Written for customers and shown on the public status page: no internal names or jargon."])
        previewed = st.form_submit_button("Preview update" if incident.active else "Preview note", icon=":material/visibility:")
    if previewed:
        st.session_state[preview_key] = dict(
            status=status, impact=impact.strip(), doing=doing.strip(), message=message.strip(), audience=audience,
            next_update_at=None if status == Status.RESOLVED.value or next_in == NO_FURTHER_UPDATES
            else utcnow().replace(second=0, microsecond=0) + dt.timedelta(minutes=next_in))
    preview = st.session_state.get(preview_key)
    if not preview:
        return
    where = ("customers will read on the public status page" if preview["audience"] == "external"
             else "colleagues will read in the app and in internal channels")
    st.markdown(f"**Preview** of what {where}:")
    with st.container(border=True, key=f"update_preview_{ref}"):  # headed as its notification is
        severity = f" ({display.text(incident.severity)})" if preview["audience"] == "internal" else ""  # not customers
        st.markdown(f"**{display.text(ref)} · {display.text(incident.title)}**{severity}")
        st.markdown(display.update_markdown(**{part: preview[part] for part in display.UPDATE_PARTS}, tz=tz))
    post, keep = st.columns([1, 4])
    if post.button("Post update", type="primary", icon=":material/send:", key=f"post_update_{ref}"):
        posted = ctx.attempt(kit.post_update, ref, preview["message"], by=user, audience=preview["audience"],
                             status=preview["status"] if preview["status"] != incident.status.value else None,
                             impact=preview["impact"], doing=preview["doing"], next_update_at=preview["next_update_at"])
        if posted is not None:
            del st.session_state[preview_key]
            st.session_state[f"update_version_{ref}"] = version + 1  # a fresh form, prefilled from this update
            ctx.flash(f"Update posted ({preview['audience']}).")
            st.rerun()
    if keep.button("Keep editing", key=f"discard_preview_{ref}"):
        del st.session_state[preview_key]
        st.rerun()


def _resolve_form() -> None:
    """Resolving asks for the final update (and a customer version when customers were told), so no surface
    keeps saying "Investigating … next update by" once the impact is over."""
    updates = ctx.attempt(kit.updates, ref, viewer=user) or []
    told_customers = any(u.audience.value == "external" for u in updates)
    with st.form(f"resolve_{ref}"):
        st.markdown("**Resolve**: the impact is over. Your final update tells everyone; no further update is "
                    "promised. Resolved is not closed: the review comes next.")
        final = st.text_area("Final update for colleagues", value=f"Resolved: {incident.title}. ", height=80,
                             help="Say what fixed it and whether anything is still being watched.")
        external = None
        if told_customers:
            external = st.text_area("Final update for customers (status page)", height=80,
                                    value="Resolved: everything is working normally again. Thank you for your "
                                          "patience.",
                                    help="Customers were told about this incident, so they hear it is over too.")
        if st.form_submit_button("Resolve incident", type="primary", icon=":material/task_alt:"):
            if ctx.attempt(kit.resolve, ref, by=user, final_update=final, external_update=external):
                ctx.flash(f"{ref} resolved; the final update was posted.")
                st.rerun()


def _status_controls() -> None:
    if incident.status == Status.MERGED:
        st.info(f"{ref} was merged into {incident.merged_into}; the response continues there.", icon=":material/merge:")
        if st.button(f"Open {incident.merged_into}"):
            ctx.open_incident(incident.merged_into)
        return
    left, right = st.columns(2)
    with left:
        if incident.active:
            _resolve_form()
            moves = [s.value for s in ACTIVE_ORDER if s in TRANSITIONS[incident.status]]
            with st.form(f"status_{ref}"):
                target = st.selectbox("Move to", moves, format_func=ctx.status_label)
                note = st.text_input("Note (optional)")
                if st.form_submit_button("Change status"):
                    if ctx.attempt(kit.change_status, ref, target, by=user, note=note or None):
                        ctx.flash(f"{ref} is now {ctx.status_label(target).lower()}.")
                        st.rerun()
        if incident.status in REOPENABLE:
            with st.form(f"reopen_{ref}"):
                st.markdown("**Reopen**: the impact is back, or the incident was declined by mistake.")
                target = st.selectbox("Reopen as", [s.value for s in ACTIVE_ORDER], format_func=ctx.status_label)
                reason = st.text_input("Why (optional)")
                if st.form_submit_button("Reopen incident", icon=":material/replay:"):
                    if ctx.attempt(kit.reopen, ref, by=user, status=target, reason=reason or None):
                        ctx.flash(f"{ref} reopened.")
                        st.rerun()
        if incident.status in AWAITS_REVIEW:
            st.caption("Next: the review, below. The incident closes once its review is published or waived.")
    with right:
        names = [s.name for s in severities]
        with st.form(f"severity_{ref}"):
            new = st.radio("Severity", names, index=names.index(incident.severity) if incident.severity in names else 0,
                           captions=[display.text(s.description) for s in severities], format_func=display.text)
            reason = st.text_input("Reason (optional)", placeholder="e.g. More customers affected than we thought.")
            if st.form_submit_button("Change severity"):
                if ctx.attempt(kit.change_severity, ref, new, by=user, reason=reason or None):
                    ctx.flash(f"{ref} is now {display.text(new)}.")
                    st.rerun()
        if incident.active:
            with st.expander("Decline or merge"):
                with st.form(f"decline_{ref}", border=False):
                    reason = st.text_input("Not an incident after all? Say why",
                                           placeholder="e.g. False alarm from a flaky check.")
                    if st.form_submit_button("Decline"):
                        if ctx.attempt(kit.decline, ref, by=user, reason=reason):
                            ctx.flash(f"{ref} declined.")
                            st.rerun()
                with st.form(f"merge_{ref}", border=False):
                    into = st.text_input("A duplicate? Merge into", placeholder="e.g. INC-12")
                    if st.form_submit_button("Merge"):
                        if ctx.attempt(kit.merge, ref, into, by=user):
                            ctx.flash(f"{ref} merged into {display.text(into.strip().upper(), limit=40)}.")
                            st.rerun()


def _people_controls() -> None:
    left, right = st.columns(2)
    with left:
        st.markdown("**Roles**")
        for name, label in role_labels.items():
            st.markdown(f"- {display.text(label)}: **{display.text(incident.roles.get(name)) or '—'}**")
        quick = st.columns(2)
        if incident.lead != user and quick[0].button("I'll lead", key=f"take_lead_{ref}"):
            if ctx.attempt(kit.assign_role, ref, "lead", user, by=user):
                ctx.flash(f"You are now the incident lead of {ref}.")
                st.rerun()
        if incident.comms_lead != user and quick[1].button("I'll do comms", key=f"take_comms_{ref}"):
            if ctx.attempt(kit.assign_role, ref, "comms", user, by=user):
                ctx.flash(f"You are now the communications lead of {ref}, accountable for its updates.")
                st.rerun()
        with st.form(f"assign_{ref}"):
            role = st.selectbox("Role", list(role_labels), format_func=role_labels.get)
            person = st.text_input("Person", placeholder="Name or email; leave empty to clear the role")
            if st.form_submit_button("Assign"):
                if ctx.attempt(kit.assign_role, ref, role, person or None, by=user):
                    ctx.flash(f"{display.text(role_labels[role])}: {display.text(person) or 'nobody'}.")
                    st.rerun()
    with right:
        members = ctx.attempt(kit.members, ref, viewer=user) or []
        st.markdown("**People added**")
        st.markdown(", ".join(display.text(m) for m in members) if members else "Nobody yet.")
        if incident.private:
            st.caption("This incident is private: only role holders, added people, the declarer and admins see it.")
        with st.form(f"member_{ref}"):
            person = st.text_input("Add someone", placeholder="Name or email")
            if st.form_submit_button("Add"):
                if ctx.attempt(kit.add_member, ref, person, by=user):
                    ctx.flash(f"{display.text(person)} was added to {ref}.")
                    st.rerun()


def _detail_controls() -> None:
    started_local = incident.started_at.astimezone(tz)
    with st.form(f"edit_{ref}"):
        title = st.text_input("Title", value=incident.title, max_chars=200)
        summary = st.text_area("Summary", value=incident.summary, placeholder="What responders should know first.")
        c1, c2 = st.columns(2)
        type_names = list(type_labels)
        new_type = c1.selectbox("Type", type_names, format_func=type_labels.get, placeholder="No type",
                                index=type_names.index(incident.type) if incident.type in type_names else None)
        tags = c2.text_input("Tags (comma-separated)", value=", ".join(incident.tags))
        c3, c4 = st.columns(2)
        started_date = c3.date_input("Impact started (date)", value=started_local.date())
        started_time = c4.time_input("Impact started (time)", value=started_local.time().replace(second=0, microsecond=0))
        private = st.toggle("Private", value=incident.private)
        saved = st.form_submit_button("Save changes", icon=":material/save:")
    if not saved:
        return
    changes = {}
    if title != incident.title:
        changes["title"] = title
    if summary != incident.summary:
        changes["summary"] = summary
    if new_type and new_type != incident.type:
        changes["type"] = new_type
    if normalise_tags(tags) != list(incident.tags):
        changes["tags"] = tags
    started = dt.datetime.combine(started_date, started_time, tzinfo=tz)
    if started != started_local.replace(second=0, microsecond=0):
        changes["started_at"] = started
    if private != incident.private:
        changes["private"] = private
    if not changes:
        st.info("Nothing changed.", icon=":material/info:")
        return
    if ctx.attempt(kit.edit, ref, by=user, **changes):
        ctx.flash("Saved: " + ", ".join(k.replace("_", " ") for k in changes) + ".")
        st.rerun()


tab_update, tab_status, tab_people, tab_details = st.tabs(
    [":material/campaign: Post an update", ":material/flag: Status & severity", ":material/group: Roles & people",
     ":material/edit: Details"])
with tab_update:
    _update_form()
    component_impacts.render(kit, incident, user)  # which components it affects, and how badly
with tab_status:
    _status_controls()
with tab_people:
    _people_controls()
with tab_details:
    _detail_controls()


# -- live timeline -----------------------------------------------------------------------
@st.fragment(run_every=ctx.LIVE_SECONDS)
def live_timeline():
    st.subheader("Timeline")
    only_updates = st.toggle("Updates only", key=f"timeline_updates_only_{ref}")
    timeline = ctx.attempt(kit.timeline, ref, viewer=user)
    updates = {u.id: u for u in ctx.attempt(kit.updates, ref, viewer=user) or []}
    if timeline is None:
        return
    for entry in reversed(list(timeline.itertuples(index=False))):  # newest first
        stamp = display.date_time(entry.occurred_at, tz)
        update = updates.get(int(entry.update_id)) if pd.notna(entry.update_id) and entry.update_id else None
        if update is not None:
            with st.container(border=True):
                badge = ":green-badge[External]" if update.audience.value == "external" else ":gray-badge[Internal]"
                st.markdown(f"{badge} **Update** by **{display.text(entry.actor)}** · {stamp}")
                st.markdown(display.update_markdown(status=update.status or incident.status, message=update.message,
                                                    impact=update.impact, doing=update.doing,
                                                    next_update_at=update.next_update_at, tz=tz))
        elif not only_updates:
            st.markdown(f":gray[{stamp}] · **{display.text(entry.actor)}** · {display.text(entry.text)}")


live_timeline()

# -- panels contributed by other domains (reviews, follow-ups, subscriptions...) ---------------
for panel in incident_panels():
    try:
        panel.render(kit, incident, user)
    except IncidentKitError as exc:
        st.error(ctx.app_words(exc), icon=":material/error:")
    except Exception as exc:  # one broken panel must not take the incident page down
        name = panel.__name__.rsplit(".", 1)[-1].replace("_", " ")
        st.error(f"The {name} section could not be shown ({type(exc).__name__}); the rest of the page is fine.",
                 icon=":material/error:")
