"""Settings: severities and their update cadence, types, roles, admins and the public name."""

import pandas as pd
import streamlit as st

from incident_kit import demo
from incident_kit.ui import context as ctx

kit = ctx.kit()
user = ctx.current_user()

st.title("Settings")
ctx.show_flash()
editable = ctx.can_administer(kit, user)
admins = ctx.attempt(kit.setting, "admins") or []
if not editable:
    st.info(f"Only admins can change settings. Ask {ctx.md_text(', '.join(admins))}.", icon=":material/lock:")
elif not admins:
    st.warning("No admins are set yet, so anyone can change settings. Add yourself under **Admins** below.",
               icon=":material/admin_panel_settings:")

st.subheader("Severities")
st.caption("Lowest first: the first one is the default for new incidents, so keep it routine and safe to pick. "
           "The cadence is how often an active incident at that level promises an update.")
severities = ctx.attempt(kit.severities) or []
frame = pd.DataFrame([{"name": s.name, "description": s.description, "cadence_minutes": s.cadence_minutes}
                      for s in severities], columns=["name", "description", "cadence_minutes"])
edited = st.data_editor(
    frame, num_rows="dynamic" if editable else "fixed", disabled=not editable, hide_index=True, width="stretch",
    key="settings_severities",
    column_config={"name": st.column_config.TextColumn("Name", required=True),
                   "description": st.column_config.TextColumn("Description", width="large"),
                   "cadence_minutes": st.column_config.NumberColumn("Update every (min)", min_value=1, step=1)})
if editable and st.button("Save severities", key="save_severities"):
    if ctx.attempt(kit.set_severities, edited.dropna(how="all").to_dict("records")):
        ctx.flash("Severities saved.")
        st.rerun()

left, right = st.columns(2)
with left:
    st.subheader("Incident types")
    types = ctx.attempt(kit.types) or []
    st.dataframe(pd.DataFrame([{"Type": t.label, "Description": t.description} for t in types]),
                 hide_index=True, width="stretch")
    if editable:
        with st.form("add_type"):
            label = st.text_input("New type", placeholder="e.g. Finance")
            description = st.text_input("Description", key="type_description")
            if st.form_submit_button("Add type"):
                if ctx.attempt(kit.add_type, label, description=description):
                    ctx.flash(f"Type '{label.strip()}' added.")
                    st.rerun()
with right:
    st.subheader("Roles")
    roles = ctx.attempt(kit.roles) or []
    st.dataframe(pd.DataFrame([{"Role": r.label, "Description": r.description} for r in roles]),
                 hide_index=True, width="stretch")
    if editable:
        with st.form("add_role"):
            label = st.text_input("New role", placeholder="e.g. Customer liaison")
            description = st.text_input("Description", key="role_description")
            if st.form_submit_button("Add role"):
                if ctx.attempt(kit.add_role, label, description=description):
                    ctx.flash(f"Role '{label.strip()}' added.")
                    st.rerun()

st.subheader("Admins and status page")
with st.form("settings_general"):
    admin_text = st.text_area("Admins (one per line)", value="\n".join(admins), disabled=not editable,
                              help="Admins can change settings and see every private incident. Use the names "
                                   "or emails people sign in with.")
    public_name = st.text_input("Organisation name on the public status page",
                                value=ctx.attempt(kit.setting, "public_name") or "", disabled=not editable)
    if st.form_submit_button("Save", disabled=not editable):
        new_admins = [line.strip() for line in admin_text.splitlines() if line.strip()]

        def save() -> bool:
            kit.set_setting("admins", new_admins)
            kit.set_setting("public_name", public_name.strip())
            return True

        if ctx.attempt(save):
            ctx.flash("Settings saved.")
            st.rerun()

if editable:
    with st.expander("Demo data"):
        st.write("Load a realistic demo organisation into this database (only while it has no incidents).")
        if st.button("Load demo data", key="settings_load_demo"):
            with st.spinner("Loading the demo organisation…"):
                loaded = ctx.attempt(demo.load, kit.db, incidents=400)
            if loaded:
                ctx.flash(f"Loaded {loaded['incidents']} demo incidents.")
                st.rerun()
