"""Declaring an incident, posting updates and moving it through its lifecycle.

Each public function is one atomic change: it validates its input, raises
``IncidentKitError`` with a message a person can act on, and writes the change
together with its timeline event in one transaction (``db.write``). ``move`` is
the transition other domains use inside their own transaction (e.g. a review
moving a resolved incident to post-incident).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from .. import bounds
from ..catalog import service as catalog
from ..clock import utcnow
from ..config import LEAD_ROLE
from ..errors import IncidentKitError, InvalidTransition
from ..identity import clean_person
from . import hooks, store
from .fields import clean_summary, clean_title, parse_mode, require_private_allowed
from .loading import REFERENCE_PREFIX, load_for_change
from .models import (ACTIVE, REOPENABLE, Audience, Incident, Status, Update, check_transition, normalise_tags,
                     parse_status)

UPDATE_MAX = bounds.UPDATE_MAX


# -- declaring ---------------------------------------------------------------
def declare(db, title, *, declared_by: str, severity: str | None = None, type: str | None = None,
            summary: str = "", private: bool = False, started_at=None, mode: str = "live",
            tags=None, lead: str | None = None, declared_at=None, components=None) -> Incident:
    """Only the title is required; severity defaults to the lowest level.

    ``components`` ({name: impact}) is handed to the "declared" event's reactions: the components domain
    sets the impacts in this transaction, and an unknown name refuses the whole declaration.
    """
    title = clean_title(title)
    declared_by = clean_person(declared_by, "Declared by")
    summary = clean_summary(summary)
    private = bounds.flag(private, what="Private")
    mode_ = parse_mode(mode)
    declared = bounds.when(declared_at, field="declared at") or utcnow()
    # no future bound of its own: it must not be after the declaration, which is checked below
    started = bounds.when(started_at, field="started at", allow_future=True) or declared
    if started > declared + dt.timedelta(minutes=1):
        raise IncidentKitError("Started at is after the declaration; leave it empty or pick an earlier time.")
    tag_list = normalise_tags(tags)
    lead_ = clean_person(lead, "Incident lead") if lead else None

    def work(tx) -> Incident:
        if private:
            require_private_allowed(tx, declared_by)
        sev = catalog.resolve_severity(tx, severity)
        typ = catalog.resolve_type(tx, type)
        new_id, ref = store.insert_next_incident(
            tx, prefix=REFERENCE_PREFIX, title=title, summary=summary, severity=sev, type=typ,
            status=Status.INVESTIGATING, mode=mode_, private=private, declared_by=declared_by,
            declared_at=declared, started_at=started, tags=tag_list)
        store.record_event(tx, new_id, actor=declared_by, kind="declared", occurred_at=declared,
                           field="status", new=Status.INVESTIGATING.value,
                           detail=f"{sev}{' · ' + typ if typ else ''}{' · private' if private else ''}",
                           context={"components": components} if components else None)
        roles = {}
        if lead_:
            roles[LEAD_ROLE] = lead_
            store.assign_role(tx, new_id, LEAD_ROLE, lead_, by=declared_by, now=declared, first=True)
            store.record_event(tx, new_id, actor=declared_by, kind="role_assigned", occurred_at=declared,
                               field=LEAD_ROLE, new=lead_)
        # Built from what was just written: no read-back on the hot path.
        return Incident(id=new_id, reference=ref, title=title, summary=summary, severity=sev,
                        type=typ, status=Status.INVESTIGATING, mode=mode_, private=private,
                        declared_by=str(declared_by), declared_at=declared, started_at=started, resolved_at=None,
                        closed_at=None, tags=tuple(tag_list), source=None, external_id=None, roles=roles)

    # A declaration only adds rows; the counter row lock orders concurrent ones, so READ COMMITTED is
    # enough, and under SERIALIZABLE every concurrent declaration but one would abort and retry.
    return db.write(work, isolation="read committed")


# -- updates -----------------------------------------------------------------
def post_update(db, reference: str, message: str, *, by: str, audience: str = "internal",
                status: str | None = None, impact: str = "", doing: str = "",
                next_update_at=None, posted_at=None) -> Update:
    """Post an update in the fixed format; optionally move the status with it."""
    by = clean_person(by, "Author")
    text = bounds.text(message, what="The update", limit=UPDATE_MAX)
    if not text:
        raise IncidentKitError("The update is empty: write what is happening now.")
    impact = bounds.text(impact, what="The impact", limit=UPDATE_MAX)
    doing = bounds.text(doing, what="What we're doing", limit=UPDATE_MAX)
    try:
        aud = Audience(str(audience).strip().lower())
    except ValueError:
        raise IncidentKitError(f"Audience '{str(audience)[:40]}' is not one of: internal, external.") from None
    target = parse_status(status) if status else None
    posted = bounds.when(posted_at, field="posted at") or utcnow()
    nxt = bounds.when(next_update_at, field="next update by", allow_future=True)
    if nxt is not None and nxt <= posted:
        raise IncidentKitError("'Next update by' is in the past; pick a time after now.")

    def work(tx) -> Update:
        incident = load_for_change(tx, reference, by, with_roles=False)
        if not incident.accepts_updates:
            where = f" into {incident.merged_into}; post updates there" if incident.merged_into else "; reopen it first"
            raise IncidentKitError(f"{incident.reference} is {incident.status.value}{where}.")
        if target is not None and target != incident.status:
            move(tx, incident, target, by=by, now=posted)
        return _add_update(tx, incident, by=by, audience=aud, text=text, status=target or incident.status,
                           impact=impact, doing=doing, next_update_at=nxt, posted=posted)

    return db.write(work)


def _add_update(tx, incident: Incident, *, by: str, audience: Audience, text: str, status: Status, impact: str,
                doing: str, next_update_at, posted: dt.datetime) -> Update:
    update = Update(id=0, incident_id=incident.id, posted_at=posted, author=by, audience=audience, message=text,
                    status=status, impact=impact, doing=doing, next_update_at=next_update_at)
    update = store.insert_update(tx, update)
    store.record_event(tx, incident.id, actor=by, kind="update_posted", occurred_at=posted,
                       field="update", new=update.id, detail=audience.value,
                       context={"incident": replace(incident, status=status), "update": update})
    return update


# -- status --------------------------------------------------------------------
def move(tx, incident: Incident, target: Status, *, by: str, now: dt.datetime, detail: str | None = None,
         merged_into: int | None = None) -> None:
    """Move ``incident`` to ``target`` inside the caller's transaction (hooks may refuse), with its event."""
    if target == Status.MERGED and merged_into is None:
        raise InvalidTransition("Use merge (with the incident to merge into) to mark an incident merged.")
    if target == Status.DECLINED and not detail:
        raise InvalidTransition("Say why the incident is declined (a one-line reason).")
    check_transition(incident.status, target)
    # Other domains may refuse a move here (e.g. closing without a published or waived review).
    hooks.emit(tx, "before_status_change", incident.id,
               {"actor": by, "old": incident.status.value, "new": target.value, "reference": incident.reference})
    resolved_at = incident.resolved_at
    closed_at = incident.closed_at
    if target == Status.RESOLVED:
        resolved_at = now
    if target == Status.CLOSED:
        closed_at = now
    store.set_status(tx, incident.id, target, resolved_at=resolved_at, closed_at=closed_at,
                     merged_into=merged_into)
    store.record_event(tx, incident.id, actor=by, kind="status_changed", occurred_at=now, field="status",
                       old=incident.status.value, new=target.value, detail=detail)


