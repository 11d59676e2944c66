"""Incident-page panel: subscribe me to this incident's internal updates."""

from __future__ import annotations

import streamlit as st

from .. import context as ui


def render(kit, incident, user) -> None:
    st.subheader("Follow this incident", anchor=False)
    if not user:
        st.caption("Say who you are to receive this incident's updates by email or chat.")
        return
    ref = incident.reference
    mine = kit.subscriptions(person=user, incident=ref)
    if mine:
        for sub in mine:
            left, right = st.columns([4, 1])
            left.write(f"You receive every internal update on `{sub.channel}`.")
            if right.button("Unsubscribe", key=f"panel-unsub-{ref}-{sub.id}"):
                if ui.attempt(kit.unsubscribe, sub.id, by=user) is not None:
                    st.rerun()
        return
    channel = st.text_input("Your channel", value=kit.contact(user) or "", key=f"panel-sub-channel-{ref}",
                            placeholder="you@example.com or an apprise URL",
                            help="An email address, or an apprise URL such as slack://... or json://host/path.")
    if st.button("Subscribe me", key=f"panel-sub-{ref}", icon=":material/notifications:"):
        if ui.attempt(kit.subscribe, channel, person=user, incident=ref, by=user) is not None:
            st.rerun()
