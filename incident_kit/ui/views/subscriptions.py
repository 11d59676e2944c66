"""Subscriptions: follow incidents by severity or type, and say where reminders reach you."""

import streamlit as st

from incident_kit.ui import context as ui

kit = ui.kit()
user = ui.current_user()

st.title("Subscriptions")
st.caption("Receive every internal update, in the same predictable format, by email, chat or webhook. "
           "A channel is an email address or an apprise URL (mailto://, slack://, msteams://, json://...).")

if not user:
    st.info("Say who you are first (your name in the sidebar) to manage your subscriptions.")
    st.stop()

severities = [s.name for s in kit.severities()]
types = {t.label: t.name for t in kit.types()}

with st.form("follow-rule"):
    st.subheader("Follow many incidents", anchor=False)
    channel = st.text_input("Channel", value=kit.contact(user) or "", placeholder="you@example.com")
    min_severity = st.selectbox("Severity at least", ["(any)", *severities], index=0)
    type_label = st.selectbox("Type", ["(any)", *types], index=0)
    if st.form_submit_button("Subscribe", type="primary"):
        sub = ui.attempt(kit.subscribe, channel, person=user, by=user,
                         min_severity=None if min_severity == "(any)" else min_severity,
                         type=None if type_label == "(any)" else types[type_label])
        if sub is not None:
            st.success(f"You now follow {sub.describe()}.")

st.subheader("Your subscriptions", anchor=False)
mine = kit.subscriptions(person=user)
if not mine:
    st.caption("None yet. Follow one incident from its page, or many with the form above.")
for sub in mine:
    left, right = st.columns([4, 1])
    left.write(f"**{sub.describe()}** on `{sub.channel}`")
    if right.button("Unsubscribe", key=f"unsub-{sub.id}"):
        if ui.attempt(kit.unsubscribe, sub.id, by=user) is not None:
            st.rerun()

with st.form("contact"):
    st.subheader("Where reminders reach you", anchor=False)
    st.caption("When you are accountable for an incident's updates and one is overdue, a reminder goes here.")
    contact = st.text_input("Channel for reminders", value=kit.contact(user) or "")
    if st.form_submit_button("Save"):
        if ui.attempt(kit.set_contact, user, contact, by=user) is not None:
            st.success("Saved.")

counts = kit.outbox_counts()
st.caption(f"Outbox: {counts['pending']} pending · {counts['sending']} sending · {counts['sent']} sent · "
           f"{counts['failed']} failed.")
