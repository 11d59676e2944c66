"""The rules for changing an incident. Each public function is one atomic change.

Every function takes the ``Database`` first and keyword-only options after the
essentials. It validates its input, raises ``IncidentKitError`` with a message a
person can act on, and writes the change together with its timeline event in
one transaction (``db.write``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace

import pandas as pd

from ..catalog import store as catalog
from ..clock import to_utc, utcnow
from ..config import LEAD_ROLE
from ..errors import IncidentKitError, InvalidTransition, NotFound
from . import hooks, store
from .models import (ACTIVE, REOPENABLE, Audience, Event, Incident, Mode, Status, Update,
                     check_transition, parse_status)

TITLE_MAX = 200  # long enough for any headline, short enough for a list row and a chat message
REFERENCE_PREFIX = "INC-"


# -- validation helpers ------------------------------------------------------
def _clean_title(title) -> str:
    text = " ".join(str(title or "").split())
    if not text:
        raise IncidentKitError("Title is required: say in a few words what is happening.")
    if len(text) > TITLE_MAX:
        raise IncidentKitError(f"Title is {len(text)} characters; keep it under {TITLE_MAX} and put detail in the summary.")
    return text


def _clean_person(person, what: str) -> str:
    text = " ".join(str(person or "").split())
    if not text:
        raise IncidentKitError(f"{what} is required: say who is making this change.")
    return text


def _severity(tx, name: str | None) -> str:
    levels = catalog.severities(tx)
    if name is None or str(name).strip() == "":
        return levels[0].name  # the lowest: routine, declare freely
    for level in levels:
        if level.name.lower() == str(name).strip().lower():
            return level.name
    raise IncidentKitError(f"Severity '{name}' is not one of: {', '.join(s.name for s in levels)}.")


def _type(tx, name: str | None) -> str | None:
    if name is None or str(name).strip() == "":
        return None
    wanted = str(name).strip().lower()
    known = catalog.types(tx)
    for item in known:
        if wanted in (item.name, item.label.lower()):
            return item.name
    raise IncidentKitError(f"Type '{name}' is not one of: {', '.join(t.name for t in known)}.")


def _mode(value) -> Mode:
    try:
        return Mode(str(value).strip().lower())
    except ValueError:
        raise IncidentKitError(f"Mode '{value}' is not one of: {', '.join(m.value for m in Mode)}.") from None


def _tags(tags: Iterable[str] | str | None) -> list[str]:
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


def _load(tx, reference: str, *, with_roles: bool = True) -> Incident:
    ref = str(reference or "").strip().upper()
    if ref.isdigit():
        ref = f"{REFERENCE_PREFIX}{ref}"
    incident = store.get_by_reference(tx, ref, with_roles=with_roles)  # the id is in the reference: a PK lookup
    if incident is None:
        raise NotFound(f"There is no incident {reference}; check the reference (e.g. INC-12) with `incident-kit list`.")
    return incident


def _admins(tx) -> frozenset[str]:
    return catalog.admins(tx)


def can_see(tx, incident: Incident, viewer: str | None) -> bool:
    """None is a trusted local caller (CLI, notebook); a name is checked."""
    if viewer is None or not incident.private:
        return True
    return viewer in _admins(tx) or store.is_participant(tx, incident.id, viewer)


def _load_visible(tx, reference: str, viewer: str | None) -> Incident:
    incident = _load(tx, reference)
    if not can_see(tx, incident, viewer):
        # Same message as a missing incident: a private incident's existence is private too.
        raise NotFound(f"There is no incident {reference}; check the reference (e.g. INC-12) with `incident-kit list`.")
    return incident


def get_visible(tx, reference: str, viewer: str | None) -> Incident:
    """Inside a caller's transaction: the incident, or NotFound when it is missing or hidden from ``viewer``."""
    return _load_visible(tx, reference, viewer)


