"""Declare: one field and one click. Everything else is optional and tucked away."""

import datetime as dt

import streamlit as st

from incident_kit.ui import context as ctx
from incident_kit.ui import display
from incident_kit.components.models import IMPACT_LABELS
from incident_kit.ui.panels import similar

kit = ctx.kit()
user = ctx.current_user()
tz = ctx.browser_tz()

severities = ctx.attempt(kit.severities) or []
types = ctx.attempt(kit.types) or []
component_names = [c.name for c in ctx.attempt(kit.components) or []]
type_labels = {t.name: t.label for t in types}

st.title("Declare an incident")
st.caption("A title is all it takes. The lowest severity is the default, and everything can change later: "
           "declaring early is always welcome.")

# Not a form: "Has this happened before?" answers as soon as the title is entered (a form would hold
# the title back until the button), and a plain button then declares in one click.
with st.container(border=True):
    title = st.text_input("What's happening?", placeholder="e.g. Customers can't complete checkout",
                          max_chars=200, key="declare_title")
    similar.before_declare(kit, title, user)
    with st.expander("More details (optional)"):
        severity = st.radio("Severity", [s.name for s in severities], index=0,
                            captions=[display.text(s.description) for s in severities], format_func=display.text)
        incident_type = st.selectbox("Type", list(type_labels), index=None, format_func=type_labels.get,
                                     placeholder="Not sure? Leave it empty.")
        summary = st.text_area("Summary", placeholder="Anything responders should know first.", height=90)
        affected, impact = [], None
        if component_names:
            c1, c2 = st.columns([3, 2])
            affected = c1.multiselect("Affected components", component_names, format_func=display.text,
                                      placeholder="None chosen", help="The parts of the product this affects. "
                                      "Public ones show their state on the public status page.")
            impact = c2.selectbox("How badly", list(IMPACT_LABELS), format_func=IMPACT_LABELS.get, index=1,
                                  disabled=not affected)
        lead_myself = st.toggle("I'm leading the response", value=True,
                                help="You can hand the incident lead role to someone else at any time.")
        private = st.toggle("Private", help="Only the people involved and admins can see a private incident: "
                                             "use it for security, people or legal matters.")
        zone = getattr(tz, "key", "UTC")
        st.markdown(f"**Impact started** (optional, {zone}) — backdate if it began before now")
        c1, c2 = st.columns(2)
        started_date = c1.date_input("Date", value=None, max_value=dt.date.today() + dt.timedelta(days=1),
                                     label_visibility="collapsed")
        started_time = c2.time_input("Time", value=None, step=300, label_visibility="collapsed")
    submitted = st.button("Declare incident", type="primary", icon=":material/campaign:")

if submitted:
    started_at = None
    if started_date or started_time:
        now_local = dt.datetime.now(tz)
        started_at = dt.datetime.combine(started_date or now_local.date(), started_time or dt.time(0, 0), tzinfo=tz)
    incident = ctx.attempt(kit.declare, title, declared_by=user, severity=severity, type=incident_type,
                           summary=summary, private=private, started_at=started_at,
                           lead=user if lead_myself else None,
                           components={name: impact for name in affected} or None)
    if incident is not None:
        ctx.flash(f"{incident.reference} declared as {display.text(incident.severity)}. Post the first update when "
                  "you know more.")
        ctx.open_incident(incident.reference)
