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
from ..catalog.models import cadence_for
from ..clock import quoted, to_utc, utcnow
from ..errors import IncidentKitError, NotAllowed, NotFound
from ..identity import Person, clean_person, is_checked, is_trusted_name
from ..incident import visibility
from ..incident import service as incidents_service
from ..incident import store as incident_store
from . import channels, public, store, webhooks  # channels loads apprise only when it sends or checks a URL
from .messages import promised, reminder_message, update_message
from .models import Claimed, DeliveryKind, DeliveryStatus, Subscription, backoff

SUBSCRIPTION_NOT_FOUND = "There is no active subscription {id}; check its number in the list of subscriptions."
DELIVERY_NOT_FOUND = "There is no delivery {id}; check its number in the list of deliveries."
ROW_ID_MAX = 2**63 - 1  # ids are BIGINT: a larger number names no row (and would overflow the store)


def _row_id(value, what: str, listed_in: str, missing: str) -> int:
    """A subscription or delivery number, or one sentence (never an overflow from the store)."""
    try:
        number = int(value)
    except (TypeError, ValueError):  # also a number too long to read (Python stops at 4,300 digits)
        raise IncidentKitError(f"{what} '{quoted(value)}' is not a number; "
                               f"check its number in the list of {listed_in}.") from None
    if not 0 < number <= ROW_ID_MAX:
        raise NotFound(missing.format(id=quoted(number)))
    return number


# -- who is believed, and whose rows are whose ----------------------------------
def _typed_names_believed(tx) -> bool:
    """Whether this install believes a name typed without signing in (the rule is ``identity``'s)."""
    return is_trusted_name(Person("someone", verified=False), trust_typed_names=access.trust_typed_names(tx))


def _made_verified(by) -> bool:
    """Whether a subscription or contact ``by`` makes now counts as verified: a signed-in person, an admin
    acting for someone, or the local operator (a plain ``str``) vouches for the name; a typed name does not."""
    return is_trusted_name(by, trust_typed_names=False)


def _believed(tx, person) -> bool:
    return is_trusted_name(person, trust_typed_names=access.trust_typed_names(tx))


def _owns(tx, actor, person: str, verified: bool) -> bool:
    """The row is ``actor``'s own: their name, believed, unless a typed name made the row itself
    (a typed name never takes over what a signed-in person made)."""
    return str(actor) == person and (not verified or _believed(tx, actor))


def _may_manage(tx, actor, person: str, verified: bool) -> bool:
    """Who ends a subscription or changes a contact: the local operator, an admin (``access``), the owner."""
    return not is_checked(actor) or access.is_admin(tx, actor) or _owns(tx, actor, person, verified)


def _shown_channel(tx, viewer, person: str, channel: str) -> str:
    """A stored channel whole only to the local caller and to its own (believed) person; else redacted."""
    if not is_checked(viewer) or (str(viewer) == person and _believed(tx, viewer)):
        return channel
    return channels.redact(channel)


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
    update = promised(incident, update, catalog.severities(tx, include_inactive=True))
    title, body = update_message(incident, update)
    store.queue_update_deliveries(tx, incident_id=incident_id, update_id=update_id, title=title, body=body,
                                  now=update.posted_at, admins=access.admin_names(tx),
                                  typed_names_believed=_typed_names_believed(tx))


def register(subscribe) -> None:
    """Queue update deliveries (``incident.hooks.subscribe``, called by ``incident_kit.reactions``)."""
    subscribe("update_posted", _on_update_posted)


