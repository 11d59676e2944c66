"""The components service: the catalog, the incidents that affect components, and their current state.

Every change is one transaction. Admins change the catalog (``catalog.access.require_admin``); whoever may
change an incident may change its impacts, and each change is a timeline event ("component_impact_changed").
A declaration names its components through ``register``: a reaction to the "declared" event, inside the
declaration's transaction, so an unknown component refuses the whole declaration and nothing is kept.

The state rule lives in ``store.STATE_RANK`` (SQL) and ``models.state_of`` (Python): the worst impact among
a component's active, non-private, non-test incidents; else under maintenance while a maintenance window
covering it is in progress (``maintenance.windows``); else operational. An incident outranks maintenance.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping

from .. import bounds
from ..catalog import access
from ..clock import utcnow
from ..errors import Conflict, IncidentKitError, NotFound
from ..incident import loading
from ..incident import store as incident_store
from ..incident import visibility
from ..identity import clean_person
from ..maintenance import windows
from . import store
from .models import MAINTENANCE_RANK, IMPACT_LABELS, Affected, Component, ComponentState, Impact, state_of

NAME_MAX = 80  # fits a status page row and a CLI table
GROUP_MAX = 80
DESCRIPTION_MAX = bounds.NOTE_MAX
SLUG_MAX = 60
EVENT_KIND = "component_impact_changed"
CHANGE_CATALOG = "change the components"


def _line(value, *, what: str, limit: int) -> str:
    """One line: whitespace (newlines included) collapsed, at most ``limit`` characters."""
    text = " ".join(bounds.without_nul(str(value or "")).split())
    if len(text) > limit:
        raise IncidentKitError(f"{what} is {len(text):,} characters long; the limit is {limit:,} characters.")
    return text


def _shown(value) -> str:
    """A name as quoted back in a refusal: one line, at most 40 characters."""
    text = " ".join(str(value or "").split())
    return text if len(text) <= 40 else text[:40] + "…"


def slugify(name: str) -> str:
    """'Checkout & Payments' -> 'checkout-payments'; '' when nothing is left (then 'component')."""
    ascii_ = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")[:SLUG_MAX].strip("-")


def parse_impact(value) -> Impact | None:
    """'partial_outage', 'Partial outage' or 'partial-outage' -> Impact; None/''/'none'/'operational' -> None."""
    text = "_".join(str(value or "").strip().lower().replace("-", " ").split())
    if text in ("", "none", "operational"):
        return None
    try:
        return Impact(text)
    except ValueError:
        words = ", ".join(IMPACT_LABELS.values())
        raise IncidentKitError(f"Impact '{_shown(value)}' is not one of: {words}.") from None


# -- the catalog ---------------------------------------------------------------------------------------
def add(db, name, *, group=None, description="", internal=False, by) -> Component:
    """Add a component; its name is unique whatever its case (archived ones included)."""
    by = clean_person(by, "Added by")
    name = _line(name, what="The component's name", limit=NAME_MAX)
    if not name:
        raise IncidentKitError("The component needs a name, e.g. Checkout.")
    group_ = _line(group, what="The group", limit=GROUP_MAX) or None
    description = bounds.text(description, what="The description", limit=DESCRIPTION_MAX)
    internal = bounds.flag(internal, what="Internal")

    def work(tx) -> Component:
        access.require_admin(tx, by, CHANGE_CATALOG)
        existing = store.find(tx, name)
        if existing is not None and existing.name.casefold() == name.casefold():
            where = " (archived: restore it instead)" if existing.archived else ""
            raise IncidentKitError(f"There is already a component named {_shown(existing.name)}{where}.")
        base = slugify(name) or "component"
        taken = store.slugs_like(tx, base)
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        new_id = store.insert(tx, name=name, slug=slug, group=group_, description=description,
                              internal=internal, now=utcnow(), by=str(by))
        if new_id is None:  # someone added the same name (or slug) a moment ago
            raise Conflict(f"A component named {_shown(name)} was just added by someone else; check the list.")
        return Component(id=new_id, name=name, slug=slug, group=group_, description=description, internal=internal)

    return db.write(work)


def components(db, *, include_archived: bool = False, include_internal: bool = True) -> list[Component]:
    """The catalog, by group then name."""
    return db.read(lambda tx: store.components(tx, include_archived=include_archived,
                                               include_internal=include_internal))


def find(tx, name) -> Component:
    """The component named ``name`` (any case) or with that slug; ``NotFound`` in one sentence otherwise."""
    text = " ".join(bounds.without_nul(str(name or "")).split())
    component = store.find(tx, text) if len(text) <= NAME_MAX else None  # longer cannot name one
    if component is None:
        raise NotFound(f"There is no component {_shown(name)}; check the name in the list of components.")
    return component


def archive(db, name, *, by) -> Component:
    """Hide a component from new incidents and the status page; kept, with its history."""
    by = clean_person(by, "Archived by")

    def work(tx) -> Component:
        access.require_admin(tx, by, CHANGE_CATALOG)
        component = find(tx, name)
        store.archive(tx, component.id, now=utcnow(), by=str(by))
        return store.find(tx, component.slug) or component

    return db.write(work)


def restore(db, name, *, by) -> Component:
    by = clean_person(by, "Restored by")

    def work(tx) -> Component:
        access.require_admin(tx, by, CHANGE_CATALOG)
        component = find(tx, name)
        store.restore(tx, component.id)
        return store.find(tx, component.slug) or component

    return db.write(work)


# -- incidents affecting components ------------------------------------------------------------------
def set_impacts(tx, incident_id: int, impacts: Mapping, *, by, now) -> None:
    """Inside the caller's transaction: set each named component's impact on the incident (None: no longer
    affected), with one timeline event per change. Refuses the whole mapping on any unknown name or impact."""
    if not isinstance(impacts, Mapping):
        raise IncidentKitError("Components must map each component's name to its impact, "
                               "e.g. Checkout: partial outage.")
    try:
        wanted = [(find(tx, name), parse_impact(impact)) for name, impact in impacts.items()]
    except NotFound as exc:  # a name in the request, not a missing record: the request is refused (422, not 404)
        raise IncidentKitError(str(exc)) from None
    for component, impact in wanted:
        old = store.impact(tx, incident_id, component.id)
        new = impact.value if impact else None
        if old == new:
            continue
        if component.archived and new is not None:
            raise IncidentKitError(f"{_shown(component.name)} is archived; ask an admin to restore it first.")
        store.set_impact(tx, incident_id, component.id, new, now=now)
        incident_store.record_event(tx, incident_id, actor=by, kind=EVENT_KIND, occurred_at=now,
                                    field=component.name, old=old, new=new)


def set_impact(db, reference, component, impact, *, by) -> list[Affected]:
    """Change how ``reference`` affects ``component`` (None: no longer); returns what it affects now."""
    by = clean_person(by, "Changed by")

    def work(tx) -> list[Affected]:
        incident = loading.load_for_change(tx, reference, by, with_roles=False)
        if not incident.accepts_updates:
            raise IncidentKitError(f"{incident.reference} is {incident.status.value}; reopen it first.")
        set_impacts(tx, incident.id, {component: impact}, by=by, now=utcnow())
        return _affected(tx, incident.id)

    return db.write(work)


def _affected(tx, incident_id: int) -> list[Affected]:
    return [Affected(component, Impact(impact)) for component, impact in store.affected(tx, incident_id)]


def affected(db, reference, *, viewer) -> list[Affected]:
    """The components ``reference`` affects now, with their impacts (for those who may see it)."""
    return db.read(lambda tx: _affected(tx, loading.load_visible(tx, reference, viewer, with_roles=False).id))


def _on_declared(tx, kind, incident_id, payload) -> None:
    wanted = payload.get("components")
    if wanted:
        set_impacts(tx, incident_id, wanted, by=payload["actor"], now=payload["occurred_at"])


def register(subscribe: Callable) -> None:
    """A declaration that names components (``declare(..., components=...)``) sets them in its transaction."""
    subscribe("declared", _on_declared)


# -- current state -----------------------------------------------------------------------------------
def states(db, *, viewer, now=None) -> list[ComponentState]:
    """Every component's current state (internal ones included) and the active incidents the viewer may see."""
    def work(tx):
        return _states(tx, include_internal=True, affecting=store.affecting(tx, visibility.scope_params(tx, viewer)),
                       now=now)
    return db.read(work)


def public_states(db, *, now=None) -> list[ComponentState]:
    """The public variant: public components only, and only incidents anyone may see (never private or tests)."""
    return db.read(lambda tx: public_states_in(tx, now=now))


def public_states_in(tx, *, now=None) -> list[ComponentState]:
    """``public_states`` inside the caller's read (the status page reads everything in one transaction)."""
    return _states(tx, include_internal=False, affecting=store.affecting(tx, None), now=now)


def public_spans(tx, since) -> list[tuple]:
    """Inside the caller's read: (component id, impact, start, end or None, reference) of the public incidents'
    impacts that lasted into ``since`` or later (never private or test incidents)."""
    return store.public_spans(tx, since)


def _states(tx, *, include_internal: bool, affecting: dict[int, list[str]], now) -> list[ComponentState]:
    under = windows.under_maintenance(tx, now=now)
    return [ComponentState(component, state_of([rank, MAINTENANCE_RANK if component.id in under else 0]),
                           tuple(affecting.get(component.id, ())), tuple(under.get(component.id, ())))
            for component, rank in store.states(tx, include_internal=include_internal)]
