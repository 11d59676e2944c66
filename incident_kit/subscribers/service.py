"""Status page subscribers: ask, confirm, unsubscribe (customers, by the links they were emailed), and count,
list, export and remove (admins). Each public function is one transaction with an event.

Customers never sign in: a request names an address, the confirmation email proves it. Whatever the
address (new, pending, confirmed), a request does the same work and says the same thing, so nobody learns
who is subscribed. Confirming a new request for a subscribed address replaces the old subscription (the
way to change components). Ending a subscription, however it ends, forgets the address.
"""

from __future__ import annotations

import datetime as dt

from .. import bounds
from ..catalog import access
from ..clock import quoted, utcnow
from ..components import service as components
from ..errors import IncidentKitError, NotFound
from ..identity import clean_person
from ..notify import public as outbox
from ..notify.models import DeliveryKind
from ..safe_output import csv_text
from . import mail, notices, store
from .models import (CONFIRM_WITHIN, HOLDS_ADDRESS, Event, Purpose, State, Subscriber, clean_email, email_key,
                     link_digest, new_secret, secret_digest)

CUSTOMER = "subscriber"  # the actor of a customer's own steps (never their address)
CLOCK = "clock"
COMPONENTS_MAX = 100
CLOSED = ("Email subscriptions are not open yet: an admin must first set the status page's public address "
          "(public_url) in Settings.")
BAD_LINK = "This link is not valid any more; subscribe again from the status page if you want updates."
NOT_FOUND = "There is no status page subscriber {id}; check the number in the list."
CSV_HEADER = ["id", "email", "state", "components", "created_at", "confirmed_at", "ended_at"]


class SubscriptionsClosed(IncidentKitError):
    """Subscribing needs the setting ``public_url`` (the links in the emails point there)."""


def _chosen(tx, names) -> list[int]:
    if isinstance(names, str):
        names = [names]
    names = [str(n) for n in (names or ()) if str(n).strip()]
    if len(names) > COMPONENTS_MAX:
        raise IncidentKitError(f"Choose at most {COMPONENTS_MAX} components.")
    ids = []
    for name in names:
        try:
            found = components.find(tx, name)
        except NotFound:
            found = None
        if found is None or found.internal or found.archived:
            raise IncidentKitError(f"There is no component '{quoted(name)}' on the status page; choose from the "
                                   "list on the page.")
        ids.append(found.id)
    return list(dict.fromkeys(ids))


def request(db, email, components_=(), *, now: dt.datetime | None = None) -> None:
    """Ask for the status page's news at ``email`` (optionally only about ``components_``, names or slugs):
    a pending request and ONE confirmation email. Returns nothing: the caller says "check your email"
    whatever happened to the address before."""
    address = clean_email(email)
    now = now or utcnow()

    def work(tx) -> None:
        base = notices.base_url(tx)
        if not base:
            raise SubscriptionsClosed(CLOSED, in_app="Email subscriptions are not open yet: an admin must first "
                                                     "set the status page's public address in Settings.")
        ids = _chosen(tx, components_)
        new_id = store.insert(tx, email=address, key=email_key(address), now=now, expires_at=now + CONFIRM_WITHIN,
                              component_ids=ids)
        store.record_event(tx, new_id, kind="requested", actor=CUSTOMER, now=now,
                           detail=f"{len(ids)} components" if ids else "every component")
        confirm_secret, leave_secret = new_secret(), new_secret()
        store.insert_links(tx, [(link_digest(confirm_secret), new_id, Purpose.CONFIRM.value),
                                (link_digest(leave_secret), new_id, Purpose.UNSUBSCRIBE.value)], now=now)
        made = store.one(tx, new_id)
        assert made is not None
        leave_url = mail.link(base, Purpose.UNSUBSCRIBE.value, leave_secret)
        subject, body = mail.confirmation(name=notices.page_name(tx), base=base,
                                          confirm_url=mail.link(base, Purpose.CONFIRM.value, confirm_secret),
                                          unsubscribe_url=leave_url, components=made.components)
        outbox.queue(tx, kind=DeliveryKind.CONFIRMATION, subscriber_id=new_id, title=subject, body=body,
                     headers=mail.headers(leave_url), now=now)

    db.write(work)


def _by_link(tx, secret, purpose: Purpose) -> Subscriber:
    digest = secret_digest(secret)
    found = store.find_link(tx, digest) if digest else None
    if found is None or found[1] != purpose.value:
        raise NotFound(BAD_LINK)
    subscriber = store.one(tx, found[0])
    assert subscriber is not None  # links are written with their subscriber
    return subscriber


def check_link(db, secret, purpose: str, *, now: dt.datetime | None = None) -> Subscriber:
    """The subscriber a link names, if it may still be used (``NotFound`` in one sentence otherwise): the
    page showing the one button asks first, so a dead link says so before anyone presses it."""
    now = now or utcnow()

    def work(tx) -> Subscriber:
        subscriber = _by_link(tx, secret, Purpose(purpose))
        if subscriber.state_at(now) not in HOLDS_ADDRESS:
            raise NotFound(BAD_LINK)
        return subscriber

    return db.read(work)


