"""Signed webhooks: incident events as JSON, signed with Standard Webhooks, delivered through the outbox.

A subscription whose channel is a signed webhook (``webhook+https://receiver/path``, ``channels.is_signed``)
receives one event per change of an incident it follows: declared, an internal update posted, the status
changed, resolved, closed. The hook below (``register``, listed in ``incident_kit.reactions``) writes one
outbox row per matching subscription in the transaction of the change, never about a private incident
(``store.QUEUE_WEBHOOK_EVENTS``); nothing is sent inline. The worker claims the row like any delivery,
then ``send`` posts the stored body signed with the subscription's secret (``webhook-id`` is the row's
message id, the same on every retry; ``webhook-timestamp`` is the attempt's time, so a receiver's
five-minute tolerance holds on a retry an hour later). A row whose incident became private, or whose
subscription ended, before it went out is withheld by the claim (``withheld``).

The event, as the receiver parses it::

    {"type": "incident.updated", "timestamp": "2026-03-02T14:30:00+00:00",
     "data": {"reference": "INC-7", "title": ..., "severity": ..., "status": ..., "type": ..., "mode": ...,
              "declared_at": ..., "resolved_at": ..., "closed_at": ...,
              "previous_status": ...,                        # status changes only
              "update": {"text": ..., "message": ..., ...}}}  # updates only: "text" is ``render_update``
"""

from __future__ import annotations

import base64
import json
import math
import secrets
import urllib.parse
from dataclasses import replace

from ..catalog import store as catalog
from ..clock import iso, utcnow
from ..incident import store as incident_store
from ..incident.format import render_update
from ..incident.models import Incident, Status, Update
from . import channels, store
from .messages import promised
from .models import Claimed, DeliveryKind, DeliveryStatus

DECLARED = "incident.declared"
UPDATED = "incident.updated"
STATUS_CHANGED = "incident.status_changed"
RESOLVED = "incident.resolved"
CLOSED = "incident.closed"
EVENT_TYPES = (DECLARED, UPDATED, STATUS_CHANGED, RESOLVED, CLOSED)
# A move to one of these statuses is its own event; any other move is a status change.
_MOVES = {Status.RESOLVED.value: RESOLVED, Status.CLOSED.value: CLOSED}
# The timeline events that become webhook events ("reopened" is a move back to an active phase).
_EVENT_KINDS = ("declared", "update_posted", "status_changed", "reopened")

# Standard Webhooks secrets are "whsec_" + base64 of 24 to 64 random bytes; 32 is HMAC-SHA256's own size.
SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
TIMEOUT = (5, 10)  # seconds to connect, then to answer: far inside the worker's 5-minute claim
USER_AGENT = "incident-kit-webhooks"
ACTOR = "incident-kit"  # who ends a subscription whose receiver answered 410 Gone


def new_secret() -> str:
    """A new signing secret (``standardwebhooks.Webhook`` takes it as it is)."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


# -- what an event says (pure) ---------------------------------------------------
def event_type(kind: str, new_status: str | None = None) -> str | None:
    """The event a timeline event of ``kind`` (moving to ``new_status``) is, or None."""
    if kind == "declared":
        return DECLARED
    if kind == "update_posted":
        return UPDATED
    if kind in ("status_changed", "reopened"):
        return _MOVES.get(new_status or "", STATUS_CHANGED)
    return None


def event(type_: str, incident: Incident, *, occurred_at, update: Update | None = None,
          previous_status: str | None = None) -> dict:
    """The JSON event for ``incident`` (a Standard Webhooks payload: type, timestamp, data)."""
    status = Status(incident.status).value
    data = {"reference": incident.reference, "title": incident.title, "severity": incident.severity,
            "status": status, "type": incident.type, "mode": str(getattr(incident.mode, "value", incident.mode)),
            "declared_at": iso(incident.declared_at), "resolved_at": iso(incident.resolved_at),
            "closed_at": iso(incident.closed_at)}
    if previous_status is not None:
        data["previous_status"] = previous_status
    if update is not None:
        shown = Status(update.status or incident.status)
        text = render_update(reference=incident.reference, title=incident.title, status=shown,
                             message=update.message, impact=update.impact, doing=update.doing,
                             next_update_at=update.next_update_at, severity=incident.severity, audience="internal")
        data["update"] = {"text": text, "message": update.message, "impact": update.impact, "doing": update.doing,
                          "status": shown.value, "next_update_at": iso(update.next_update_at),
                          "posted_at": iso(update.posted_at), "author": update.author}
    return {"type": type_, "timestamp": iso(occurred_at), "data": data}


def encode(payload: dict) -> str:
    """The body as sent and signed: compact, UTF-8, strict JSON."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


