"""The maintenance service: schedule, list, cancel and complete windows; each change is one transaction
with an event (who and when) in ``maintenance_events``.

Permissions: anyone who may declare an incident may schedule maintenance (a named person, the local
operator, or an API token with ``incidents:write``, which the HTTP layer checks). Cancelling or ending a
window early is for whoever scheduled it (a signed-in person, or a typed name where the install trusts
typed names), a token, the local operator, or an admin (before any admin is named, anyone).

The status follows the clock (``models.status_at``). ``advance`` records the clock's 'started' and
'completed' events once each; it is idempotent. Every event a window's subscribers hear of (scheduled,
started, completed, cancelled) is emitted to ``hooks`` inside its transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from .. import bounds
from ..catalog import access
from ..clock import quoted, utcnow
from ..components import service as components
from ..errors import IncidentKitError, NotAllowed, NotFound
from ..identity import Person, clean_person, is_machine, is_trusted_name
from . import hooks, store
from .models import Event, Maintenance, Status

TITLE_MAX = 200
MESSAGE_MAX = bounds.NOTE_MAX
CLOCK = "clock"  # the actor of the events the clock causes


def _title(value) -> str:
    text = bounds.text(" ".join(str(value or "").split()), what="The title", limit=TITLE_MAX)  # one line
    if not text:
        raise IncidentKitError("The maintenance needs a title, e.g. Database upgrade.")
    return text


def schedule(db, title, *, start, end, components_=(), message="", by, now: dt.datetime | None = None
             ) -> Maintenance:
    """Schedule a window from ``start`` to ``end`` on the named components; a 'scheduled' event."""
    by = clean_person(by, "Scheduled by")
    title = _title(title)
    message = bounds.text(message, what="The message", limit=MESSAGE_MAX)
    now = now or utcnow()
    start_ = bounds.when(start, field="the start", allow_future=True, now=now)
    end_ = bounds.when(end, field="the end", allow_future=True, now=now)
    if start_ is None or end_ is None:
        raise IncidentKitError("The maintenance needs a start and an end, e.g. 2026-12-24T02:00Z.")
    if end_ <= start_:
        raise IncidentKitError(f"The end ({end_:%Y-%m-%d %H:%M} UTC) must be after the start "
                               f"({start_:%Y-%m-%d %H:%M} UTC).")
    if isinstance(components_, str):
        components_ = [components_]

    def work(tx) -> Maintenance:
        try:
            found = [components.find(tx, name) for name in components_]
        except NotFound as exc:  # a name in the request: the request is refused
            raise IncidentKitError(str(exc)) from None
        for c in found:
            if c.archived:
                raise IncidentKitError(f"{c.name} is archived; ask an admin to restore it first.")
        ids = list(dict.fromkeys(c.id for c in found))
        new_id = store.insert(tx, title=title, message=message, start=start_, end=end_, now=now, by=str(by),
                              component_ids=ids)
        store.record_event(tx, new_id, kind="scheduled", actor=str(by), now=now)
        made = store.one(tx, new_id)
        assert made is not None
        hooks.emit(tx, "scheduled", made, now)
        return made

    return db.write(work)


def maintenances(db) -> list[Maintenance]:
    """Every window, latest start first (everyone inside may read them)."""
    return db.read(store.all_)


def public_maintenances(db, *, now=None, days: int = 7) -> list[Maintenance]:
    """For the public status page: windows not cancelled that are upcoming, in progress or ended within
    ``days``, naming only public components and nobody (``created_by``/``ended_by`` are blank)."""
    return db.read(lambda tx: public_maintenances_in(tx, now=now, days=days))


def public_maintenances_in(tx, *, now=None, days: int = 7) -> list[Maintenance]:
    """``public_maintenances`` inside the caller's read (the status page reads everything in one transaction)."""
    now = now or utcnow()
    since = now - dt.timedelta(days=days)
    return [replace(m, created_by="", ended_by=None) for m in store.all_(tx, include_internal=False)
            if m.ended_as != Status.CANCELLED.value and (m.ended_at or m.end) > since]