# -- subscriptions ------------------------------------------------------------
def subscribe(db, channel: str, *, person: str, by: str, incident: str | None = None,
              min_severity: str | None = None, type: str | None = None) -> Subscription:
    """Subscribe ``person`` to one incident, or to every incident matching a severity threshold and/or a type.

    The subscription records whether it was made verified (``_made_verified``): updates of a private
    incident reach it only then, or while the install believes typed names. A signed webhook (``webhooks.py``)
    gets events instead, never private; the one returned carries its new signing secret, shown only then.
    """
    person = clean_person(person, "Person")
    by = clean_person(by, "Subscribed by")
    channel = channels.validate(channel)
    if incident and (min_severity or type):
        raise IncidentKitError("Subscribe either to one incident or to a severity/type rule, not both.")
    if not incident and not min_severity and not type:
        raise IncidentKitError(
            "Say what to follow: an incident (e.g. INC-12), a minimum severity, or a type "
            "(the lowest severity follows every incident).")
    verified = _made_verified(by)
    secret = webhooks.new_secret() if channels.is_signed(channel) else None

    def work(tx) -> Subscription:
        # A signed-in person subscribes only themselves (else anyone could route an admin's updates to
        # their own channel).
        if is_checked(by) and person != str(by):
            access.require_admin(tx, by, f"subscribe {person}")
        incident_id = sev = typ = None
        if incident:
            # A checked actor must see the incident themselves; a missing and a hidden one read the same.
            inc = incidents_service.load_for_change(tx, incident, by)
            if not visibility.can_see(tx, inc, person):
                # Same words as a missing incident: a private incident's existence is private too.
                raise NotFound(f"There is no incident {incident} that {person} may see; "
                               "add them to it first if they should follow it.")
            incident_id = inc.id
        if min_severity:
            sev = catalog_service.resolve_severity(tx, min_severity)
        if type:
            typ = catalog_service.resolve_type(tx, type)
        now = utcnow()
        same = store.find_same(tx, person=person, channel=channel, incident_id=incident_id, min_severity=sev,
                               type=typ)
        if same is not None:
            same_id, same_verified = same
            if same_verified or not verified:
                raise IncidentKitError(f"{person} is already subscribed like this (subscription {same_id}).")
            # Made again verified (signed in, or for them): it replaces the one a typed name made.
            store.end_subscription(tx, same_id, now=now, by=by)
        new_id = store.insert_subscription(tx, person=person, channel=channel, incident_id=incident_id,
                                           min_severity=sev, type=typ, now=now, by=by, verified=verified,
                                           signing_secret=secret)
        if incident_id is not None:
            incident_store.record_event(tx, incident_id, actor=by, kind="subscribed", occurred_at=now,
                                        detail=f"{person} follows this incident's updates")
        made = store.get_subscription(tx, new_id)
        assert made is not None  # inserted above, in this transaction
        return replace(made, signing_secret=secret)

    made = db.write(work)
    if secret:
        db.memo.bump()  # ``store.any_signed_subscription`` is remembered
    return made


def unsubscribe(db, subscription_id: int, *, by: str) -> Subscription:
    """End a subscription (it is kept, with who ended it and when): the subscriber, believed, or an admin.

    Anyone else is told there is no such subscription, in the words of a missing one.
    """
    by = clean_person(by, "Unsubscribed by")
    sid = _row_id(subscription_id, "Subscription", "subscriptions", SUBSCRIPTION_NOT_FOUND)

    def work(tx) -> Subscription:
        row = store.subscription_row(tx, sid)
        if row is None or row[2] is not None or not _may_manage(tx, by, row[0], row[3]):
            raise NotFound(SUBSCRIPTION_NOT_FOUND.format(id=sid))
        person, incident_id, _, _ = row
        now = utcnow()
        store.end_subscription(tx, sid, now=now, by=by)
        if incident_id is not None:
            incident_store.record_event(tx, incident_id, actor=by, kind="unsubscribed", occurred_at=now,
                                        detail=f"{person} no longer follows this incident's updates")
        ended = store.get_subscription(tx, sid)
        assert ended is not None  # read above, in this transaction; ending keeps the row
        return ended

    ended = db.write(work)
    if ended.signed_webhook:
        db.memo.bump()  # ``store.any_signed_subscription`` is remembered
    return ended


def subscriptions(db, *, viewer, person: str | None = None, incident: str | None = None,
                  include_ended: bool = False, mine: bool = False) -> list[Subscription]:
    """The subscriptions ``viewer`` may see: their own, those following an incident they may see, and every
    one for an admin or the local caller (``viewer=None``). ``mine``: only their own (the ones they may end).

    A channel comes back whole only to its own person and the local caller; to anyone else, redacted.
    """
    def work(tx):
        incident_id = incidents_service.load_visible(tx, incident, viewer).id if incident else None
        see_all, _ = visibility.scope(tx, viewer)
        shown = []
        for sub, incident_visible in store.subscriptions(tx, viewer=viewer, include_ended=include_ended,
                                                         person=person, incident_id=incident_id):
            own = viewer is None or _owns(tx, viewer, sub.person, sub.verified)
            if own if mine else (own or see_all or incident_visible):
                shown.append(replace(sub, channel=_shown_channel(tx, viewer, sub.person, sub.channel)))
        return shown

    return db.read(work)


