"""Incident-page panel: subscribe me to this incident's internal updates.

Also ``channel_picker``, shared with the Subscriptions page: people pick "Email",
"Slack", "Microsoft Teams", "A webhook" or (for subscriptions) "Signed webhook" and
paste an address; the raw apprise URL stays available under "Advanced". A saved
address is never put back into a box: a webhook address is its own secret, so the
page names it, redacted, and an empty box keeps it. A signed webhook's signing secret
is shown once, right after subscribing (``show_secret``), and never again.
"""

from __future__ import annotations

import streamlit as st

from incident_kit.notify.channels import SIGNED_PREFIX, is_signed, redact

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
    "signed": ("Signed webhook", "The address that receives incident events, signed",
               "https://example.com/incident-events"),
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
    if is_signed(text):
        return "signed"
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
    if kind == "signed" and text and not is_signed(text):
        return SIGNED_PREFIX + text  # the service checks it is an http(s) address
    if kind == "webhook":
        for scheme, apprise_scheme in (("https://", "jsons://"), ("http://", "json://")):
            if text.lower().startswith(scheme):
                return apprise_scheme + text[len(scheme):]
    return text


SIGNED_HELP = ("Each declaration, update, status change, resolution and closing is sent as JSON, signed so the "
               "receiver can check it came from here. Private incidents are never sent.")


def channel_picker(*, key: str, current: str = "", signed: bool = False) -> str:
    """'How should we reach you?' + one address box; returns the channel to store.

    ``current`` (the person's saved channel) is named, redacted, above an empty box; leaving the box
    empty keeps it. Its secret never reaches the browser. ``signed`` offers a signed webhook (subscriptions
    only: reminders are text).
    """
    kinds = [k for k in KINDS if signed or k != "signed"]
    start = kind_of(current)
    kind = st.radio("How should we reach you?", kinds, index=kinds.index(start) if start in kinds else 0,
                    horizontal=True, format_func=lambda k: KINDS[k][0], key=f"{key}_kind")
    _, label, hint = KINDS[kind]
    if kind == "signed":
        st.caption(SIGNED_HELP)
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
    words = {"slack": "Slack", "teams": "Microsoft Teams", "webhook": "a webhook",
             "signed": "a signed webhook"}.get(kind, "an advanced channel")
    return f"{words} ({display.text(redact(channel))})" if detail else words


def show_secret(sub) -> None:
    """A new signed webhook's signing secret, the one time it is shown (with a copy button)."""
    st.warning("Copy this signing secret into the receiver now: it is shown only this once. The receiver uses "
               "it to check that each event came from here.", icon=":material/key:")
    st.code(sub.signing_secret, language=None)


def keep_secret_for_next_run(sub, key: str) -> None:
    """Hold a new secret for the run after ``st.rerun`` (server side), to be shown then and dropped."""
    if sub.signing_secret:
        st.session_state[key] = sub


def show_kept_secret(key: str) -> None:
    sub = st.session_state.pop(key, None)
    if sub is not None:
        show_secret(sub)


def render(kit, incident, user) -> None:
    st.subheader("Follow this incident", anchor=False)
    if not user:
        st.caption("Say who you are to receive this incident's updates by email or chat.")
        return
    ref = incident.reference
    show_kept_secret(f"panel-secret-{ref}")
    mine = kit.subscriptions(viewer=user, incident=ref, mine=True)
    if mine:
        for sub in mine:
            left, right = st.columns([4, 1])
            if is_signed(sub.channel):
                left.write(f"Your signed webhook ({display.text(redact(sub.channel))}) receives this incident's "
                           "events.")
            else:
                left.write(f"You receive every internal update by {describe_channel(sub.channel)}.")
            if right.button("Unsubscribe", key=f"panel-unsub-{ref}-{sub.id}"):
                if ui.attempt(kit.unsubscribe, sub.id, by=user) is not None:
                    st.rerun()
        return
    channel = channel_picker(key=f"panel-sub-{ref}", current=kit.contact(user, viewer=user) or "", signed=True)
    if st.button("Subscribe me", key=f"panel-sub-{ref}", icon=":material/notifications:"):
        sub = ui.attempt(kit.subscribe, channel, person=user, incident=ref, by=user)
        if sub is not None:
            keep_secret_for_next_run(sub, f"panel-secret-{ref}")
            st.rerun()
