"""Status page subscribers as plain data, and their rules without I/O: states, expiry, addresses, link secrets.

A subscriber asks with an address (and optionally components), gets ONE confirmation email, and hears
nothing more until they confirm. The links we email carry random secrets; the store keeps only their
SHA-512 digests (``tokens.models.digest``, as for API tokens: the secret is random, not a password, so a
fast hash is right). A digest is looked up by equality: knowing how a digest compares teaches nothing
about a secret that hashes to it.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from enum import StrEnum

from ..clock import quoted
from ..errors import IncidentKitError
from ..tokens.models import SECRET_BYTES, digest

# An unconfirmed request expires after this long: long enough for a weekend away from the inbox, short
# enough that an address someone else typed is forgotten soon (Mailchimp and Listmonk wait about as long).
CONFIRM_WITHIN = dt.timedelta(days=3)
EMAIL_MAX = 254  # RFC 5321's limit on a forward path; email-validator refuses longer addresses too
TOKEN_MAX = 100  # a link secret is 40 characters; anything much longer is not ours (and is not hashed)


class State(StrEnum):
    PENDING = "pending"            # asked; a confirmation email went out
    CONFIRMED = "confirmed"        # receives the status page's news
    UNSUBSCRIBED = "unsubscribed"  # left (one click), address forgotten
    REMOVED = "removed"            # an admin removed them, address forgotten
    EXPIRED = "expired"            # never confirmed in time, address forgotten

    @property
    def label(self) -> str:
        return STATE_LABELS[self.value]


STATE_LABELS = {"pending": "Waiting for confirmation", "confirmed": "Subscribed", "unsubscribed": "Unsubscribed",
                "removed": "Removed by an admin", "expired": "Never confirmed"}
HOLDS_ADDRESS = (State.PENDING, State.CONFIRMED)  # every other state has forgotten the address


class Purpose(StrEnum):
    CONFIRM = "confirm"
    UNSUBSCRIBE = "unsubscribe"


@dataclass(frozen=True)
class Subscriber:
    id: int
    email: str | None             # None once the subscription ended
    state: str
    components: tuple[str, ...]   # names of the chosen public components; empty: all of them
    created_at: dt.datetime
    expires_at: dt.datetime
    confirmed_at: dt.datetime | None
    ended_at: dt.datetime | None

    def state_at(self, now: dt.datetime) -> State:
        """A pending request past its expiry counts as expired even before the worker records it."""
        if self.state == State.PENDING and self.expires_at <= now:
            return State.EXPIRED
        return State(self.state)

    def to_dict(self) -> dict:
        from ..clock import iso

        return {"id": self.id, "email": self.email, "state": self.state, "components": list(self.components),
                "created_at": iso(self.created_at), "confirmed_at": iso(self.confirmed_at),
                "ended_at": iso(self.ended_at)}


@dataclass(frozen=True)
class Event:
    subscriber_id: int
    kind: str
    actor: str
    occurred_at: dt.datetime
    detail: str = ""


def clean_email(value) -> str:
    """The address as email-validator normalises it (no DNS look-up), or one sentence."""
    from email_validator import EmailNotValidError, validate_email

    text = str(value or "").strip()
    if not text:
        raise IncidentKitError("Give an email address, e.g. ana@example.com.")
    if len(text) > EMAIL_MAX:
        raise IncidentKitError(f"That email address is {len(text):,} characters long; the limit is {EMAIL_MAX}.")
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise IncidentKitError(f"'{quoted(text)}' is not an email address we can write to: {exc}") from None


def email_key(address: str) -> str:
    """How one address is looked up whatever its case (the domain is case-blind; most mailboxes are too)."""
    return address.lower()


def new_secret() -> str:
    """A link secret: 40 URL-safe random characters (240 bits)."""
    return secrets.token_urlsafe(SECRET_BYTES)


def link_digest(secret: str) -> str:
    """The stored digest of a secret we just made."""
    return digest(secret)


def secret_digest(secret) -> str | None:
    """The stored digest of a presented link secret; None when it cannot be one of ours."""
    if not isinstance(secret, str) or not 20 <= len(secret) <= TOKEN_MAX:
        return None
    return digest(secret)
