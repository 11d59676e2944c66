"""Incident-page panel: subscribe me to this incident's internal updates.

Also ``channel_picker``, shared with the Subscriptions page: people pick "Email",
"Slack", "Microsoft Teams" or "A webhook" and paste an address; the raw apprise
URL stays available under "Advanced". A saved address is never put back into a
box: a webhook address is its own secret, so the page names it, redacted, and an
empty box keeps it.
"""

from __future__ import annotations

import streamlit as st

from incident_kit.notify.channels import redact

from .. import context as ui
from .. import display

KINDS = {
    "email": ("Email", "Your email address", "e.g. ana@example.com"),
    "slack": ("Slack", "The channel's incoming-webhook address",
              "https://hooks.slack.com/services/… (Slack: channel settings → Integrations → Incoming webhooks)"),
    "teams": ("Microsoft Teams", "The channel's workflow address",
              "https://….logic.azure.com/workflows/… (Teams: channel → Workflows → "
              "Send webhook alerts to a channel)"),
    "webhook": ("A webhook", "The address that receives each update as JSON", "https://example.com/incident-hook"),
    "advanced": ("Advanced", "Apprise URL", "e.g. mailto://…, slack://…, workflow://…, json://host/path"),
}


# How each kind's addresses begin, as pasted and as stored or shown (apprise's own schemes).
_SLACK = ("https://hooks.slack.com/", "slack://")
_TEAMS = ("workflow://", "workflows://", "msteams://", "https://outlook.office.com/")
_TEAMS_HOSTS = (".webhook.office.com/", ".logic.azure.", "powerplatform.")
_WEBHOOK = ("json://", "jsons://")


def kind_of(channel: str) -> str:
    text = (channel or "").strip().lower()
    if not text or "://" not in text:
        return "email"
    if text.startswith(_SLACK):
        return "slack"
    if text.startswith(_TEAMS) or any(host in text for host in _TEAMS_HOSTS):
        return "teams"
    if text.startswith(_WEBHOOK):
        return "webhook"
    return "advanced"


def channel_for(kind: str, address: str) -> str:
    """What the notify service stores for a picked kind and a pasted address (apprise understands
    Slack and Teams webhook addresses as they are; a plain https webhook becomes apprise's jsons://)."""
    text = (address or "").strip()
    if kind == "webhook":
        for scheme, apprise_scheme in (("https://", "jsons://"), ("http://", "json://")):
            if text.lower().startswith(scheme):
                return apprise_scheme + text[len(scheme):]
    return text


def channel_picker(*, key: str, current: str = "") -> str:
    """'How should we reach you?' + one address box; returns the channel to store.

    ``current`` (the person's saved channel) is named, redacted, above an empty box; leaving the box
    empty keeps it. Its secret never reaches the browser.
    """
    kinds = list(KINDS)
    start = kind_of(current)
    kind = st.radio("How should we reach you?", kinds, index=kinds.index(start), horizontal=True,
                    format_func=lambda k: KINDS[k][0], key=f"{key}_kind")
    _, label, hint = KINDS[kind]
    kept = current if current and kind == start else ""
    if kept:
        st.caption(f"Saved: {describe_channel(kept, detail=True)}. Leave the box empty to keep it.")
    address = st.text_input(label, value="", placeholder=hint, key=f"{key}_address_{kind}")
    return channel_for(kind, address) if address.strip() else kept


def describe_channel(channel: str, *, detail: bool = False) -> str:
    """'email to ana@example.com', 'Slack', 'Microsoft Teams', 'a webhook' — never the raw secret URL.

    ``detail`` adds the address with its tokens cut (``notify.channels.redact``), to tell two apart.
    """
    if not channel:
        return "no channel"
    kind = kind_of(channel)
    if kind == "email":
        return f"email to {display.text(channel)}"
    words = {"slack": "Slack", "teams": "Microsoft Teams", "webhook": "a webhook"}.get(kind, "an advanced channel")
    return f"{words} ({display.text(redact(channel))})" if detail else words


def render(kit, incident, user) -> None:
    st.subheader("Follow this incident", anchor=False)
    if not user:
        st.caption("Say who you are to receive this incident's updates by email or chat.")
        return
    ref = incident.reference
    mine = kit.subscriptions(viewer=user, incident=ref, mine=True)
    if mine:
        for sub in mine:
            left, right = st.columns([4, 1])
            left.write(f"You receive every internal update by {describe_channel(sub.channel)}.")
            if right.button("Unsubscribe", key=f"panel-unsub-{ref}-{sub.id}"):
                if ui.attempt(kit.unsubscribe, sub.id, by=user) is not None:
                    st.rerun()
        return
    channel = channel_picker(key=f"panel-sub-{ref}", current=kit.contact(user, viewer=user) or "")
    if st.button("Subscribe me", key=f"panel-sub-{ref}", icon=":material/notifications:"):
        if ui.attempt(kit.subscribe, channel, person=user, incident=ref, by=user) is not None:
            st.rerun()