def change_status(db, reference: str, status: str, *, by: str, note: str | None = None) -> Incident:
    by = clean_person(by, "Changed by")
    target = parse_status(status)
    note = bounds.note(note)

    def work(tx):
        incident = load_for_change(tx, reference, by)
        move(tx, incident, target, by=by, now=utcnow(), detail=note)
        return store.get_by_id(tx, incident.id)

    return db.write(work)


def resolve(db, reference: str, *, by: str, note: str | None = None, final_update: str | None = None,
            external_update: str | None = None) -> Incident:
    """Resolve. ``final_update`` (and ``external_update``, its version for customers) are posted with the
    move in one change, with no next update promised, so no surface says "Next update by" any more."""
    if final_update is None and external_update is None:
        return change_status(db, reference, Status.RESOLVED.value, by=by, note=note)
    by = clean_person(by, "Resolved by")
    texts = [(Audience.INTERNAL, bounds.text(final_update, what="The final update", limit=UPDATE_MAX)),
             (Audience.EXTERNAL, bounds.text(external_update, what="The final update for customers",
                                             limit=UPDATE_MAX))]
    if not texts[0][1]:
        raise IncidentKitError("The final update is empty: say in a sentence what was resolved.")

    def work(tx):
        incident = load_for_change(tx, reference, by)
        now = utcnow()
        move(tx, incident, Status.RESOLVED, by=by, now=now, detail=(note or "").strip() or None)
        resolved = store.get_by_id(tx, incident.id)
        assert resolved is not None  # loaded above, in this transaction; nothing is hard-deleted
        for audience, text in texts:
            if text:
                _add_update(tx, resolved, by=by, audience=audience, text=text, status=Status.RESOLVED,
                            impact="", doing="", next_update_at=None, posted=now)
        return store.get_by_id(tx, incident.id)

    return db.write(work)


