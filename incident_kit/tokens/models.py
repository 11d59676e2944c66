"""API tokens as plain data, and their rules without I/O: names, scopes, expiry, the secret's form.

A token is ``ik_`` followed by 40 URL-safe random characters (240 bits). It is shown once; the store
keeps its first 8 random characters (to find the row) and the SHA-512 digest of the whole token (to
check it, in constant time). A fast hash is right here: the secret is random, not a password, so there
is nothing to guess a word at a time (GitHub and Grafana OnCall keep API tokens the same way).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass

from ..errors import IncidentKitError
from ..identity import Person, machine

TOKEN_START = "ik_"
PREFIX_LENGTH = 8
SECRET_BYTES = 30  # 40 URL-safe characters, 240 bits
TOKEN_MAX = 200  # a bearer value longer than this is not ours (and is not hashed)
IDENTITY_PREFIX = "token:"  # a token acts as token:NAME on the timeline

# What each scope allows (shown by `api-token create --help` and in Settings).
SCOPES: dict[str, str] = {
    "alerts": "send alerts in (alert intake only)",
    "incidents:read": "list and read incidents that are not private",
    "incidents:write": "declare incidents, post updates, change status, resolve, add follow-ups",
    "metrics:read": "read the metrics (the same numbers as metrics --json)",
}

# The same scopes in people's words (the Settings page).
SCOPE_LABELS: dict[str, str] = {
    "alerts": "Send alerts",
    "incidents:read": "Read incidents",
    "incidents:write": "Declare and update incidents",
    "metrics:read": "Read metrics",
}
STATE_LABELS = {"active": "Active", "expired": "Expired", "revoked": "Revoked"}

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")
EXPIRY_RE = re.compile(r"^(\d{1,5})\s*([hdw])$")
EXPIRY_UNITS = {"h": dt.timedelta(hours=1), "d": dt.timedelta(days=1), "w": dt.timedelta(weeks=1)}
EXPIRY_MAX = dt.timedelta(days=3650)  # ten years: longer is "never", which should be said as such
NEVER = ("", "never", "none")

# last_used_at is written at most this often per token: a write per request would queue every API call
# behind DuckDB's one writer; a minute is precise enough to tell a token in use from an idle one.
LAST_USED_EVERY = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class ApiToken:
    """A token as listed: everything but the secret (which the store does not hold)."""

    id: int
    name: str
    scopes: tuple[str, ...]
    created_at: dt.datetime
    created_by: str
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    revoked_by: str | None

    @property
    def identity(self) -> Person:
        """Who the token acts as: ``token:NAME``, a machine (never trusted for private incidents or admin)."""
        return machine(IDENTITY_PREFIX + self.name)

    def expired(self, now: dt.datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now

    def state(self, now: dt.datetime) -> str:
        """active | expired | revoked."""
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expired(now) else "active"

    def allows(self, scope: str) -> bool:
        return scope in self.scopes

    def to_dict(self) -> dict:
        from ..clock import iso

        return {"name": self.name, "scopes": list(self.scopes), "created_at": iso(self.created_at),
                "created_by": self.created_by, "expires_at": iso(self.expires_at),
                "last_used_at": iso(self.last_used_at), "revoked_at": iso(self.revoked_at),
                "revoked_by": self.revoked_by}


@dataclass(frozen=True)
class NewToken:
    """A token just created: the only moment its secret exists outside the caller's hands."""

    token: ApiToken
    secret: str

    def to_dict(self) -> dict:
        from ..clock import iso

        return {"name": self.token.name, "token": self.secret, "scopes": list(self.token.scopes),
                "expires_at": iso(self.token.expires_at)}


def clean_name(value) -> str:
    name = str(value or "").strip().lower()
    if not NAME_RE.match(name):
        shown = str(value or "")[:40]
        raise IncidentKitError(f"Token name '{shown}' is not usable: use 1 to 63 lowercase letters, digits, dots, "
                               "dashes or underscores, starting with a letter or digit (e.g. alertmanager).")
    return name


def clean_scopes(values) -> tuple[str, ...]:
    if isinstance(values, str):
        values = values.replace(",", " ").split()
    chosen = []
    for value in values or ():
        scope = str(value).strip().lower()
        if scope not in SCOPES:
            raise IncidentKitError(f"Scope '{str(value)[:40]}' is not one of: {', '.join(SCOPES)}.")
        if scope not in chosen:
            chosen.append(scope)
    if not chosen:
        raise IncidentKitError(f"Give the token at least one scope: {', '.join(SCOPES)}.")
    return tuple(s for s in SCOPES if s in chosen)  # always in the same order


def parse_scopes(stored: str) -> tuple[str, ...]:
    return tuple(stored.split())


def expires_at(value, now: dt.datetime) -> dt.datetime | None:
    """``90d``, ``12h``, ``2w`` (a duration from now), ``never``; an aware datetime in the future also works."""
    if value is None or (isinstance(value, str) and value.strip().lower() in NEVER):
        return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is None or value <= now:
            raise IncidentKitError("A token's expiry must be a future time with a time zone.")
        return value
    match = EXPIRY_RE.match(str(value).strip().lower())
    if not match:
        raise IncidentKitError(f"Expiry '{str(value)[:40]}' is not a duration like 90d, 12h or 2w (or never).")
    span = int(match[1]) * EXPIRY_UNITS[match[2]]
    if not dt.timedelta(0) < span <= EXPIRY_MAX:
        raise IncidentKitError("A token's expiry must be between 1 hour and 3650 days; use never for no expiry.")
    return now + span


def new_secret() -> str:
    return TOKEN_START + secrets.token_urlsafe(SECRET_BYTES)


def lookup_prefix(secret: str) -> str | None:
    """The stored lookup key of a presented token; None when it cannot be one of ours."""
    if not isinstance(secret, str) or not secret.startswith(TOKEN_START) or len(secret) > TOKEN_MAX:
        return None
    body = secret[len(TOKEN_START):]
    return body[:PREFIX_LENGTH] if len(body) > PREFIX_LENGTH else None


def digest(secret: str) -> str:
    return hashlib.sha512(secret.encode("utf-8")).hexdigest()


def matches(secret: str, stored_digest: str) -> bool:
    """Constant-time comparison of the presented token's digest with the stored one."""
    import hmac

    return hmac.compare_digest(digest(secret), stored_digest)