def set_contact(db, person: str, channel: str, *, by: str) -> str:
    """Where reminders to ``person`` go (the newest contact wins; history is kept).

    Reminders carry private incidents' titles, so only the person, believed, or an admin changes a
    channel that was set verified; the new row records whether ``by`` was verified.
    """
    person = clean_person(person, "Person")
    by = clean_person(by, "Set by")
    channel = channels.validate(channel)
    if channels.is_signed(channel):
        raise IncidentKitError("A signed webhook receives incident events, not reminders; give an email address "
                               "or a chat channel for reminders.")

    def work(tx) -> None:
        if is_checked(by) and person != str(by):
            access.require_admin(tx, by, f"change where {person}'s reminders go")
        current = store.channel_for(tx, person, typed_names_believed=_typed_names_believed(tx))
        if current is not None and not _may_manage(tx, by, person, current[1]):
            raise NotAllowed(f"Only a signed-in {person} or an admin can change where {person}'s reminders go; "
                             "sign in to change it.")
        store.insert_contact(tx, person, channel, now=utcnow(), by=by, verified=_made_verified(by))

    db.write(work)
    return channel


def contact(db, person: str, *, viewer) -> str | None:
    """Where reminders to ``person`` go, for ``viewer``: whole to the person themself and the local caller,
    redacted to an admin, and None to anyone else (as to a person with no channel)."""
    def work(tx):
        found = store.channel_for(tx, person, typed_names_believed=_typed_names_believed(tx))
        if found is None:
            return None
        channel, verified = found
        if viewer is None or _owns(tx, viewer, person, verified) or access.is_admin(tx, viewer):
            return _shown_channel(tx, viewer, person, channel)
        return None

    return db.read(work)


# -- cadence and reminders ----------------------------------------------------
def needs_update(db, *, viewer, now=None) -> pd.DataFrame:
    """Active incidents the viewer may see whose next update is overdue, with how late."""
    now = to_utc(now, field="now") or utcnow()
    from . import cadence  # pandera: only this read needs it

    return cadence.overdue(incidents_service.incidents(db, viewer=viewer, active=True), now)


def _reminder_key(incident_id: int, due: dt.datetime) -> str:
    return f"reminder:{incident_id}:{due.astimezone(dt.timezone.utc).isoformat()}"


def _reminder_channel(tx, incident_id: int, reference: str, accountable: str,
                      typed_names_believed: bool) -> tuple[str | None, str | None]:
    """(channel, None) where the reminder goes, or (None, why not).

    The contact (or subscription) row is judged by the one visibility rule as the identity it recorded:
    a channel a typed name saved hears nothing about a private incident. The accountable person's own
    email address needs no row: mailing it reaches them.
    """
    found = store.channel_for(tx, accountable, typed_names_believed=typed_names_believed)
    if found is not None:
        channel, verified = found
        incident = incident_store.get_by_id(tx, incident_id)
        if visibility.can_see(tx, incident, Person(accountable, verified=verified)):
            return channel, None
    if channels.is_email(accountable):
        return accountable, None
    if found is not None:
        return None, (f"Not sent: the reminder channel saved for {accountable} was saved without signing in, "
                      f"and {reference} is private. {accountable} can sign in and save it again.")
    return None, (f"No channel for {accountable}: add where their reminders go (an email address, "
                  "Slack, Teams or a webhook) as their reminder channel.")


