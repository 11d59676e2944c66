"""The one predictable update format, and a draft pre-filled from the incident.

Every update has the same four parts, in this order: current status, impact,
what we're doing, next update by. Email, chat, webhooks, the app preview and
the status page all render through ``render_update`` so stakeholders can scan
any of them the same way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..clock import utcnow
from .models import ACTIVE, Incident, Status, Update


@dataclass(frozen=True)
class UpdateDraft:
    status: str
    impact: str
    doing: str
    next_update_at: dt.datetime | None
    message: str = ""


def draft_update(incident: Incident, last: Update | None, cadence_minutes: int,
                 now: dt.datetime | None = None) -> UpdateDraft:
    """Pre-fill from the incident and its last update; next update on the severity's cadence."""
    now = now or utcnow()
    nxt = now + dt.timedelta(minutes=cadence_minutes) if incident.status in ACTIVE else None
    return UpdateDraft(
        status=incident.status.value,
        impact=last.impact if last else "",
        doing=last.doing if last else "",
        next_update_at=nxt,
        message="",
    )


def _when(ts: dt.datetime | None) -> str:
    return "no further updates planned" if ts is None else ts.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def render_update(*, reference: str, title: str, status: str | Status, message: str, impact: str = "",
                  doing: str = "", next_update_at: dt.datetime | None = None, severity: str | None = None,
                  audience: str = "internal") -> str:
    """Plain text in the fixed format (safe to put in email, chat or a <pre>)."""
    status_text = Status(status).label if isinstance(status, (Status, str)) and str(status) in {s.value for s in Status} else str(status)
    head = f"[{reference}] {title}"
    if severity and audience == "internal":
        head += f" ({severity})"
    lines = [
        head,
        "",
        f"Current status: {status_text}",
        f"Impact: {impact or 'Being assessed.'}",
        f"What we're doing: {doing or 'Investigating.'}",
        f"Next update by: {_when(next_update_at)}",
    ]
    if message:
        lines += ["", message]
    return "\n".join(lines)
