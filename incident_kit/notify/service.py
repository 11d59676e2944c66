"""Rules for subscriptions, reminders and the outbox. Each public function is one atomic change.

The ``update_posted`` hook below runs inside the transaction that saves an
update: it only writes outbox rows, so posting never waits for, or fails
because of, a channel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import datetime as dt
from dataclasses import replace

if TYPE_CHECKING:  # pandas loads only where a frame is built, so write commands start fast
    import pandas as pd

from ..catalog import access
from ..catalog import service as catalog_service
from ..catalog import store as catalog
from ..clock import to_utc, utcnow
from ..errors import IncidentKitError, NotFound
from ..incident import hooks
from ..identity import clean_person, is_checked
from ..incident import service as incidents_service
from ..incident import store as incident_store
from . import channels, store  # channels loads apprise only when it sends or checks a URL
from .messages import reminder_message, update_message
from .models import Claimed, DeliveryKind, DeliveryStatus, Subscription, backoff

SUBSCRIPTION_NOT_FOUND = "There is no active subscription {id}; check its number in the list of subscriptions."


# -- the outbox hook -----------------------------------------------------------
def _on_update_posted(tx, kind: str, incident_id: int, payload: dict) -> None:
    """Queue one delivery per matching subscriber (internal updates only) in the update's transaction."""
    if payload.get("detail") != "internal" or payload.get("new") is None:
        return  # external updates feed the status page, not stakeholders' inboxes
    if not store.any_active_subscription(tx):
        return  # nobody to tell: keep posting an update as cheap as it can be
    update_id = int(payload["new"])
    # post_update hands over what it just wrote; other callers fall back to a read
    incident = payload.get("incident") or incident_store.get_by_id(tx, incident_id)
    update = payload.get("update") or store.get_update(tx, update_id)
    if incident is None or update is None:
        return
    if update.next_update_at is None and incident.active:
        # No time promised: the severity's cadence promises one (as the incident list shows).
        cadence_minutes = {s.name: s.cadence_minutes for s in catalog.severities(tx, include_inactive=True)}
        minutes = cadence_minutes.get(incident.severity)
        if minutes:
            update = replace(update, next_update_at=update.posted_at + dt.timedelta(minutes=minutes))
    title, body = update_message(incident, update)
    store.queue_update_deliveries(tx, incident_id=incident_id, update_id=update_id, title=title, body=body,
                                  now=update.posted_at, admins=sorted(catalog.admins(tx)))


hooks.subscribe("update_posted", _on_update_posted)


# -- subscriptions ------------------------------------------------------------
def subscribe(db, channel: str, *, person: str, by: str, incident: str | None = None,
              min_severity: str | None = None, type: str | None = None) -> Subscription:
    """Subscribe ``person`` to one incident, or to every incident matching a severity threshold and/or a type."""
    person = clean_person(person, "Person")
    by = clean_person(by, "Subscribed by")
    channel = channels.validate(channel)
    if incident and (min_severity or type):
        raise IncidentKitError("Subscribe either to one incident or to a severity/type rule, not both.")
    if not incident and not min_severity and not type:
        raise IncidentKitError(
            "Say what to follow: an incident (e.g. INC-12), a minimum severity, or a type "
            "(the lowest severity follows every incident).")

    def work(tx) -> Subscription:
        # Updates of private incidents reach subscribers by name: a signed-in person subscribes only
        # themselves (else anyone could route an admin's updates to their own channel).
        if is_checked(by) and person != str(by):
            access.require_admin(tx, by, f"subscribe {person}")
        incident_id = sev = typ = None
        if incident:
            # A checked actor must see the incident themselves; a missing and a hidden one read the same.
            inc = incidents_service.load_for_change(tx, incident, by)
            if not incidents_service.can_see(tx, inc, person):
                # Same words as a missing incident: a private incident's existence is private too.
                raise NotFound(f"There is no incident {incident} that {person} may see; "
                               "add them to it first if they should follow it.")
            incident_id = inc.id
        if min_severity:
            sev = catalog_service.resolve_severity(tx, min_severity)
        if type:
            typ = catalog_service.resolve_type(tx, type)
        same = store.find_same(tx, person=person, channel=channel, incident_id=incident_id, min_severity=sev,
                               type=typ)
        if same is not None:
            raise IncidentKitError(f"{person} is already subscribed like this (subscription {same}).")
        now = utcnow()
        new_id = store.insert_subscription(tx, person=person, channel=channel, incident_id=incident_id,
                                           min_severity=sev, type=typ, now=now, by=by)
        if incident_id is not None:
            incident_store.record_event(tx, incident_id, actor=by, kind="subscribed", occurred_at=now,
                                        detail=f"{person} follows this incident's updates")
        made = store.get_subscription(tx, new_id)
        assert made is not None  # inserted above, in this transaction
        return made

    return db.write(work)


