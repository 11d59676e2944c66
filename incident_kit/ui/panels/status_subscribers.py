"""Settings section: customers who subscribed to the status page by email, for admins.

An admin sets the app's public address (the links in the emails point there; without it nobody can
subscribe), sees how many subscribers there are, downloads them as a spreadsheet and removes one. The
rules (admin only, the address forgotten on removal) are the subscribers service's.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ...subscribers.models import STATE_LABELS
from .. import context as ctx

SHOWN = 200  # rows listed; the count above and the download cover everyone


def render(kit, user, editable: bool) -> None:
    st.subheader("Email updates for customers")
    st.write("Customers can subscribe on the public status page to receive its updates by email: only updates "
             "meant for customers and scheduled maintenance, never internal notes or anyone's name. They confirm "
             "by email first and can unsubscribe in one click.")
    if not editable:
        st.caption("Only admins can see the subscribers and change this.")
        return
    with st.form("status_public_url"):
        address = st.text_input("Public address of this app", value=ctx.attempt(kit.setting, "public_url") or "",
                                placeholder="e.g. https://status.example.com",
                                help="The address customers reach this app at. Links in the emails, and the "
                                     "subscribe form of a copy of the status page hosted elsewhere, point here. "
                                     "Leave it empty and nobody can subscribe.")
        if st.form_submit_button("Save address"):
            if ctx.attempt(kit.save_settings, {"public_url": address}, by=user) is not None:
                ctx.flash("Public address saved.")
                st.rerun()
    counts = ctx.attempt(kit.status_subscriber_counts, viewer=user) or {}
    left, middle, right = st.columns(3)
    left.metric("Subscribed", counts.get("confirmed", 0))
    middle.metric("Waiting for confirmation", counts.get("pending", 0))
    right.metric("Left or removed", counts.get("unsubscribed", 0) + counts.get("removed", 0))
    active = ctx.attempt(kit.status_subscribers, viewer=user, holding=True, limit=SHOWN) or []
    if not active:
        st.caption("Nobody is subscribed yet.")
        return
    holding = counts.get("confirmed", 0) + counts.get("pending", 0)
    if holding > len(active):
        st.caption(f"The {len(active):,} oldest of {holding:,} are listed; the download has everyone.")
    st.dataframe(pd.DataFrame([{
        "Number": s.id, "Email": s.email, "Status": STATE_LABELS.get(s.state, s.state),
        "Components": ", ".join(s.components) or "All", "Asked on": ctx.when(s.created_at, ctx.browser_tz()),
    } for s in active]), hide_index=True, width="stretch")
    st.download_button("Download subscribers (CSV)",
                       lambda: (ctx.attempt(kit.export_status_subscribers, viewer=user) or "").encode(),
                       file_name="status-page-subscribers.csv", mime="text/csv", key="status_subscribers_csv")
    with st.form("remove_status_subscriber"):
        chosen = st.selectbox("Remove a subscriber", active, format_func=lambda s: f"{s.id}: {s.email}",
                              help="They receive nothing more and their address is forgotten.")
        if st.form_submit_button("Remove"):
            if ctx.attempt(kit.remove_status_subscriber, chosen.id, by=user) is not None:
                ctx.flash(f"Subscriber {chosen.id} removed; the address is forgotten.")
                st.rerun()