# -- the outbox hook -------------------------------------------------------------
def _on_incident_event(tx, kind: str, incident_id: int, payload: dict) -> None:
    """Queue one signed event per matching webhook subscription, in the change's transaction."""
    if kind == "update_posted" and payload.get("detail") != "internal":
        return  # external updates feed the status page; subscribers get the internal one
    if not store.any_signed_subscription(tx):
        return  # nobody listens (remembered: on DuckDB a change pays no query for this)
    type_ = event_type(kind, payload.get("new"))
    incident = payload.get("incident") or incident_store.get_by_id(tx, incident_id)
    if type_ is None or incident is None:
        return
    update = None
    if type_ == UPDATED:
        update = payload.get("update") or store.get_update(tx, int(payload["new"]))
        if update is None:
            return
        update = promised(incident, update, catalog.severities(tx, include_inactive=True))
    previous = payload.get("old") if kind in ("status_changed", "reopened") else None
    body = encode(event(type_, incident, occurred_at=payload["occurred_at"], update=update,
                        previous_status=previous))
    store.queue_webhook_events(tx, incident_id=incident_id, update_id=update.id if update else None,
                               event_type=type_, body=body, now=payload["occurred_at"])


def register(subscribe) -> None:
    """Queue signed events (``incident.hooks.subscribe``, called by ``incident_kit.reactions``)."""
    for kind in _EVENT_KINDS:
        subscribe(kind, _on_incident_event)


# -- the worker's side -----------------------------------------------------------
def withheld(item: Claimed, *, public: bool, ended: bool) -> str | None:
    """Why a claimed webhook event may no longer go (its incident is private now, its subscription ended)."""
    if item.kind != DeliveryKind.WEBHOOK:
        return None
    if not public:
        return "Not sent: the incident is private now, and a webhook never receives a private incident."
    if ended:
        return "Not sent: the subscription ended before this event went out."
    return None


def withhold(tx, claimed: list[tuple[Claimed, bool, bool]], *, worker: str, now) -> list[Claimed]:
    """The claim's deliveries (``store.claim``: each with whether its incident is public and its subscription
    ended); one that may no longer go is settled as failed here, and comes back with ``withheld`` saying why."""
    out = []
    for item, public, ended in claimed:
        why = withheld(item, public=public, ended=ended)
        if why is not None:
            store.mark_unsent(tx, [(item.id, DeliveryStatus.FAILED, now, why)], worker=worker)
            item = replace(item, withheld=why)
        out.append(item)
    return out


def end_gone(tx, item: Claimed, *, now) -> None:
    """The receiver answered 410 Gone: its subscription ends (kept, ended by incident-kit)."""
    row = store.subscription_row(tx, item.subscription_id) if item.subscription_id else None
    if row is None or row[2] is not None:
        return
    person, incident_id, _, _ = row
    store.end_subscription(tx, item.subscription_id, now=now, by=ACTOR)
    if incident_id is not None:
        incident_store.record_event(tx, incident_id, actor=ACTOR, kind="unsubscribed", occurred_at=now,
                                    detail=f"{person}'s webhook answered that it is gone; it no longer "
                                           "follows this incident")


def _where(url: str) -> str:
    """The receiver as messages name it: scheme, host and port, never the path (it may be a secret)."""
    parts = urllib.parse.urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}"


def _plain(text: object, limit: int = 80) -> str:
    """A receiver's words (its reason phrase) without control characters, cut short."""
    return "".join(ch for ch in str(text or "") if ch.isprintable())[:limit]


def send(item: Claimed) -> None:
    """POST the event, signed now; raise ``channels.DeliveryError`` (``Gone`` for 410) unless answered 2xx.

    Redirects are not followed (a 3xx is a failure naming the status) and the answer's body is never read.
    """
    import requests  # loaded only when a webhook is sent (fast CLI start)
    from standardwebhooks import Webhook

    if not item.signing_secret or not item.message_id:
        raise channels.DeliveryError("This webhook has no signing secret; subscribe it again.")
    url = channels.signed_url(item.channel)
    where = _where(url)
    body = item.body.encode("utf-8")
    at = utcnow()
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT, "webhook-id": item.message_id,
               "webhook-timestamp": str(math.floor(at.timestamp())),
               "webhook-signature": Webhook(item.signing_secret).sign(item.message_id, at, body)}
    try:
        with requests.post(url, data=body, headers=headers, timeout=TIMEOUT, allow_redirects=False,
                           stream=True) as answer:
            code, reason = answer.status_code, _plain(answer.reason)
    except requests.Timeout:
        raise channels.DeliveryError(f"{where} did not answer within {TIMEOUT[1]} s.") from None
    except requests.ConnectionError:
        raise channels.DeliveryError(f"Could not connect to {where}.") from None
    except requests.RequestException as exc:
        raise channels.DeliveryError(f"Could not post to {where} ({type(exc).__name__}).") from None
    if 200 <= code < 300:
        return
    said = f"{where} answered {code} {reason}".rstrip()
    if code == 410:
        raise channels.Gone(f"{said}: the subscription ended.")
    if 300 <= code < 400:
        raise channels.DeliveryError(f"{said}; redirects are not followed: subscribe the final address.")
    raise channels.DeliveryError(f"{said}.")
