"""Settings section: the components catalog (the parts of the product an incident can affect), for admins.

Everyone sees the catalog with each component's current state; admins add and archive components. The
rules (admin only, unique names, archiving instead of deleting) are the components service's.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from .. import context as ctx


def render(kit, user, editable: bool) -> None:
    st.subheader("Components")
    st.write("Components are the parts of your product that an incident can affect, such as Checkout or Search. "
             "An incident says which ones it affects and how badly; each component shows the worst of those "
             "while incidents are ongoing. Internal components never appear on the public status page.")
    current = {s.component.id: s.label for s in ctx.attempt(kit.component_states, viewer=user) or []}
    listed = ctx.attempt(kit.components, include_archived=True) or []
    if listed:
        st.table(pd.DataFrame([{
            "Name": c.name, "Group": c.group or "", "Description": c.description,
            "Shown to": "Your team only" if c.internal else "Everyone",
            "Now": "Archived" if c.archived else current.get(c.id, ""),
        } for c in listed]), hide_index=True)  # a plain table: descriptions in full
    else:
        st.caption("No components yet.")
    if not editable:
        st.caption("Only admins can add or archive components.")
        return
    with st.form("add_component", clear_on_submit=True):
        name = st.text_input("New component", placeholder="e.g. Checkout")
        group = st.text_input("Group (optional)", placeholder="e.g. Shop",
                              help="Components in the same group are listed together.")
        description = st.text_input("Description (optional)", key="component_description")
        internal = st.toggle("Your team only", help="Never shown on the public status page.")
        if st.form_submit_button("Add component"):
            made = ctx.attempt(kit.add_component, name, group=group or None, description=description,
                               internal=internal, by=user)
            if made is not None:
                ctx.flash(f"Component {ctx.md_text(made.name)} added.")
                st.rerun()
    active = [c.name for c in listed if not c.archived]
    if active:
        with st.form("archive_component"):
            chosen = st.selectbox("Archive a component", active,
                                  help="It stays in past incidents but is no longer offered or shown.")
            if st.form_submit_button("Archive"):
                if ctx.attempt(kit.archive_component, chosen, by=user) is not None:
                    ctx.flash(f"Component {ctx.md_text(chosen)} archived.")
                    st.rerun()
