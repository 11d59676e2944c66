"""Settings: severities and their update cadence, types, roles, admins, sign-in trust, the public name and alerts."""

import pandas as pd
import streamlit as st

from incident_kit.errors import IncidentKitError, NotAllowed, StoreUnavailable
from incident_kit.ui import context as ctx
from incident_kit.ui.panels import api_tokens, components, status_subscribers
from incident_kit.ui.panels.alerts import alert_settings

DEMO_INCIDENTS = 400
DEMO_USED_KEY = "settings_demo_database_used"  # a plain load found incidents this admin's view did not show

kit = ctx.kit()
user = ctx.current_user()

st.title("Settings")
ctx.show_flash()
editable = ctx.attempt(kit.can_administer, user) or False
admins = ctx.attempt(kit.setting, "admins") or []
trust_typed = bool(ctx.attempt(kit.setting, "trust_typed_names"))
if not editable:  # why not, in the admin rule's own words (a listed admin who typed a name: sign in)
    why = ctx.attempt(kit.admin_refusal, user, "change settings") or "Only admins can change settings."
    st.info(ctx.md_text(why), icon=":material/lock:")
elif not admins:
    st.warning("No admins are set yet, so anyone can change settings. Add yourself under **Admins** below.",
               icon=":material/admin_panel_settings:")
if editable and trust_typed:
    st.warning(ctx.TRUSTED_NAMES_WARNING, icon=":material/warning:")

st.subheader("Severities")
st.caption("Lowest first: the first one is the default for new incidents, so keep it routine and safe to pick. "
           "The cadence is how often an active incident at that level promises an update.")
severities = ctx.attempt(kit.severities) or []
frame = pd.DataFrame([{"name": s.name, "description": s.description, "cadence_minutes": s.cadence_minutes}
                      for s in severities], columns=["name", "description", "cadence_minutes"])
edited = st.data_editor(
    frame, num_rows="dynamic" if editable else "fixed", disabled=not editable, hide_index=True, width="stretch",
    key="settings_severities", row_height=72,  # over 4 rem, so a long description wraps instead of being cut
    column_config={"name": st.column_config.TextColumn("Name", required=True),
                   "description": st.column_config.TextColumn("Description", width="large"),
                   "cadence_minutes": st.column_config.NumberColumn("Update every (min)", min_value=1, step=1)})
if editable and st.button("Save severities", key="save_severities"):
    if ctx.attempt(kit.set_severities, edited.dropna(how="all").to_dict("records"), by=user):
        ctx.flash("Severities saved.")
        st.rerun()

left, right = st.columns(2)
with left:
    st.subheader("Incident types")
    types = ctx.attempt(kit.types) or []
    st.table(pd.DataFrame([{"Type": t.label, "Description": t.description} for t in types]), hide_index=True)
    if editable:
        with st.form("add_type"):
            label = st.text_input("New type", placeholder="e.g. Finance")
            description = st.text_input("Description", key="type_description")
            if st.form_submit_button("Add type"):
                if ctx.attempt(kit.add_type, label, description=description, by=user):
                    ctx.flash(f"Type '{ctx.md_text(label)}' added.")
                    st.rerun()
with right:
    st.subheader("Roles")
    roles = ctx.attempt(kit.roles) or []
    st.table(pd.DataFrame([{"Role": r.label, "Description": r.description} for r in roles]), hide_index=True)
    if editable:
        with st.form("add_role"):
            label = st.text_input("New role", placeholder="e.g. Customer liaison")
            description = st.text_input("Description", key="role_description")
            if st.form_submit_button("Add role"):
                if ctx.attempt(kit.add_role, label, description=description, by=user):
                    ctx.flash(f"Role '{ctx.md_text(label)}' added.")
                    st.rerun()

st.subheader("Sign-in and who can do what")
if ctx.oidc_configured():
    st.write("People sign in with your identity provider, so the name on every change is proved. Admin rights "
             "and private incidents rely on that sign-in.")
