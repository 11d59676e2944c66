"""Incident page, under "Post an update": which components the incident affects, and changing how badly.

Each change is one call (``kit.set_component_impact``), recorded on the timeline by the components service.
"""

from __future__ import annotations

import streamlit as st

from incident_kit.components.models import IMPACT_LABELS

from .. import context as ctx
from .. import display

NOT_AFFECTED = ""
CHOICES = [NOT_AFFECTED, *IMPACT_LABELS]


def _label(value: str) -> str:
    return IMPACT_LABELS.get(value, "Not affected")


def render(kit, incident, user) -> None:
    if not incident.accepts_updates:
        return
    ref = incident.reference
    st.markdown("**Components affected**")
    affected = ctx.attempt(kit.incident_components, ref, viewer=user) or []
    if affected:
        st.markdown(" · ".join(f"{display.text(a.component.name)}: {a.impact.label}" for a in affected))
    else:
        st.caption("No components are marked as affected.")
    catalog = ctx.attempt(kit.components) or []
    if not catalog:
        st.caption("No components yet: admins add them in Settings.")
        return
    names = {c.name: c for c in catalog}
    now = {a.component.name: a.impact.value for a in affected}
    left, right = st.columns(2)
    chosen = left.selectbox("Component", list(names), key=f"impact_component_{ref}")
    current = now.get(chosen, NOT_AFFECTED)
    impact = right.selectbox("Impact", CHOICES, index=CHOICES.index(current), format_func=_label,
                             key=f"impact_value_{ref}_{chosen}")
    if st.button("Change impact", key=f"impact_change_{ref}", disabled=impact == current):
        if ctx.attempt(kit.set_component_impact, ref, chosen, impact or None, by=user) is not None:
            ctx.flash(f"{ctx.md_text(chosen)}: {_label(impact)}.")
            st.rerun()
