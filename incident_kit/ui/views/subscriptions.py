"""Subscriptions: follow incidents by severity or type, and say where reminders reach you.

Channels are named in words (email, Slack, Microsoft Teams, a webhook, a signed webhook); the raw
apprise URL stays under "Advanced", and a saved one is shown only redacted. A signed webhook's
signing secret is shown once, when it is made. Every
read is the current person's view: their own subscriptions, and failed deliveries
about incidents they may see. Failed deliveries say why and what to do.
"""

import streamlit as st

from incident_kit.errors import IncidentKitError
from incident_kit.ui import context as ui
from incident_kit.ui import display
from incident_kit.ui.panels.subscribe import KINDS, channel_picker, describe_channel, kind_of, show_secret

kit = ui.kit()
user = ui.current_user()

st.title("Subscriptions")
st.caption("Receive every internal update, in the same predictable format, by email, Slack, Microsoft Teams "
           "or a webhook; or have your own system receive incidents' events as a signed webhook.")

if not user:
    st.info("Say who you are first (your name in the sidebar) to manage your subscriptions.")
    st.stop()


def _try(action, channel: str, **kwargs):
    """Run a channel change; explain a refused address in words, never as a URL grammar."""
    try:
        return action(channel, **kwargs)
    except IncidentKitError as exc:
        kind = kind_of(channel)
        if ("channel" in str(exc).lower() or "webhook" in str(exc).lower()) and kind != "advanced":
            name = {"email": "email", "webhook": "webhook", "signed": "signed webhook"}.get(kind, KINDS[kind][0])
            starts = " and starts with https://" if kind in ("webhook", "signed") else ""
            st.error(f"That {name} address was not recognised: check it is complete{starts} (copy it "
                     "again from where you found it).", icon=":material/error:")
        else:
            st.error(ui.app_words(exc), icon=":material/error:")
        return None


severities = [s.name for s in kit.severities()]
types = {t.label: t.name for t in kit.types()}
type_words = display.type_labels(kit.types())  # 'customer_support' -> 'Customer support'

saved = kit.contact(user, viewer=user) or ""  # stays on the server: the picker shows it redacted

with st.container(border=True):
    st.subheader("Follow many incidents", anchor=False)
    channel = channel_picker(key="follow", current=saved, signed=True)
    cols = st.columns(2)
    min_severity = cols[0].selectbox("Severity at least", ["Any severity", *severities], index=0)
    type_label = cols[1].selectbox("Type", ["Any type", *types], index=0)
    if st.button("Subscribe", type="primary", key="follow_subscribe"):
        sub = _try(kit.subscribe, channel, person=user, by=user,
                   # "any severity" is following from the lowest level up (every incident)
                   min_severity=(severities[0] if severities and type_label == "Any type" else None)
                   if min_severity == "Any severity" else min_severity,
                   type=None if type_label == "Any type" else types[type_label])
        if sub is not None:
            st.success(f"You now follow {display.text(sub.describe(type_words))} by {describe_channel(sub.channel)}.")
            if sub.signing_secret:
                show_secret(sub)

st.subheader("Your subscriptions", anchor=False)
mine = kit.subscriptions(viewer=user, mine=True)
if not mine:
    st.caption("You follow nothing yet. Follow one incident from its page, or many with the form above.")
for sub in mine:
    left, right = st.columns([4, 1])
    left.markdown(f"**{display.text(sub.describe(type_words))}** by {describe_channel(sub.channel)}")
    if right.button("Unsubscribe", key=f"unsub-{sub.id}"):
        if ui.attempt(kit.unsubscribe, sub.id, by=user) is not None:
            st.rerun()

with st.container(border=True):
    st.subheader("Where reminders reach you", anchor=False)
    st.caption("When you are accountable for an incident's updates and one is overdue, a reminder goes here.")
    contact = channel_picker(key="contact", current=saved)
    if st.button("Save", key="contact_save"):
        if contact == saved and saved:
            st.info("Nothing to save: paste a new address to change where your reminders go.")
        elif _try(lambda c, **kw: kit.set_contact(user, c, **kw), contact, by=user) is not None:
            st.success("Saved.")

counts = kit.outbox_counts(viewer=user)
st.caption(f"Deliveries you can see: {counts['pending']} waiting · {counts['sending']} sending · "
           f"{counts['sent']} sent · {counts['failed']} failed.")
failed = ui.attempt(kit.outbox, viewer=user, status="failed", limit=20)
if failed is not None and not failed.empty:
    with st.expander(f"Why {len(failed)} deliver{'y' if len(failed) == 1 else 'ies'} failed, and what to do",
                     expanded=True):
        for row in failed.itertuples(index=False):
            about = f" about {row.reference}" if isinstance(row.reference, str) and row.reference else ""
            st.markdown(f"**To {display.text(row.recipient)}{about}** by {describe_channel(row.channel)} · "
                        f"{display.date_time(row.created_at, ui.browser_tz())}")
            st.caption(f"Why: {display.text(row.last_error or 'the channel did not answer')}")
        st.caption("What to do: if the address is yours, check it above and save it again; a new update is sent "
                   "to the corrected address. If an email could not be sent at all, ask an admin to check the "
                   "mail server settings.")