def _may_end(tx, row: tuple, by) -> bool:
    """A checked actor ends their own subscriptions; only someone who may administer ends other people's."""
    person = row[0]
    return not is_checked(by) or person == str(by) or (bool(catalog.admins(tx)) and access.is_admin(tx, by))


def unsubscribe(db, subscription_id: int, *, by: str) -> Subscription:
    """End a subscription (it is kept, with who ended it and when)."""
    by = clean_person(by, "Unsubscribed by")
    try:
        sid = int(subscription_id)
    except (TypeError, ValueError):
        raise IncidentKitError(f"Subscription '{subscription_id}' is not a number; "
                               "check its number in the list of subscriptions.") from None

    def work(tx) -> Subscription:
        row = store.subscription_row(tx, sid)
        if row is None or row[2] is not None or not _may_end(tx, row, by):
            raise NotFound(SUBSCRIPTION_NOT_FOUND.format(id=sid))
        person, incident_id, _ = row
        now = utcnow()
        store.end_subscription(tx, sid, now=now, by=by)
        if incident_id is not None:
            incident_store.record_event(tx, incident_id, actor=by, kind="unsubscribed", occurred_at=now,
                                        detail=f"{person} no longer follows this incident's updates")
        ended = store.get_subscription(tx, sid)
        assert ended is not None  # read above, in this transaction; ending keeps the row
        return ended

    return db.write(work)


def subscriptions(db, *, person: str | None = None, incident: str | None = None,
                  include_ended: bool = False) -> list[Subscription]:
    def work(tx):
        incident_id = incidents_service.load(tx, incident).id if incident else None
        return store.subscriptions(tx, include_ended=include_ended, person=person, incident_id=incident_id)

    return db.read(work)


def set_contact(db, person: str, channel: str, *, by: str) -> str:
    """Where reminders to ``person`` go (the newest contact wins; history is kept)."""
    person = clean_person(person, "Person")
    by = clean_person(by, "Set by")
    channel = channels.validate(channel)

    def work(tx) -> None:
        # Reminders carry private incidents' titles: a signed-in person redirects only their own.
        if is_checked(by) and person != str(by):
            access.require_admin(tx, by, f"change where {person}'s reminders go")
        store.insert_contact(tx, person, channel, now=utcnow(), by=by)

    db.write(work)
    return channel


def contact(db, person: str) -> str | None:
    return db.read(lambda tx: store.channel_for(tx, person))


# -- cadence and reminders ----------------------------------------------------
def needs_update(db, *, viewer: str | None = None, now=None) -> pd.DataFrame:
    """Active incidents the viewer may see whose next update is overdue, with how late."""
    now = to_utc(now, field="now") or utcnow()
    from . import cadence  # pandera: only this read needs it

    return cadence.overdue(incidents_service.incidents(db, viewer=viewer, active=True), now)


def _reminder_key(incident_id: int, due: dt.datetime) -> str:
    return f"reminder:{incident_id}:{due.astimezone(dt.timezone.utc).isoformat()}"


