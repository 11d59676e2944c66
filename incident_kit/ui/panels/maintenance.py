"""Status page section: scheduled maintenance. Lists windows, schedules one, cancels or ends one early.

Each action is one Kit call with the signed-in person as ``by=``; the maintenance service decides who may.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from incident_kit.clock import utcnow
from incident_kit.maintenance.models import Status

from .. import context as ctx
from .. import display

OPEN = (Status.SCHEDULED, Status.IN_PROGRESS)


def _window(kit, m, user, tz, now) -> None:
    status = m.status_at(now)
    with st.container(border=True):
        st.markdown(f"**{display.text(m.title)}** · {status.label}")
        covers = ", ".join(m.components) or "no particular component"
        st.caption(f"{display.date_time(m.start, tz)} to {display.date_time(m.end, tz)} · covers "
                   f"{display.text(covers)} · scheduled by {display.text(m.created_by)}")
        if m.message:
            st.text(m.message)
        if status not in OPEN:
            return
        left, right = st.columns(2)
        if status is Status.IN_PROGRESS and left.button("End now", key=f"maintenance_complete_{m.id}"):
            if ctx.attempt(kit.complete_maintenance, m.id, by=user) is not None:
                ctx.flash(f"Ended {ctx.md_text(m.title)}.")
                st.rerun()
        if right.button("Cancel", key=f"maintenance_cancel_{m.id}"):
            if ctx.attempt(kit.cancel_maintenance, m.id, by=user) is not None:
                ctx.flash(f"Cancelled {ctx.md_text(m.title)}.")
                st.rerun()


def _schedule_form(kit, user, tz) -> None:
    names = [c.name for c in (ctx.attempt(kit.components) or [])]
    with st.expander("Schedule maintenance", icon=":material/event:"):
        with st.form("maintenance_schedule", clear_on_submit=False):
            title = st.text_input("What work is planned", max_chars=200)
            today = dt.datetime.now(tz)
            a, b = st.columns(2)
            start_day = a.date_input("Starts on", value=today.date(), key="maintenance_start_day")
            start_time = b.time_input("at", value=dt.time(today.hour), key="maintenance_start_time")
            c, d = st.columns(2)
            end_day = c.date_input("Ends on", value=today.date(), key="maintenance_end_day")
            end_time = d.time_input("at", value=dt.time(min(today.hour + 1, 23)), key="maintenance_end_time")
            covers = st.multiselect("Components it covers", names)
            message = st.text_area("What customers should know", max_chars=2000)
            st.caption(f"Times are in your time zone ({today.tzname()}).")
            if st.form_submit_button("Schedule"):
                start = dt.datetime.combine(start_day, start_time, tzinfo=tz)
                end = dt.datetime.combine(end_day, end_time, tzinfo=tz)
                made = ctx.attempt(kit.schedule_maintenance, title, start=start, end=end, components=covers,
                                   message=message, by=user)
                if made is not None:
                    ctx.flash(f"Scheduled {ctx.md_text(made.title)}.")
                    st.rerun()


def render(kit, user, tz) -> None:
    st.header("Scheduled maintenance", anchor=False)
    st.caption("Planned work. While it is in progress, the components it covers show as under maintenance.")
    now = utcnow()
    windows = ctx.attempt(kit.maintenances) or []
    shown = [m for m in windows if m.status_at(now) in OPEN or m.end > now - dt.timedelta(days=7)]
    if not shown:
        st.caption("No maintenance is planned.")
    for m in shown:
        _window(kit, m, user, tz, now)
    _schedule_form(kit, user, tz)