else:
    st.write("People type their name; nobody checks it. A typed name says who declared, updated or leads an "
             "incident among colleagues who trust each other, and each browser remembers it.")
    st.write("It cannot keep anyone out: anyone who can open this app can type any name, including an admin's.")
    if trust_typed:
        st.write("Typed names are trusted here, so a typed name counts for admin rights and private incidents. "
                 "Turn this off below once people sign in with your company login.")
    else:
        st.write("So a typed name gets no admin rights and sees no private incidents. To have both, ask whoever "
                 "runs this app to set up sign-in with your company login (OIDC), or, for one team that trusts "
                 "each other, trust typed names below.")

st.subheader("Admins and status page")
with st.form("settings_general"):
    admin_text = st.text_area("Admins (one per line)", value="\n".join(admins), disabled=not editable,
                              help="Admins can change settings and see every private incident. Use the names "
                                   "or emails people sign in with.")
    public_name = st.text_input("Organisation name on the public status page",
                                value=ctx.attempt(kit.setting, "public_name") or "", disabled=not editable)
    trust_input = st.toggle("Trust typed names (one trusted team only)", value=trust_typed, disabled=not editable,
                            help="When on, a typed name counts for admin rights and private incidents. Anyone "
                                 "who can open the app could then type an admin's name.")
    if st.form_submit_button("Save", disabled=not editable):
        new_admins = [line.strip() for line in admin_text.splitlines() if line.strip()]
        saved = ctx.attempt(kit.save_settings, {"admins": new_admins, "public_name": public_name.strip(),
                                                "trust_typed_names": trust_input}, by=user)
        if saved is not None:
            ctx.flash("Settings saved.")
            st.rerun()


def _load_demo(*, append: bool) -> None:
    with st.spinner("Loading the demo organisation…"):
        try:
            loaded = kit.load_demo(incidents=DEMO_INCIDENTS, append=append, by=user)
        except (NotAllowed, StoreUnavailable) as exc:
            st.error(ctx.app_words(exc), icon=":material/error:")
            return
        except IncidentKitError:  # not empty after all: incidents came in meanwhile, or private ones not shown
            st.session_state[DEMO_USED_KEY] = True
            st.rerun()
    ctx.flash(f"{'Added' if append else 'Loaded'} {loaded['incidents']} demo incidents.")
    st.rerun()


def _demo_data() -> None:
    """Into an empty database, the demo loads at once. Into a used one it is offered too, but only after saying
    what it does there: made-up incidents mix with the real ones for good (nothing here is ever deleted)."""
    counts = ctx.attempt(kit.incident_counts, viewer=user)
    if counts is None:
        return
    if not counts["total"] and not st.session_state.get(DEMO_USED_KEY):
        st.write(f"Load a realistic demo organisation into this empty database: {DEMO_INCIDENTS} made-up "
                 "incidents over about 13 months, with updates, reviews and follow-ups.")
        if st.button("Load demo data", key="settings_load_demo"):
            _load_demo(append=False)
        return
    held = "already holds incidents" if counts["total"] else "holds incidents that you cannot see here"
    st.write(f"This database {held}. The demo can add {DEMO_INCIDENTS} made-up incidents beside them, but "
             "they stay for good: they appear in every list, in Insights and in reminders, the recent ones also "
             "on the public status page, and incidents are never deleted.")
    st.write("To try the demo on its own, ask whoever runs this app to start it on a new, empty database.")
    sure = st.checkbox("I understand: the demo incidents stay in this database.", key="settings_demo_sure")
    if st.button("Add the demo incidents to this database", key="settings_append_demo", disabled=not sure):
        _load_demo(append=True)


components.render(kit, user, editable)
alert_settings(kit, user, editable=editable)
api_tokens.render(kit, user, editable)
status_subscribers.render(kit, user, editable)

if editable:
    with st.expander("Demo data"):
        _demo_data()