def queue_reminders(db, *, now=None) -> int:
    """One reminder per overdue incident per due time, to the accountable person, through the outbox."""
    now = to_utc(now, field="now") or utcnow()
    late = needs_update(db, viewer=None, now=now)
    if late.empty:
        return 0

    def work(tx) -> int:
        queued = 0
        believed = _typed_names_believed(tx)
        severities = catalog.severities(tx, include_inactive=True)
        for row in late.itertuples():
            due = row.next_update_due.to_pydatetime()
            key = _reminder_key(row.id, due)
            if store.reminder_exists(tx, key):
                continue
            title, body = reminder_message(reference=row.reference, title=row.title, severity=row.severity,
                                           cadence_minutes=cadence_for(severities, row.severity), due=due,
                                           now=now, accountable=row.accountable)
            channel, error = _reminder_channel(tx, row.id, row.reference, row.accountable, believed)
            status = DeliveryStatus.PENDING if channel is not None else DeliveryStatus.FAILED
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
    """Claim up to ``limit`` due deliveries; one that may no longer go comes back ``withheld``, settled as failed."""
    def work(tx) -> list[Claimed]:
        claimed = store.claim(tx, worker=worker, now=now, lease_until=now + lease, limit=limit)
        held = webhooks.withhold(tx, [row[:3] for row in claimed], worker=worker, now=now)
        return public.withhold(tx, held, {row[0].id: (row[1], row[3]) for row in claimed}, worker=worker, now=now)

    # READ COMMITTED is enough: the claim locks its rows (SKIP LOCKED) and re-checks their status, and
    # SERIALIZABLE would abort one of two workers that merely read the same due rows.
    return db.write(work, isolation="read committed")


def settle(db, *, worker: str, now: dt.datetime, sent: list[int],
           errors: list[tuple[Claimed, str]], max_attempts: int, gone: tuple[Claimed, ...] = ()) -> tuple[int, int]:
    """Record a batch's outcome in one transaction; return (retrying, failed). ``gone`` (among ``errors``):
    receivers gone for good, failed at once, their subscriptions ended (``webhooks.end_gone``)."""
    rows = []
    ended = {item.id for item in gone}
    for item, error in errors:
        if item.attempts >= max_attempts or item.id in ended:
            rows.append((item.id, DeliveryStatus.FAILED, now, error))
        else:
            rows.append((item.id, DeliveryStatus.PENDING, now + backoff(item.attempts), error))

    def work(tx):
        store.mark_sent(tx, sent, worker=worker, now=now)
        store.mark_unsent(tx, rows, worker=worker)
        for item in gone:
            webhooks.end_gone(tx, item, now=now)

    db.write(work)
    if gone:
        db.memo.bump()  # subscriptions ended: ``store.any_signed_subscription`` is remembered
    failed = sum(1 for r in rows if r[1] == DeliveryStatus.FAILED)
    return len(rows) - failed, failed


def outbox(db, *, viewer, status: str | None = None, incident: str | None = None, kind: str | None = None,
           limit: int = 200) -> pd.DataFrame:
    """The newest deliveries ``viewer`` may see first (those about incidents they may see, and their own;
    all for an admin or ``viewer=None``), with their state, attempts and last error (channels redacted)."""
    if status is not None and status not in {s.value for s in DeliveryStatus}:
        raise IncidentKitError(f"Status '{status}' is not one of: {', '.join(s.value for s in DeliveryStatus)}.")
    if kind is not None and kind not in {k.value for k in DeliveryKind}:
        raise IncidentKitError(f"Kind '{kind}' is not one of: {', '.join(k.value for k in DeliveryKind)}.")

    def work(tx):
        incident_id = incidents_service.load_visible(tx, incident, viewer).id if incident else None
        return store.outbox(tx, viewer=viewer, status=status, incident_id=incident_id, kind=kind, limit=int(limit))

    from ..frames import utc_columns

    frame = utc_columns(db.read(work))
    frame["channel"] = [channels.redact(c) for c in frame["channel"]]
    return frame


def delivery_body(db, delivery_id: int, *, viewer) -> str:
    """What a delivery says, if ``viewer`` may see the delivery (else the words of a missing one)."""
    did = _row_id(delivery_id, "Delivery", "deliveries", DELIVERY_NOT_FOUND)
    text = db.read(lambda tx: store.body(tx, did, viewer=viewer))
    if text is None:
        raise NotFound(DELIVERY_NOT_FOUND.format(id=did))
    return text


def outbox_counts(db, *, viewer) -> dict[str, int]:
    """How many deliveries ``viewer`` may see are in each state."""
    return db.read(lambda tx: store.counts(tx, viewer=viewer))
