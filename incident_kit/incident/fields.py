"""Changing an incident's fields, severity, roles and members. Each function is one atomic change."""

from __future__ import annotations

import datetime as dt

from .. import bounds
from ..catalog import service as catalog
from ..clock import utcnow
from ..errors import IncidentKitError
from ..identity import clean_name, clean_person
from . import store
from .loading import load_for_change
from .models import Incident, Mode, normalise_tags
from .visibility import is_participant

TITLE_MAX = 200  # long enough for any headline, short enough for a list row and a chat message
SUMMARY_MAX = bounds.SUMMARY_MAX


def clean_title(title) -> str:
    text = " ".join(bounds.without_nul(str(title or "")).split())
    if not text:
        raise IncidentKitError("Title is required: say in a few words what is happening.")
    if len(text) > TITLE_MAX:
        raise IncidentKitError(f"Title is {len(text)} characters; keep it under {TITLE_MAX} and put detail in the summary.")
    return text


def clean_summary(summary) -> str:
    return bounds.text(summary, what="The summary", limit=SUMMARY_MAX)


def parse_mode(value) -> Mode:
    try:
        return Mode(str(value).strip().lower())
    except ValueError:
        raise IncidentKitError(f"Mode '{str(value)[:40]}' is not one of: {', '.join(m.value for m in Mode)}.") from None


def require_private_allowed(tx, actor) -> None:
    """Making an incident private needs a believed name: else its declarer could not see it either."""
    from ..catalog import access
    from ..identity import is_trusted_name

    if not is_trusted_name(actor, trust_typed_names=access.trust_typed_names(tx)):
        raise IncidentKitError("Private incidents need a signed-in person: sign in first, or ask an admin to "
                               "trust typed names in Settings.")


def change_severity(db, reference: str, severity: str, *, by: str, reason: str | None = None) -> Incident:
    by = clean_person(by, "Changed by")
    reason = bounds.note(reason, what="The reason")

    def work(tx):
        incident = load_for_change(tx, reference, by)
        sev = catalog.resolve_severity(tx, severity)
        if sev == incident.severity:
            raise IncidentKitError(f"{incident.reference} is already {sev}.")
        store.set_column(tx, incident.id, "severity", sev)
        store.record_event(tx, incident.id, actor=by, kind="severity_changed", field="severity",
                           old=incident.severity, new=sev, detail=reason)
        return store.get_by_id(tx, incident.id)

    return db.write(work)


def assign_role(db, reference: str, role: str, person: str | None, *, by: str) -> Incident:
    """Give a role to a person (or clear it with ``person=None``); history is kept."""
    by = clean_person(by, "Assigned by")
    person = clean_name(person, "The person")

    def work(tx):
        incident = load_for_change(tx, reference, by)
        known = catalog.resolve_role(tx, role)
        previous = incident.roles.get(known.name)
        if previous == person:
            raise IncidentKitError(f"{person or 'Nobody'} already holds {known.label} on {incident.reference}.")
        now = utcnow()
        store.assign_role(tx, incident.id, known.name, person, by=by, now=now)
        store.record_event(tx, incident.id, actor=by, kind="role_assigned" if person else "role_unassigned",
                           occurred_at=now, field=known.name, old=previous, new=person)
        return store.get_by_id(tx, incident.id)

    return db.write(work)


def add_member(db, reference: str, person: str, *, by: str) -> Incident:
    """Let someone see (and work on) a private incident."""
    by = clean_person(by, "Added by")
    person = clean_person(person, "Person")

    def work(tx):
        incident = load_for_change(tx, reference, by)
        if is_participant(tx, incident.id, person):
            raise IncidentKitError(f"{person} is already part of {incident.reference}.")
        store.add_member(tx, incident.id, person, by=by, now=utcnow())
        store.record_event(tx, incident.id, actor=by, kind="member_added", field="members", new=person)
        return store.get_by_id(tx, incident.id)

    return db.write(work)


def edit(db, reference: str, *, by: str, title=None, summary=None, type=None, tags=None,
         started_at=None, private=None, mode=None) -> Incident:
    """Change any of the editable fields; one event per field that really changed."""
    by = clean_person(by, "Edited by")
    private_ = None if private is None else bounds.flag(private, what="Private")
    started = None if started_at is None else bounds.when(started_at, field="started at", allow_future=True)
    summary_ = None if summary is None else clean_summary(summary)

    def work(tx):
        incident = load_for_change(tx, reference, by)
        changes: dict[str, tuple] = {}
        if title is not None:
            changes["title"] = (incident.title, clean_title(title))
        if summary_ is not None:
            changes["summary"] = (incident.summary, summary_)
        if type is not None:
            changes["type"] = (incident.type, catalog.resolve_type(tx, type))
        if tags is not None:
            changes["tags"] = (list(incident.tags), normalise_tags(tags))
        if started is not None:
            if started > incident.declared_at + dt.timedelta(minutes=1):
                raise IncidentKitError("Started at is after the declaration; pick an earlier time.")
            changes["started_at"] = (incident.started_at, started)
        if private_ is not None:
            if private_ and not incident.private:
                require_private_allowed(tx, by)
            changes["private"] = (incident.private, private_)
        if mode is not None:
            changes["mode"] = (incident.mode.value, parse_mode(mode).value)
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
