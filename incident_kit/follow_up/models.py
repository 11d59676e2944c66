"""Follow-ups as plain Python: statuses, priorities, default due dates. No I/O."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from ..errors import IncidentKitError

REFERENCE_PREFIX = "FU-"


class FollowUpStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    WONT_DO = "wont_do"  # a conscious decision, always with a reason

    @property
    def label(self) -> str:
        return {"open": "Open", "in_progress": "In progress", "done": "Done", "wont_do": "Won't do"}[self.value]


class Priority(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    URGENT = "urgent"

    @property
    def label(self) -> str:
        return self.value.capitalize()


STILL_OPEN = frozenset({FollowUpStatus.OPEN, FollowUpStatus.IN_PROGRESS})
FINISHED = frozenset({FollowUpStatus.DONE, FollowUpStatus.WONT_DO})

# Default due date, in days, counted from the highest severity down: the worse the
# incident, the sooner its follow-ups should land (a month for routine ones).
DUE_DAYS_FROM_HIGHEST_SEVERITY = (7, 14, 21)
DUE_DAYS_OTHERWISE = 30


def default_due_days(severity_rank: int, levels: int) -> int:
    """``severity_rank`` is 1 for the lowest of ``levels`` severities."""
    from_top = levels - severity_rank
    if 0 <= from_top < len(DUE_DAYS_FROM_HIGHEST_SEVERITY):
        return DUE_DAYS_FROM_HIGHEST_SEVERITY[from_top]
    return DUE_DAYS_OTHERWISE


def _choice(kind, text: str, what: str, value, choices: str):
    try:
        return kind(text)
    except ValueError:
        raise IncidentKitError(f"{what} '{str(value)[:40]}' is not one of: {choices}.") from None


def parse_status(value) -> FollowUpStatus:
    text = str(value or "").strip().lower().replace("-", "_").replace(" ", "_").replace("'", "")
    text = {"wontdo": "wont_do", "inprogress": "in_progress", "todo": "open", "completed": "done"}.get(text, text)
    return _choice(FollowUpStatus, text, "Follow-up status", value, "open, in_progress, done, wont_do")


def parse_priority(value) -> Priority:
    return _choice(Priority, str(value or "medium").strip().lower(), "Priority", value,
                   ", ".join(p.value for p in Priority))


def parse_id(value) -> int:
    """Accept 12, '12' or 'FU-12'."""
    text = str(value if value is not None else "").strip().upper()
    if text.startswith(REFERENCE_PREFIX):
        text = text[len(REFERENCE_PREFIX):]
    if not text.isdigit() or len(text) > 18:  # ids are BIGINTs: more digits cannot name one
        raise IncidentKitError(f"'{str(value)[:40]}' is not a follow-up id; use the FU-number shown in the list, "
                               "e.g. FU-12.")
    return int(text)


def reference(follow_up_id: int) -> str:
    return f"{REFERENCE_PREFIX}{follow_up_id}"


@dataclass(frozen=True)
class FollowUp:
    id: int
    incident_id: int
    incident: str  # the incident reference
    title: str
    description: str
    owner: str | None
    priority: Priority
    status: FollowUpStatus
    wont_do_reason: str | None
    due_at: dt.datetime | None
    tracker_url: str | None
    created_at: dt.datetime
    created_by: str
    completed_at: dt.datetime | None
    updated_at: dt.datetime

    @property
    def reference(self) -> str:
        return reference(self.id)

    @property
    def still_open(self) -> bool:
        return self.status in STILL_OPEN

    def overdue(self, now: dt.datetime) -> bool:
        return self.still_open and self.due_at is not None and self.due_at < now

    def to_dict(self) -> dict:
        from ..clock import iso

        return {
            "id": self.reference, "incident": self.incident, "title": self.title,
            "description": self.description, "owner": self.owner, "priority": self.priority.value,
            "status": self.status.value, "wont_do_reason": self.wont_do_reason, "due_at": iso(self.due_at),
            "tracker_url": self.tracker_url, "created_at": iso(self.created_at), "created_by": self.created_by,
            "completed_at": iso(self.completed_at),
        }
