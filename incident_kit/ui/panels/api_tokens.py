"""Settings section: connections for other tools (API tokens), for admins.

An admin creates a token, sees it once (copy it now), sees every token with what it may do and when it
was last used, and revokes one. The rules (admin only, names, expiry) are the tokens service's.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ...tokens.models import SCOPE_LABELS, STATE_LABELS
from .. import context as ctx

_NEW_KEY = "_new_api_token"  # (name, secret) between the click and the one run that shows it
EXPIRY_CHOICES = {"Never": "never", "In 30 days": "30d", "In 90 days": "90d", "In a year": "365d"}


def _when(value) -> str:
    return ctx.when(value, ctx.browser_tz()) if value is not None else "—"


def render(kit, user, editable: bool) -> None:
    st.subheader("Connections for other tools")
    st.write("A token lets another tool, such as your alerting system or a script, declare, update and read "
             "incidents in this app. It acts under its own name (token: followed by the name you give it) and "
             "never sees private incidents.")
    if not editable:
        st.caption("Only admins can see and create tokens.")
        return
    shown = st.session_state.pop(_NEW_KEY, None)
    if shown:
        st.success(f"Token **{ctx.md_text(shown[0])}** created. Copy it now: it will not be shown again.",
                   icon=":material/key:")
        st.code(shown[1], language=None)

    tokens = ctx.attempt(kit.api_tokens, viewer=user) or []
    if tokens:
        now = pd.Timestamp.now(tz="UTC")
        st.dataframe(pd.DataFrame([{
            "Name": t.name, "May": ", ".join(SCOPE_LABELS[s] for s in t.scopes),
            "Status": STATE_LABELS[t.state(now)], "Created": _when(t.created_at), "Created by": t.created_by,
            "Last used": _when(t.last_used_at), "Expires": _when(t.expires_at) if t.expires_at else "Never",
        } for t in tokens]), hide_index=True, width="stretch")
    else:
        st.caption("No tokens yet.")

    with st.form("create_api_token", clear_on_submit=True):
        name = st.text_input("Token name", placeholder="e.g. alertmanager", max_chars=63,
                             help="Lowercase letters, digits, dots and dashes. It appears on every change the "
                                  "tool makes, so name it after the tool.")
        scopes = st.multiselect("What it may do", list(SCOPE_LABELS), format_func=SCOPE_LABELS.get)
        expiry = st.selectbox("Expires", list(EXPIRY_CHOICES))
        if st.form_submit_button("Create token"):
            new = ctx.attempt(kit.create_api_token, name, scopes, expires=EXPIRY_CHOICES[expiry], by=user)
            if new is not None:
                st.session_state[_NEW_KEY] = (new.token.name, new.secret)
                st.rerun()

    live = [t.name for t in tokens if t.revoked_at is None]
    if live:
        with st.form("revoke_api_token"):
            chosen = st.selectbox("Revoke a token", live,
                                  help="The tool using it is refused from then on; the token stays listed.")
            if st.form_submit_button("Revoke"):
                if ctx.attempt(kit.revoke_api_token, chosen, by=user) is not None:
                    ctx.flash(f"Token **{ctx.md_text(chosen)}** revoked.")
                    st.rerun()
