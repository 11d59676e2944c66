"""Subscriptions, deliveries and their states, as plain Python (no I/O)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


class DeliveryStatus(StrEnum):
    PENDING = "pending"    # waiting for its next attempt
    SENDING = "sending"    # claimed by a worker right now
    SENT = "sent"          # delivered; never sent again
    FAILED = "failed"      # gave up after MAX_ATTEMPTS (or nowhere to send it)


class DeliveryKind(StrEnum):
    UPDATE = "update"      # an internal update for a subscriber
    REMINDER = "reminder"  # "your update is overdue" for the accountable person
    WEBHOOK = "webhook"    # an incident event as signed JSON, for a signed-webhook subscriber (``webhooks.py``)
    CONFIRMATION = "confirmation"  # "confirm your subscription" for a status page subscriber (``public.py``)
    NOTICE = "notice"      # an external update or a maintenance notice for a status page subscriber


# Retries: 30 s, 1 min, 2 min, ... capped at an hour; after 8 attempts (the 7 waits between
# them add up to 30 s × (2^7 − 1) = 63.5 min, so about 64 minutes of trying) a delivery is
# marked failed so a dead channel does not retry forever.
BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 3600
MAX_ATTEMPTS = 8


def backoff(attempts: int) -> dt.timedelta:
    """Delay before the next try after ``attempts`` failed tries (exponential, capped)."""
    seconds = BACKOFF_BASE_SECONDS * 2 ** max(0, attempts - 1)
    return dt.timedelta(seconds=min(BACKOFF_CAP_SECONDS, seconds))


@dataclass(frozen=True)
class Subscription:
    id: int
    person: str
    channel: str
    incident: str | None        # reference of the one incident, or None for a rule
    min_severity: str | None
    type: str | None
    created_at: dt.datetime
    created_by: str
    ended_at: dt.datetime | None = None
    ended_by: str | None = None
    verified: bool = False      # made by a signed-in person, an admin for them, or the local operator
    # A signed webhook's secret: set only on the subscription ``subscribe`` returns (shown once), never read back.
    signing_secret: str | None = field(default=None, repr=False, compare=False)

    @property
    def active(self) -> bool:
        return self.ended_at is None

    @property
    def signed_webhook(self) -> bool:
        """Whether this subscription receives signed incident events (``channels.is_signed``)."""
        from .channels import is_signed

        return is_signed(self.channel)

    def describe(self, types: dict[str, str] | None = None) -> str:
        """What it follows, in words; ``types`` maps type names to the catalog's display names."""
        if self.incident:
            return f"{self.incident}"
        parts = []
        if self.min_severity:
            parts.append(f"{self.min_severity} or above")
        if self.type:
            parts.append(f"type {(types or {}).get(self.type, self.type)}")
        return "every incident " + " and ".join(parts)

    def to_dict(self) -> dict:
        """The subscription as JSON; never its signing secret (the CLI adds it once, when it is made)."""
        from ..clock import iso

        return {"id": self.id, "person": self.person, "channel": self.channel, "incident": self.incident,
                "min_severity": self.min_severity, "type": self.type, "what": self.describe(),
                "created_at": iso(self.created_at), "created_by": self.created_by,
                "ended_at": iso(self.ended_at), "ended_by": self.ended_by, "verified": self.verified}


@dataclass(frozen=True)
class Claimed:
    """One delivery a worker holds (``attempts`` already counts this try)."""
    id: int
    kind: str
    channel: str
    title: str
    body: str
    attempts: int
    subscription_id: int | None = None
    message_id: str | None = None   # a webhook's ``webhook-id``: the same on every attempt, so receivers dedupe
    signing_secret: str | None = field(default=None, repr=False)  # a webhook's subscription secret
    withheld: str | None = None  # why it may no longer be sent (settled as failed by the claim), or None
    headers: dict[str, str] = field(default_factory=dict)  # extra email headers (List-Unsubscribe)


@dataclass
class DrainResult:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    reminders: int = 0

    def add(self, other: DrainResult) -> None:
        self.sent += other.sent
        self.retrying += other.retrying
        self.failed += other.failed
        self.reminders += other.reminders

    def to_dict(self) -> dict:
        return {"sent": self.sent, "retrying": self.retrying, "failed": self.failed, "reminders": self.reminders}