def queue_reminders(db, *, now=None) -> int:
    """One reminder per overdue incident per due time, to the accountable person, through the outbox."""
    import pandas as pd

    now = to_utc(now, field="now") or utcnow()
    late = needs_update(db, now=now)
    if late.empty:
        return 0

    def work(tx) -> int:
        queued = 0
        for row in late.itertuples():
            due = row.next_update_due.to_pydatetime()
            key = _reminder_key(row.id, due)
            if store.reminder_exists(tx, key):
                continue
            cad = None if pd.isna(row.cadence_minutes) else int(row.cadence_minutes)
            title, body = reminder_message(reference=row.reference, title=row.title, severity=row.severity,
                                           cadence_minutes=cad, due=due, now=now, accountable=row.accountable)
            channel = store.channel_for(tx, row.accountable)
            if channel is None and channels.is_email(row.accountable):
                channel = row.accountable
            status, error = DeliveryStatus.PENDING, None
            if channel is None:
                status = DeliveryStatus.FAILED
                error = (f"No channel for {row.accountable}: add where their reminders go (an email address, "
                         "Slack, Teams or a webhook) as their reminder channel.")
            store.insert_reminder(tx, incident_id=row.id, recipient=row.accountable, channel=channel or "",
                                  title=title, body=body, dedupe_key=key, status=status, last_error=error,
                                  now=now)
            incident_store.record_event(tx, row.id, actor="incident-kit", kind="update_reminder",
                                        occurred_at=now,
                                        detail=f"{row.accountable} reminded: update overdue by {row.late}")
            queued += 1
        return queued

    return db.write(work)


# -- the outbox (used by the worker) -------------------------------------------
def claim(db, *, worker: str, now: dt.datetime, lease: dt.timedelta, limit: int) -> list[Claimed]:
    # READ COMMITTED is enough: the claim locks its rows (SKIP LOCKED) and re-checks their status, and
    # SERIALIZABLE would abort one of two workers that merely read the same due rows.
    return db.write(lambda tx: store.claim(tx, worker=worker, now=now, lease_until=now + lease, limit=limit),
                    isolation="read committed")


def settle(db, *, worker: str, now: dt.datetime, sent: list[int],
           errors: list[tuple[Claimed, str]], max_attempts: int) -> tuple[int, int]:
    """Record a batch's outcome in one transaction; return (retrying, failed)."""
    rows = []
    for item, error in errors:
        if item.attempts >= max_attempts:
            rows.append((item.id, DeliveryStatus.FAILED, now, error))
        else:
            rows.append((item.id, DeliveryStatus.PENDING, now + backoff(item.attempts), error))

    def work(tx):
        store.mark_sent(tx, sent, worker=worker, now=now)
        store.mark_unsent(tx, rows, worker=worker)

    db.write(work)
    failed = sum(1 for r in rows if r[1] == DeliveryStatus.FAILED)
    return len(rows) - failed, failed


def outbox(db, *, status: str | None = None, incident: str | None = None, kind: str | None = None,
           limit: int = 200) -> pd.DataFrame:
    """The newest deliveries first, with their state, attempts and last error (channels redacted)."""
    if status is not None and status not in {s.value for s in DeliveryStatus}:
        raise IncidentKitError(f"Status '{status}' is not one of: {', '.join(s.value for s in DeliveryStatus)}.")
    if kind is not None and kind not in {k.value for k in DeliveryKind}:
        raise IncidentKitError(f"Kind '{kind}' is not one of: {', '.join(k.value for k in DeliveryKind)}.")

    def work(tx):
        incident_id = incidents_service.load(tx, incident).id if incident else None
        return store.outbox(tx, status=status, incident_id=incident_id, kind=kind, limit=int(limit))

    from ..frames import utc_columns

    frame = utc_columns(db.read(work))
    frame["channel"] = [channels.redact(c) for c in frame["channel"]]
    return frame


def delivery_body(db, delivery_id: int) -> str:
    text = db.read(lambda tx: store.body(tx, int(delivery_id)))
    if text is None:
        raise NotFound(f"There is no delivery {delivery_id}; check its number in the list of deliveries.")
    return text


def outbox_counts(db) -> dict[str, int]:
    return db.read(store.counts)
