"""Home: what is happening right now, and a one-click way to declare.

An empty database invites the person to declare the first incident or to load
the demo organisation.
"""

import streamlit as st

from incident_kit.ui import context as ctx

DEMO_INCIDENTS = 400  # a year of a mid-sized organisation: enough to explore every page
HOME_ACTIVE_ROWS = 8
_FRESH_COUNTS = "_home_counts_this_run"

kit = ctx.kit()
user = ctx.current_user()

st.title("incident-kit")
st.caption("Declare incidents freely, keep everyone updated, and learn afterwards.")
ctx.show_flash()

counts = ctx.attempt(kit.incident_counts, viewer=user) or {"total": 0, "active": 0, "overdue": 0}
# The overview below shows these counts on this run; only its own timed reruns read them again
# (at a million incidents a count is a read of every incident the viewer may see).
st.session_state[_FRESH_COUNTS] = counts

if counts["total"] == 0:
    st.subheader("No incidents yet")
    left, right = st.columns(2)
    with left.container(border=True):
        st.markdown("#### :material/campaign: Declare an incident")
        st.write("Something not right? A title is all it takes. The lowest severity is the default: "
                 "declaring is routine here, not an alarm.")
        if st.button("Declare an incident", type="primary", key="home_declare_empty"):
            st.switch_page(ctx.DECLARE_PAGE)
    with right.container(border=True):
        st.markdown("#### :material/science: Explore with demo data")
        st.write(f"Load a realistic year of {DEMO_INCIDENTS} incidents across engineering, support, security, "
                 "legal and people teams, with updates, reviews and follow-ups.")
        if st.button("Load demo data", key="home_load_demo"):
            with st.spinner("Loading the demo organisation…"):
                loaded = ctx.attempt(kit.load_demo, incidents=DEMO_INCIDENTS, by=user)
            if loaded:
                ctx.flash(f"Loaded {loaded['incidents']} demo incidents.")
                st.rerun()
    st.stop()

if st.button("Declare an incident", type="primary", icon=":material/campaign:", key="home_declare"):
    st.switch_page(ctx.DECLARE_PAGE)


@st.fragment(run_every=ctx.LIVE_SECONDS)
def live_overview():
    now_counts = st.session_state.pop(_FRESH_COUNTS, None) or ctx.attempt(kit.incident_counts, viewer=user) or counts
    a, b, c = st.columns(3)
    a.metric("Active incidents", now_counts["active"], border=True)
    b.metric("Need an update now", now_counts["overdue"], border=True,
             help="Active incidents whose promised next update time has passed.")
    c.metric("Incidents you can see", f"{now_counts['total']:,}", border=True)

    active = ctx.attempt(kit.incidents, viewer=user, active=True, limit=HOME_ACTIVE_ROWS)
    if active is None:
        return
    if active.empty:
        st.success("No active incidents right now.", icon=":material/check_circle:")
        return
    st.subheader("Happening now")
    for row in active.itertuples(index=False):
        due, overdue = ctx.next_update_text(row.next_update_due)
        with st.container(border=True):
            left, right = st.columns([5, 1], vertical_alignment="center")
            text = ctx.md_text  # titles, names and severities are typed by people: shown as text
            left.markdown(
                f"**{text(row.reference)}** · {text(row.title)}{' :material/lock:' if row.private else ''}  \n"
                f":orange-badge[{text(row.severity)}] :blue-badge[{ctx.status_label(row.status)}] "
                f"· led by {text(row.lead or '—')} · open {ctx.age(row.declared_at)} · next update "
                + (f":red[**{due}**]" if overdue else due)
                + f" ({text(row.accountable)})")
            if right.button("Open", key=f"home_open_{row.reference}"):
                ctx.open_incident(row.reference)
    if now_counts["active"] > HOME_ACTIVE_ROWS:
        st.page_link(ctx.INCIDENTS_PAGE, label=f"All {now_counts['active']} active incidents",
                     icon=":material/arrow_forward:")


live_overview()
