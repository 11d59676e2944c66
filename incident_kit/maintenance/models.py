"""Maintenance windows as plain data, and the one rule saying which status a window has at a time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {"scheduled": "Scheduled", "in_progress": "In progress", "completed": "Completed",
                "cancelled": "Cancelled"}[self.value]


@dataclass(frozen=True)
class Maintenance:
    id: int
    title: str
    message: str
    start: dt.datetime
    end: dt.datetime
    components: tuple[str, ...]
    ended_as: str | None  # None: follows the clock; "cancelled" or "completed" when someone ended it
    ended_at: dt.datetime | None
    ended_by: str | None
    created_at: dt.datetime
    created_by: str

    def status_at(self, now: dt.datetime) -> Status:
        return status_at(self.start, self.end, self.ended_as, now)


@dataclass(frozen=True)
class Event:
    maintenance_id: int
    kind: str
    actor: str
    occurred_at: dt.datetime
    detail: str = ""


# -- the status rule, in one place (its SQL twin is store.ACTIVE_AT: "in progress at ?") ----------------
def status_at(start: dt.datetime, end: dt.datetime, ended_as: str | None, now: dt.datetime) -> Status:
    """Cancelled or completed once someone says so; else scheduled before ``start``, in progress until
    ``end`` (excluded), then completed."""
    if ended_as:
        return Status(ended_as)
    if now < start:
        return Status.SCHEDULED
    return Status.IN_PROGRESS if now < end else Status.COMPLETED
