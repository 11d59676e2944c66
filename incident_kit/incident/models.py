"""The incident record and its lifecycle, as plain Python (no I/O, no Streamlit)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from ..clock import quoted
from ..errors import InvalidTransition


class Status(StrEnum):
    INVESTIGATING = "investigating"
    FIXING = "fixing"
    MONITORING = "monitoring"
    RESOLVED = "resolved"
    POST_INCIDENT = "post_incident"
    CLOSED = "closed"
    DECLINED = "declined"
    MERGED = "merged"

    @property
    def label(self) -> str:
        return self.value.replace("_", "-").capitalize()


class Mode(StrEnum):
    LIVE = "live"
    RETROSPECTIVE = "retrospective"  # declared after the fact
    TEST = "test"


class Audience(StrEnum):
    INTERNAL = "internal"
    EXTERNAL = "external"


ACTIVE = frozenset({Status.INVESTIGATING, Status.FIXING, Status.MONITORING})
ACTIVE_ORDER = tuple(s for s in Status if s in ACTIVE)  # the phases in the order a response moves through them
REOPENABLE = frozenset({Status.RESOLVED, Status.POST_INCIDENT, Status.CLOSED, Status.DECLINED})
# Once merged (updates go to the incident it joined), closed or declined, an incident takes no updates
# until it is reopened; the live phases and the learning phases after resolving do.
ACCEPTS_UPDATES = frozenset(set(Status) - {Status.MERGED, Status.CLOSED, Status.DECLINED})


def status_sql(statuses) -> str:
    """Statuses as a SQL list, generated from the constants here so no query spells them out: "('resolved', ...)"."""
    return "(" + ", ".join(f"'{Status(s).value}'" for s in sorted(statuses, key=list(Status).index)) + ")"


ACTIVE_SQL = status_sql(ACTIVE_ORDER)

# Allowed moves. Reopening (back to an active phase from resolved, post-incident,
# closed or declined) is its own service call so the timeline says "reopened".
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.INVESTIGATING: frozenset({Status.FIXING, Status.MONITORING, Status.RESOLVED,
                                     Status.DECLINED, Status.MERGED}),
    Status.FIXING: frozenset({Status.INVESTIGATING, Status.MONITORING, Status.RESOLVED,
                              Status.DECLINED, Status.MERGED}),
    Status.MONITORING: frozenset({Status.INVESTIGATING, Status.FIXING, Status.RESOLVED,
                                  Status.DECLINED, Status.MERGED}),
    Status.RESOLVED: frozenset({Status.POST_INCIDENT, Status.CLOSED}),
    Status.POST_INCIDENT: frozenset({Status.CLOSED}),
    Status.CLOSED: frozenset(),
    Status.DECLINED: frozenset(),
    Status.MERGED: frozenset(),
}


def normalise_tags(tags) -> list[str]:
    """Tags as stored: lower case, single spaces, no empties or repeats, in the order given.

    Accepts a list or one comma-separated string ("Database, deploy").
    """
    if tags is None:
        return []
    if isinstance(tags, str):
        tags = tags.split(",")
    seen: list[str] = []
    for tag in tags:
        t = " ".join(str(tag).split()).lower()
        if t and t not in seen:
            seen.append(t)
    return seen


def parse_status(value: str) -> Status:
    try:
        return Status(str(value).strip().lower().replace("-", "_").replace(" ", "_"))
    except ValueError:
        raise InvalidTransition(
            f"Status '{quoted(value)}' is not one of: {', '.join(s.value for s in Status)}."
        ) from None


def check_transition(current: Status, target: Status) -> None:
    """Raise InvalidTransition with a message that says what is possible instead."""
    if target == current:
        raise InvalidTransition(f"The incident is already {current.value}.")
    if target in TRANSITIONS[current]:
        return
    if target in ACTIVE and current in REOPENABLE:
        raise InvalidTransition(
            f"The incident is {current.value}; reopen it to move it back to {target.value}."
        )
    allowed = sorted(s.value for s in TRANSITIONS[current])
    hint = f"allowed next: {', '.join(allowed)}" if allowed else "it can only be reopened" \
        if current in REOPENABLE else "it is final"
    raise InvalidTransition(
        f"Cannot move an incident from {current.value} to {target.value}; {hint}."
    )


@dataclass(frozen=True)
class Incident:
    id: int
    reference: str
    title: str
    summary: str
    severity: str
    type: str | None
    status: Status
    mode: Mode
    private: bool
    declared_by: str
    declared_at: dt.datetime
    started_at: dt.datetime
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    tags: tuple[str, ...]
    source: str | None
    external_id: str | None
    merged_into: str | None = None
    roles: dict[str, str] = field(default_factory=dict)  # role -> person (current holders)

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @property
    def accepts_updates(self) -> bool:
        return self.status in ACCEPTS_UPDATES

    @property
    def lead(self) -> str | None:
        return self.roles.get("lead")

    @property
    def comms_lead(self) -> str | None:
        return self.roles.get("comms")

    @property
    def accountable_for_updates(self) -> str:
        """The communications lead, else the incident lead, else the declarer."""
        return self.comms_lead or self.lead or self.declared_by

    def participants(self) -> set[str]:
        return {self.declared_by, *self.roles.values()}

    def to_dict(self) -> dict:
        from ..clock import iso

        return {
            "id": self.id,
            "reference": self.reference,
            "title": self.title,
            "summary": self.summary,
            "severity": self.severity,
            "type": self.type,
            "status": self.status.value,
            "mode": self.mode.value,
            "private": self.private,
            "declared_by": self.declared_by,
            "declared_at": iso(self.declared_at),
            "started_at": iso(self.started_at),
            "resolved_at": iso(self.resolved_at),
            "closed_at": iso(self.closed_at),
            "tags": list(self.tags),
            "source": self.source,
            "external_id": self.external_id,
            "merged_into": self.merged_into,
            "roles": dict(self.roles),
            "accountable_for_updates": self.accountable_for_updates,
        }


@dataclass(frozen=True)
class Update:
    id: int
    incident_id: int
    posted_at: dt.datetime
    author: str
    audience: Audience
    message: str
    status: Status | None = None
    impact: str = ""
    doing: str = ""
    next_update_at: dt.datetime | None = None

    def to_dict(self) -> dict:
        from ..clock import iso

        return {
            "id": self.id, "incident_id": self.incident_id, "posted_at": iso(self.posted_at),
            "author": self.author, "audience": self.audience.value, "message": self.message,
            "status": self.status.value if self.status else None, "impact": self.impact,
            "doing": self.doing, "next_update_at": iso(self.next_update_at),
        }


@dataclass(frozen=True)
class Event:
    id: int
    incident_id: int
    occurred_at: dt.datetime
    actor: str
    kind: str
    field: str | None
    old_value: str | None
    new_value: str | None
    detail: str | None

    def to_dict(self) -> dict:
        from ..clock import iso

        return {
            "id": self.id, "incident_id": self.incident_id, "occurred_at": iso(self.occurred_at),
            "actor": self.actor, "kind": self.kind, "field": self.field,
            "old_value": self.old_value, "new_value": self.new_value, "detail": self.detail,
        }
