"""The one predictable update format, and a draft pre-filled from the incident.

An update of an ongoing incident has the same four parts, in this order: current
status, impact, what we're doing, next update by. A closing update (resolved, or
any later status) says what the person wrote and nothing it did not: the status,
their text, and that no further update will follow (impact and what we're doing
only when they were given). Email, chat, webhooks, the app preview, the status
board and the public status page all render through ``update_fields`` /
``render_update``, so stakeholders can scan any of them the same way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..clock import utcnow
from .models import ACTIVE, Incident, Status, Update

# Stand-ins for an ongoing incident's empty fields: its four parts are always there.
IMPACT_UNKNOWN = "Being assessed."
DOING_UNKNOWN = "Investigating."
NO_NEXT_UPDATE = "no further updates planned"
# The last line of a closing update that promises nothing more.
FINAL_LINE = "There will be no further updates."


@dataclass(frozen=True)
class UpdateDraft:
    status: str
    impact: str
    doing: str
    next_update_at: dt.datetime | None
    message: str = ""


def draft_update(incident: Incident, last: Update | None, cadence_minutes: int,
                 now: dt.datetime | None = None) -> UpdateDraft:
    """Pre-fill from the incident and its last update; next update on the severity's cadence.

    Once the incident is over (resolved or later) the draft is a closing note: nothing carried over from
    the live response ("Investigating…"), and no next update promised.
    """
    now = now or utcnow()
    if incident.status not in ACTIVE:
        return UpdateDraft(status=incident.status.value, impact="", doing="", next_update_at=None)
    return UpdateDraft(
        status=incident.status.value,
        impact=last.impact if last else "",
        doing=last.doing if last else "",
        next_update_at=now + dt.timedelta(minutes=cadence_minutes),
        message="",
    )


def _status(status: str | Status) -> Status | None:
    try:
        return Status(str(status))
    except ValueError:
        return None


def is_closing(status: str | Status) -> bool:
    """An update in a status after the response (resolved, post-incident, closed...): a closing update."""
    known = _status(status)
    return known is not None and known not in ACTIVE


def when_text(ts: dt.datetime | None) -> str:
    return NO_NEXT_UPDATE if ts is None else ts.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


@dataclass(frozen=True)
class UpdateField:
    label: str
    text: str
    at: dt.datetime | None = None  # the time ``text`` states, for a machine-readable <time>


def update_fields(*, status: str | Status, impact: str = "", doing: str = "",
                  next_update_at: dt.datetime | None = None) -> list[UpdateField]:
    """The labelled lines before the message, in order. An ongoing incident's update always has all four;
    a closing one only its status and what was actually written (and a next update, if one was promised)."""
    known = _status(status)
    label = known.label if known is not None else str(status)
    fields = [UpdateField("Current status", label)]
    impact, doing = (impact or "").strip(), (doing or "").strip()
    if not is_closing(status):
        return fields + [UpdateField("Impact", impact or IMPACT_UNKNOWN),
                         UpdateField("What we're doing", doing or DOING_UNKNOWN),
                         UpdateField("Next update by", when_text(next_update_at), next_update_at)]
    if impact:
        fields.append(UpdateField("Impact", impact))
    if doing:
        fields.append(UpdateField("What we're doing", doing))
    if next_update_at is not None:
        fields.append(UpdateField("Next update by", when_text(next_update_at), next_update_at))
    return fields


def final_line(status: str | Status, next_update_at: dt.datetime | None) -> str:
    """"There will be no further updates." under a closing update that promises none; else nothing."""
    return FINAL_LINE if is_closing(status) and next_update_at is None else ""


def render_update(*, reference: str, title: str, status: str | Status, message: str, impact: str = "",
                  doing: str = "", next_update_at: dt.datetime | None = None, severity: str | None = None,
                  audience: str = "internal") -> str:
    """Plain text in the fixed format (safe to put in email, chat or a <pre>)."""
    head = f"[{reference}] {title}"
    if severity and audience == "internal":
        head += f" ({severity})"
    lines = [head, ""]
    lines += [f"{f.label}: {f.text}" for f in update_fields(status=status, impact=impact, doing=doing,
                                                             next_update_at=next_update_at)]
    if message:
        lines += ["", message]
    closing = final_line(status, next_update_at)
    if closing:
        lines += ["", closing]
    return "\n".join(lines)
