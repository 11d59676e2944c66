"""What a notification says. Pure functions over the incident record.

Bodies are plain text in the one predictable format (``render_update``), so an
email, a chat message and a webhook read the same.
"""

from __future__ import annotations

import datetime as dt

from ..incident.format import render_update
from ..incident.models import Incident, Status, Update


def _when(ts: dt.datetime) -> str:
    return ts.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


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
    """'25 min', '2 h 05 min', '3 d 4 h' — how late, for people."""
    m = max(0, int(minutes))
    if m < 60:
        return f"{m} min"
    if m < 48 * 60:
        return f"{m // 60} h {m % 60:02d} min"
    return f"{m // 1440} d {(m % 1440) // 60} h"


def reminder_message(*, reference: str, title: str, severity: str, cadence_minutes: int | None,
                     due: dt.datetime, now: dt.datetime, accountable: str) -> tuple[str, str]:
    late = late_text((now - due).total_seconds() / 60)
    subject = f"[{reference}] Update overdue by {late}: {title}"
    cadence = f" ({severity} incidents promise an update every {cadence_minutes} min)" if cadence_minutes else ""
    body = "\n".join([
        f"{accountable}, you are accountable for updates on {reference} {title}.",
        "",
        f"The next update was due by {_when(due)}, {late} ago{cadence}.",
        "Post one in the app, or with:",
        f'  incident-kit update {reference} "What is happening now" --impact "..." --doing "..."',
    ])
    return subject, body
