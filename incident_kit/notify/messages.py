"""What a notification says. Pure functions over the incident record.

Bodies are plain text in the one predictable format (``render_update``), so an
email, a chat message and a webhook read the same.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from ..catalog.models import cadence_for
from ..clock import human_duration
from ..incident.format import render_update
from ..incident.models import Incident, Status, Update


def _when(ts: dt.datetime) -> str:
    return ts.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def promised(incident: Incident, update: Update, severities) -> Update:
    """The update as every surface shows it: with no time promised, an active incident's severity cadence
    promises the next one (as the incident list and the page show)."""
    if update.next_update_at is not None or not incident.active:
        return update
    minutes = cadence_for(severities, incident.severity)
    return replace(update, next_update_at=update.posted_at + dt.timedelta(minutes=minutes))


def update_message(incident: Incident, update: Update) -> tuple[str, str]:
    """(title, body) of an internal update for a stakeholder."""
    status = update.status or incident.status
    title = f"[{incident.reference}] {incident.title}: {Status(status).label} ({incident.severity})"
    body = render_update(reference=incident.reference, title=incident.title, status=status,
                         message=update.message, impact=update.impact, doing=update.doing,
                         next_update_at=update.next_update_at, severity=incident.severity, audience="internal")
    body += f"\n\n— {update.author}, {_when(update.posted_at)}"
    return title, body


def late_text(minutes: float) -> str:
    """'25 min', '1 h', '2 h 5 min', '3 d 4 h': how late, in the app's words (``clock.human_duration``)."""
    return human_duration(max(0.0, float(minutes)))


def reminder_message(*, reference: str, title: str, severity: str, cadence_minutes: int | None,
                     due: dt.datetime, now: dt.datetime, accountable: str) -> tuple[str, str]:
    late = late_text((now - due).total_seconds() / 60)
    subject = f"[{reference}] Update overdue by {late}: {title}"
    every = f" ({severity} incidents promise an update every {late_text(cadence_minutes)})" if cadence_minutes else ""
    body = "\n".join([
        f"{accountable}, you are accountable for updates on {reference} {title}.",
        "",
        f"The next update was due by {_when(due)}, {late} ago{every}.",
        f"Open {reference} in incident-kit and choose \"Post an update\": say what is happening now, the impact,",
        "what is being done, and when the next update will come. \"No change, still investigating\" is a fine update.",
        "",
        "From a terminal, the same update is:",
        f'  incident-kit update {reference} "What is happening now" --impact "..." --doing "..."',
    ])
    return subject, body