def events(db, maintenance_id) -> list[Event]:
    return db.read(lambda tx: store.events(tx, _load(tx, maintenance_id).id))


def _load(tx, maintenance_id) -> Maintenance:
    try:
        number = int(str(maintenance_id).strip().lstrip("#"))
    except ValueError:
        raise NotFound(f"There is no maintenance {quoted(maintenance_id)}; check the number in the list.") \
            from None
    found = store.one(tx, number) if 0 < number < 2**62 else None
    if found is None:
        raise NotFound(f"There is no maintenance {number}; check the number in the list.")
    return found


def _require_may_change(tx, found: Maintenance, by, doing: str) -> None:
    if not isinstance(by, Person) or is_machine(by) or access.can_administer(tx, by):
        return  # the local operator, a token allowed by its scope, or an admin (anyone, before admins are named)
    if str(by) == found.created_by and is_trusted_name(by, trust_typed_names=access.trust_typed_names(tx)):
        return
    raise NotAllowed(f"Only {found.created_by} (signed in) or an admin can {doing} this maintenance.")


def _end(db, maintenance_id, *, as_: Status, by, now) -> Maintenance:
    by = clean_person(by, "Changed by")
    now = now or utcnow()
    verb = "cancel" if as_ is Status.CANCELLED else "complete"

    def work(tx) -> Maintenance:
        found = _load(tx, maintenance_id)
        _require_may_change(tx, found, by, verb)
        status = found.status_at(now)
        if status in (Status.CANCELLED, Status.COMPLETED):
            raise IncidentKitError(f"Maintenance {found.id} is already {status.label.lower()}.")
        if as_ is Status.COMPLETED and status is Status.SCHEDULED:
            raise IncidentKitError(f"Maintenance {found.id} has not started yet; cancel it instead.")
        store.end(tx, found.id, ended_as=as_.value, now=now, by=str(by))
        store.record_event(tx, found.id, kind=as_.value, actor=str(by), now=now)
        ended = store.one(tx, found.id)
        assert ended is not None
        hooks.emit(tx, as_.value, ended, now)
        return ended

    return db.write(work)


def cancel(db, maintenance_id, *, by, now=None) -> Maintenance:
    """Cancel a scheduled or ongoing window; kept, with a 'cancelled' event."""
    return _end(db, maintenance_id, as_=Status.CANCELLED, by=by, now=now)


def complete(db, maintenance_id, *, by, now=None) -> Maintenance:
    """End an ongoing window early; a 'completed' event."""
    return _end(db, maintenance_id, as_=Status.COMPLETED, by=by, now=now)


def _due(tx, now) -> list[tuple[Maintenance, str, dt.datetime]]:
    """The clock's events not yet recorded: (window, 'started' or 'completed', when)."""
    seen = store.clock_events(tx)
    due = []
    for m in store.all_(tx):
        if m.ended_as == Status.CANCELLED.value:
            continue
        kinds = [("started", m.start)] if m.start <= now else []
        if m.ended_as is None and m.end <= now:
            kinds.append(("completed", m.end))
        due += [(m, kind, at) for kind, at in kinds if (m.id, kind) not in seen]
    return due


def advance(db, *, now=None) -> list[Event]:
    """Record the clock's 'started' and 'completed' events not yet recorded (once each); returns the new ones.

    The notification worker calls it every pass (seconds apart), so it reads first and writes only when an
    event is due: a write on every pass would change the data version and empty every cache keyed on it."""
    now = now or utcnow()
    if not db.read(lambda tx: bool(_due(tx, now))):
        return []

    def work(tx) -> list[Event]:
        new: list[Event] = []
        for m, kind, at in _due(tx, now):  # again inside the write: another process may have recorded them
            store.record_event(tx, m.id, kind=kind, actor=CLOCK, now=at)
            hooks.emit(tx, kind, m, at)
            new.append(Event(m.id, kind, CLOCK, at))
        return new

    return db.write(work)
