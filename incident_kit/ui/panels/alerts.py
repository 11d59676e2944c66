"""Settings-page panel: how alerts from monitoring tools (Prometheus Alertmanager, Grafana...) become incidents."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from .. import context as ctx


def _text(value) -> str:
    """A cell as the person left it: an empty cell is empty text (the service says what is missing)."""
    return "" if pd.isna(value) else str(value)


def alert_settings(kit, user, *, editable: bool) -> None:
    st.subheader("Alerts")
    st.caption("Monitoring tools such as Prometheus Alertmanager and Grafana can open incidents here: one incident "
               "for each group of alerts, with later alerts and their recovery added to its timeline. An alert's "
               "severity label that already names one of the severities above is that severity; list other "
               "labels here. Alerts with a label not listed start at the lowest severity.")
    mapping = ctx.attempt(kit.setting, "alert_severities") or {}
    names = [s.name for s in ctx.attempt(kit.severities) or []]
    frame = pd.DataFrame([{"label": label, "severity": severity} for label, severity in mapping.items()],
                         columns=["label", "severity"])
    with st.form("settings_alerts"):
        edited = st.data_editor(
            frame, num_rows="dynamic" if editable else "fixed", disabled=not editable, hide_index=True,
            key="settings_alert_severities",
            column_config={"label": st.column_config.TextColumn("Alert severity label", required=True),
                           "severity": st.column_config.SelectboxColumn("Our severity", options=names,
                                                                        required=True)})
        resolve = st.toggle("Resolve an incident when all its alerts have recovered",
                            value=ctx.attempt(kit.setting, "resolve_with_alerts") is True, disabled=not editable,
                            help="Off: the recovery is noted on the timeline and a person resolves the incident. "
                                 "On: the incident is resolved with a final update saying the alerts recovered.")
        during = st.toggle("Declare incidents for alerts about components under maintenance",
                           value=ctx.attempt(kit.setting, "declare_during_maintenance") is True,
                           disabled=not editable,
                           help="Off: an alert naming a component under planned maintenance is noted on the "
                                "maintenance instead of starting an incident.")
        if st.form_submit_button("Save alert settings", disabled=not editable):
            pairs = {_text(row.label): _text(row.severity) for row in edited.dropna(how="all").itertuples()}
            if ctx.attempt(kit.save_settings, {"alert_severities": pairs, "resolve_with_alerts": resolve,
                                               "declare_during_maintenance": during}, by=user):
                ctx.flash("Alert settings saved.")
                st.rerun()