# -- declaring ---------------------------------------------------------------
def declare(db, title, *, declared_by: str, severity: str | None = None, type: str | None = None,
            summary: str = "", private: bool = False, started_at=None, mode: str = "live",
            tags=None, lead: str | None = None, declared_at=None) -> Incident:
    """Only the title is required; severity defaults to the lowest level."""
    title = _clean_title(title)
    declared_by = _clean_person(declared_by, "Declared by")
    mode_ = _mode(mode)
    declared = to_utc(declared_at, field="declared at") or utcnow()
    started = to_utc(started_at, field="started at") or declared
    if started > declared + dt.timedelta(minutes=1):
        raise IncidentKitError("Started at is after the declaration; leave it empty or pick an earlier time.")
    tag_list = _tags(tags)

    def work(tx) -> Incident:
        sev = _severity(tx, severity)
        typ = _type(tx, type)
        new_id, ref = store.insert_next_incident(
            tx, prefix=REFERENCE_PREFIX, title=title, summary=(summary or "").strip(), severity=sev, type=typ,
            status=Status.INVESTIGATING, mode=mode_, private=bool(private), declared_by=declared_by,
            declared_at=declared, started_at=started, tags=tag_list)
        store.record_event(tx, new_id, actor=declared_by, kind="declared", occurred_at=declared,
                           field="status", new=Status.INVESTIGATING.value,
                           detail=f"{sev}{' · ' + typ if typ else ''}{' · private' if private else ''}")
        roles = {}
        if lead:
            roles[LEAD_ROLE] = _clean_person(lead, "Incident lead")
            store.assign_role(tx, new_id, LEAD_ROLE, roles[LEAD_ROLE], by=declared_by, now=declared, first=True)
            store.record_event(tx, new_id, actor=declared_by, kind="role_assigned", occurred_at=declared,
                               field=LEAD_ROLE, new=roles[LEAD_ROLE])
        # Built from what was just written: no read-back on the hot path.
        return Incident(id=new_id, reference=ref, title=title, summary=(summary or "").strip(), severity=sev,
                        type=typ, status=Status.INVESTIGATING, mode=mode_, private=bool(private),
                        declared_by=declared_by, declared_at=declared, started_at=started, resolved_at=None,
                        closed_at=None, tags=tuple(tag_list), source=None, external_id=None, roles=roles)

    return db.write(work)


# -- updates -----------------------------------------------------------------
def post_update(db, reference: str, message: str, *, by: str, audience: str = "internal",
                status: str | None = None, impact: str = "", doing: str = "",
                next_update_at=None, posted_at=None) -> Update:
    """Post an update in the fixed format; optionally move the status with it."""
    by = _clean_person(by, "Author")
    text = (message or "").strip()
    if not text:
        raise IncidentKitError("The update is empty: write what is happening now.")
    try:
        aud = Audience(str(audience).strip().lower())
    except ValueError:
        raise IncidentKitError(f"Audience '{audience}' is not one of: internal, external.") from None
    target = parse_status(status) if status else None
    posted = to_utc(posted_at, field="posted at") or utcnow()
    nxt = to_utc(next_update_at, field="next update by")
    if nxt is not None and nxt <= posted:
        raise IncidentKitError("'Next update by' is in the past; pick a time after now.")

    def work(tx) -> Update:
        incident = _load(tx, reference, with_roles=False)
        if incident.status in (Status.MERGED, Status.CLOSED, Status.DECLINED):
            where = f" into {incident.merged_into}; post updates there" if incident.merged_into else "; reopen it first"
            raise IncidentKitError(f"{incident.reference} is {incident.status.value}{where}.")
        if target is not None and target != incident.status:
            _move(tx, incident, target, by=by, now=posted)
        update = Update(id=0, incident_id=incident.id, posted_at=posted, author=by, audience=aud, message=text,
                        status=target or incident.status, impact=(impact or "").strip(),
                        doing=(doing or "").strip(), next_update_at=nxt)
        update = store.insert_update(tx, update)
        store.record_event(tx, incident.id, actor=by, kind="update_posted", occurred_at=posted,
                           field="update", new=update.id, detail=aud.value,
                           context={"incident": replace(incident, status=update.status), "update": update})
        return update

    return db.write(work)


# -- status --------------------------------------------------------------------
def _move(tx, incident: Incident, target: Status, *, by: str, now: dt.datetime, detail: str | None = None,
          merged_into: int | None = None) -> None:
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
    by = _clean_person(by, "Changed by")
    target = parse_status(status)

    def work(tx):
        incident = _load(tx, reference)
        _move(tx, incident, target, by=by, now=utcnow(), detail=(note or "").strip() or None)
        return store.get_by_id(tx, incident.id)

    return db.write(work)


def resolve(db, reference: str, *, by: str, note: str | None = None) -> Incident:
    return change_status(db, reference, Status.RESOLVED.value, by=by, note=note)


def decline(db, reference: str, *, by: str, reason: str) -> Incident:
    """Not an incident after all (a false alarm, a duplicate report): kept, never deleted."""
    if not (reason or "").strip():
        raise IncidentKitError("Say why the incident is declined (a one-line reason).")
    return change_status(db, reference, Status.DECLINED.value, by=by, note=reason)