def decline(db, reference: str, *, by: str, reason: str) -> Incident:
    """Not an incident after all (a false alarm, a duplicate report): kept, never deleted."""
    if not (reason or "").strip():
        raise IncidentKitError("Say why the incident is declined (a one-line reason).")
    return change_status(db, reference, Status.DECLINED.value, by=by, note=reason)


def reopen(db, reference: str, *, by: str, status: str = "investigating", reason: str | None = None) -> Incident:
    by = clean_person(by, "Reopened by")
    target = parse_status(status)
    reason = bounds.note(reason, what="The reason")
    if target not in ACTIVE:
        raise InvalidTransition(f"Reopen to an active phase: {', '.join(s.value for s in ACTIVE)}.")

    def work(tx):
        incident = load_for_change(tx, reference, by)
        if incident.status not in REOPENABLE:
            raise InvalidTransition(
                f"{incident.reference} is {incident.status.value}; only resolved, post-incident, closed "
                "or declined incidents can be reopened.")
        store.set_status(tx, incident.id, target, resolved_at=None, closed_at=None)
        store.record_event(tx, incident.id, actor=by, kind="reopened", field="status",
                           old=incident.status.value, new=target.value, detail=reason)
        return store.get_by_id(tx, incident.id)

    return db.write(work)


def merge(db, reference: str, into: str, *, by: str) -> Incident:
    """Fold a duplicate into another incident; both timelines say so.

    A checked actor must be able to see both; a private target they may not see is refused
    with exactly the words used for a missing one.
    """
    by = clean_person(by, "Merged by")

    def work(tx):
        incident = load_for_change(tx, reference, by)
        target = load_for_change(tx, into, by)
        if target.id == incident.id:
            raise IncidentKitError("An incident cannot be merged into itself.")
        if target.status == Status.MERGED:
            raise IncidentKitError(f"{target.reference} was itself merged into {target.merged_into}; merge into {target.merged_into} instead.")
        move(tx, incident, Status.MERGED, by=by, now=utcnow(), detail=target.reference, merged_into=target.id)
        store.record_event(tx, target.id, actor=by, kind="merged_in", field="merged", new=incident.reference)
        return store.get_by_id(tx, incident.id)

    return db.write(work)