def confirm(db, secret, *, now: dt.datetime | None = None) -> Subscriber:
    """Start the subscription a confirmation link names (again: no change). A subscription the same address
    had before ends, replaced by this one."""
    now = now or utcnow()

    def work(tx) -> Subscriber:
        subscriber = _by_link(tx, secret, Purpose.CONFIRM)
        state = subscriber.state_at(now)
        if state == State.CONFIRMED:
            return subscriber
        if state != State.PENDING or subscriber.email is None:
            raise NotFound(BAD_LINK)
        for other in store.same_address(tx, email_key(subscriber.email), besides=subscriber.id):
            store.end(tx, other, state=State.UNSUBSCRIBED, now=now)
            store.record_event(tx, other, kind="replaced", actor=CUSTOMER, now=now,
                               detail=f"replaced by subscriber {subscriber.id}")
        store.confirm(tx, subscriber.id, now=now)
        store.record_event(tx, subscriber.id, kind="confirmed", actor=CUSTOMER, now=now)
        done = store.one(tx, subscriber.id)
        assert done is not None
        return done

    return db.write(work)


def unsubscribe(db, secret, *, now: dt.datetime | None = None) -> Subscriber:
    """End the subscription an unsubscribe link names, at once (again: no change); the address is forgotten."""
    now = now or utcnow()

    def work(tx) -> Subscriber:
        subscriber = _by_link(tx, secret, Purpose.UNSUBSCRIBE)
        if subscriber.state in HOLDS_ADDRESS:
            store.end(tx, subscriber.id, state=State.UNSUBSCRIBED, now=now)
            store.record_event(tx, subscriber.id, kind="unsubscribed", actor=CUSTOMER, now=now)
        done = store.one(tx, subscriber.id)
        assert done is not None
        return done

    return db.write(work)


def expire(db, *, now: dt.datetime | None = None) -> int:
    """Record every request not confirmed in time as expired, forgetting its address (the worker, each pass:
    it reads first and writes only when one is due)."""
    now = now or utcnow()
    if not db.read(lambda tx: bool(store.expired_due(tx, now))):
        return 0

    def work(tx) -> int:
        due = store.expired_due(tx, now)
        for subscriber_id in due:
            store.end(tx, subscriber_id, state=State.EXPIRED, now=now)
            store.record_event(tx, subscriber_id, kind="expired", actor=CLOCK, now=now,
                               detail=f"not confirmed within {CONFIRM_WITHIN.days} days")
        return len(due)

    return db.write(work)


# -- admins ------------------------------------------------------------------------------------------
def counts(db, *, viewer) -> dict[str, int]:
    """How many subscribers are in each state (admins)."""
    def work(tx) -> dict[str, int]:
        access.require_admin(tx, viewer, "see the status page's subscribers")
        found = store.counts(tx)
        return {s.value: found.get(s.value, 0) for s in State}

    return db.read(work)


def subscribers(db, *, viewer, state: str | None = None, holding: bool = False,
                limit: int | None = None) -> list[Subscriber]:
    """Subscribers (oldest first), with the address while it is held (admins); ``holding``: only those whose
    address is kept (waiting or subscribed); ``limit``: at most that many."""
    limit = bounds.limit(limit)
    if state is not None and state not in {s.value for s in State}:
        raise IncidentKitError(f"State '{quoted(state)}' is not one of: {', '.join(s.value for s in State)}.")

    def work(tx) -> list[Subscriber]:
        access.require_admin(tx, viewer, "see the status page's subscribers")
        return store.all_(tx, state=state, holding=bounds.flag(holding, what="Holding"), limit=limit)

    return db.read(work)


def export_csv(db, *, viewer, state: str | None = None) -> str:
    """The subscribers as CSV, every cell safe to open in a spreadsheet (``safe_output.csv_text``)."""
    from ..clock import iso

    rows = [[s.id, s.email or "", s.state, "; ".join(s.components), iso(s.created_at), iso(s.confirmed_at) or "",
             iso(s.ended_at) or ""] for s in subscribers(db, viewer=viewer, state=state)]
    return csv_text(CSV_HEADER, rows)


def remove(db, subscriber_id, *, by) -> Subscriber:
    """End a subscription and forget its address (admins); the row and its events stay."""
    by = clean_person(by, "Removed by")
    try:
        number = int(str(subscriber_id).strip().lstrip("#"))
    except ValueError:
        raise NotFound(NOT_FOUND.format(id=quoted(subscriber_id))) from None
    now = utcnow()

    def work(tx) -> Subscriber:
        access.require_admin(tx, by, "remove a status page subscriber")
        found = store.one(tx, number) if 0 < number < 2**62 else None
        if found is None:
            raise NotFound(NOT_FOUND.format(id=number))
        if found.state not in HOLDS_ADDRESS:
            raise IncidentKitError(f"Subscriber {number}'s subscription has already ended "
                                   f"({State(found.state).label}).")
        store.end(tx, number, state=State.REMOVED, now=now)
        store.record_event(tx, number, kind="removed", actor=str(by), now=now)
        done = store.one(tx, number)
        assert done is not None
        return done

    return db.write(work)


def events(db, subscriber_id: int, *, viewer) -> list[Event]:
    def work(tx) -> list[Event]:
        access.require_admin(tx, viewer, "see the status page's subscribers")
        return store.events(tx, int(subscriber_id))

    return db.read(work)