def reopen(db, reference: str, *, by: str, status: str = "investigating", reason: str | None = None) -> Incident:
    by = _clean_person(by, "Reopened by")
    target = parse_status(status)
    if target not in ACTIVE:
        raise InvalidTransition(f"Reopen to an active phase: {', '.join(s.value for s in ACTIVE)}.")

    def work(tx):
        incident = _load(tx, reference)
        if incident.status not in REOPENABLE:
            raise InvalidTransition(
                f"{incident.reference} is {incident.status.value}; only resolved, post-incident, closed "
                "or declined incidents can be reopened.")
        store.set_status(tx, incident.id, target, resolved_at=None, closed_at=None)
        store.record_event(tx, incident.id, actor=by, kind="reopened", field="status",
                           old=incident.status.value, new=target.value, detail=(reason or "").strip() or None)
        return store.get_by_id(tx, incident.id)

    return db.write(work)


def merge(db, reference: str, into: str, *, by: str) -> Incident:
    """Fold a duplicate into another incident; both timelines say so."""
    by = _clean_person(by, "Merged by")

    def work(tx):
        incident = _load(tx, reference)
        target = _load(tx, into)
        if target.id == incident.id:
            raise IncidentKitError("An incident cannot be merged into itself.")
        if target.status == Status.MERGED:
            raise IncidentKitError(f"{target.reference} was itself merged into {target.merged_into}; merge into {target.merged_into} instead.")
        _move(tx, incident, Status.MERGED, by=by, now=utcnow(), detail=target.reference, merged_into=target.id)
        store.record_event(tx, target.id, actor=by, kind="merged_in", field="merged", new=incident.reference)
        return store.get_by_id(tx, incident.id)

    return db.write(work)


# -- severity, roles, fields ---------------------------------------------------
def change_severity(db, reference: str, severity: str, *, by: str, reason: str | None = None) -> Incident:
    by = _clean_person(by, "Changed by")

    def work(tx):
        incident = _load(tx, reference)
        sev = _severity(tx, severity)
        if sev == incident.severity:
            raise IncidentKitError(f"{incident.reference} is already {sev}.")
        store.set_column(tx, incident.id, "severity", sev)
        store.record_event(tx, incident.id, actor=by, kind="severity_changed", field="severity",
                           old=incident.severity, new=sev, detail=(reason or "").strip() or None)
        return store.get_by_id(tx, incident.id)

    return db.write(work)


def assign_role(db, reference: str, role: str, person: str | None, *, by: str) -> Incident:
    """Give a role to a person (or clear it with ``person=None``); history is kept."""
    by = _clean_person(by, "Assigned by")
    person = " ".join(str(person or "").split()) or None

    def work(tx):
        incident = _load(tx, reference)
        known = {r.name: r for r in catalog.roles(tx)}
        wanted = str(role or "").strip().lower()
        by_label = {r.label.lower(): r.name for r in known.values()}
        name = wanted if wanted in known else by_label.get(wanted)
        if name is None:
            raise IncidentKitError(f"Role '{role}' is not one of: {', '.join(known)}.")
        previous = incident.roles.get(name)
        if previous == person:
            raise IncidentKitError(f"{person or 'Nobody'} already holds {known[name].label} on {incident.reference}.")
        now = utcnow()
        store.assign_role(tx, incident.id, name, person, by=by, now=now)
        store.record_event(tx, incident.id, actor=by, kind="role_assigned" if person else "role_unassigned",
                           occurred_at=now, field=name, old=previous, new=person)
        return store.get_by_id(tx, incident.id)

    return db.write(work)


def add_member(db, reference: str, person: str, *, by: str) -> Incident:
    """Let someone see (and work on) a private incident."""
    by = _clean_person(by, "Added by")
    person = _clean_person(person, "Person")

    def work(tx):
        incident = _load(tx, reference)
        if store.is_participant(tx, incident.id, person):
            raise IncidentKitError(f"{person} is already part of {incident.reference}.")
        store.add_member(tx, incident.id, person, by=by, now=utcnow())
        store.record_event(tx, incident.id, actor=by, kind="member_added", field="members", new=person)
        return store.get_by_id(tx, incident.id)

    return db.write(work)


def edit(db, reference: str, *, by: str, title=None, summary=None, type=None, tags=None,
         started_at=None, private=None, mode=None) -> Incident:
    """Change any of the editable fields; one event per field that really changed."""
    by = _clean_person(by, "Edited by")

    def work(tx):
        incident = _load(tx, reference)
        changes: dict[str, tuple] = {}
        if title is not None:
            changes["title"] = (incident.title, _clean_title(title))
        if summary is not None:
            changes["summary"] = (incident.summary, str(summary).strip())
        if type is not None:
            changes["type"] = (incident.type, _type(tx, type))
        if tags is not None:
            changes["tags"] = (list(incident.tags), _tags(tags))
        if started_at is not None:
            started = to_utc(started_at, field="started at")
            if started > incident.declared_at + dt.timedelta(minutes=1):
                raise IncidentKitError("Started at is after the declaration; pick an earlier time.")
            changes["started_at"] = (incident.started_at, started)
        if private is not None:
            changes["private"] = (incident.private, bool(private))
        if mode is not None:
            changes["mode"] = (incident.mode.value, _mode(mode).value)
        changed = {k: v for k, v in changes.items() if v[0] != v[1]}
        if not changed:
            raise IncidentKitError("Nothing to change: the new values match the current ones.")
        for column, (old, new) in changed.items():
            store.set_column(tx, incident.id, column, new)
            fmt = (lambda v: ", ".join(v)) if column == "tags" else (
                lambda v: v.isoformat() if isinstance(v, dt.datetime) else v)
            store.record_event(tx, incident.id, actor=by, kind="field_edited", field=column,
                               old=fmt(old) if old is not None else None, new=fmt(new))
        return store.get_by_id(tx, incident.id)

    return db.write(work)


# -- reading -----------------------------------------------------------------
def get(db, reference: str, *, viewer: str | None = None) -> Incident:
    return db.read(lambda tx: _load_visible(tx, reference, viewer))


def events(db, reference: str, *, viewer: str | None = None) -> list[Event]:
    return db.read(lambda tx: store.events(tx, _load_visible(tx, reference, viewer).id))


def updates(db, reference: str, *, viewer: str | None = None) -> list[Update]:
    return db.read(lambda tx: store.updates(tx, _load_visible(tx, reference, viewer).id))


def role_history(db, reference: str, *, viewer: str | None = None) -> pd.DataFrame:
    return db.read(lambda tx: store.role_history(tx, _load_visible(tx, reference, viewer).id))


def incidents(db, *, viewer: str | None = None, active: bool = False, mine: str | None = None,
              type: str | None = None, severity: str | None = None, search: str | None = None,
              since=None, until=None, limit: int | None = None) -> pd.DataFrame:
    since_, until_ = to_utc(since, field="since"), to_utc(until, field="until")

    def work(tx):
        see_all = viewer is None or viewer in _admins(tx)
        return store.list_incidents(tx, see_all=see_all, viewer=viewer, active_only=active, mine=mine,
                                    type=_type(tx, type), severity=_severity(tx, severity) if severity else None,
                                    search=(search or "").strip() or None, since=since_, until=until_,
                                    limit=limit)

    frame = db.read(work)
    from .schemas import IncidentList

    return IncidentList.validate(frame)


def incident_counts(db, *, viewer: str | None = None, active: bool = False, mine: str | None = None,
                    type: str | None = None, severity: str | None = None, search: str | None = None,
                    now=None) -> dict[str, int]:
    """How many incidents the viewer can see with these filters: total, active, overdue for an update."""
    now_ = to_utc(now, field="now") or utcnow()

    def work(tx):
        see_all = viewer is None or viewer in _admins(tx)
        return store.count_incidents(tx, now=now_, see_all=see_all, viewer=viewer, active_only=active,
                                     mine=mine, type=_type(tx, type),
                                     severity=_severity(tx, severity) if severity else None,
                                     search=(search or "").strip() or None)

    return db.read(work)


def summary(db, reference: str, *, viewer: str | None = None) -> dict:
    """One incident as it appears in the list: lead, comms lead, accountable, next update due..."""

    def work(tx):
        incident = _load_visible(tx, reference, viewer)
        see_all = viewer is None or viewer in _admins(tx)
        return store.summary_by_reference(tx, incident.reference, see_all=see_all, viewer=viewer)

    from .schemas import IncidentList

    frame = IncidentList.validate(db.read(work))
    row = frame.iloc[0].to_dict()
    row["tags"] = list(row.get("tags") if row.get("tags") is not None else [])
    return {k: (None if pd.api.types.is_scalar(v) and pd.isna(v) else v) for k, v in row.items()}


def members(db, reference: str, *, viewer: str | None = None) -> list[str]:
    """People explicitly added to the incident (who may see it when it is private)."""
    return db.read(lambda tx: store.members(tx, _load_visible(tx, reference, viewer).id))
