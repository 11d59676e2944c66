"""Finding one incident by reference, for reading or for a change, with the visibility rule applied.

These are the public seams other domains use inside their own transactions
(``load``, ``load_visible``, ``load_for_change``); each raises ``NotFound`` with the
same words for a missing incident and one the caller may not see.
"""

from __future__ import annotations

from dataclasses import replace

from ..errors import NotFound
from ..identity import is_checked
from . import store
from .models import Event, Incident
from .visibility import can_see, other_reference  # can_see is re-exported: the one Python predicate

REFERENCE_PREFIX = "INC-"
# References are "INC-" and an id; anything longer than this cannot name an incident (and a
# 5,000-digit number must not reach the database as an integer).
REFERENCE_MAX = 40
NOT_FOUND = "There is no incident {reference}; check the reference (e.g. INC-12)."


def not_found(reference) -> NotFound:
    """The one refusal for a missing incident and for one the caller may not see (word for word)."""
    text = str(reference or "").strip()
    shown = text if len(text) <= REFERENCE_MAX else text[:REFERENCE_MAX] + "…"
    return NotFound(NOT_FOUND.format(reference=shown))


def normalise_reference(reference) -> str | None:
    """'12', 'inc-12' and ' INC-12 ' all mean INC-12; None when it cannot be a reference."""
    ref = str(reference or "").strip().upper()
    if not ref or len(ref) > REFERENCE_MAX:
        return None
    if ref.isdigit():
        ref = f"{REFERENCE_PREFIX}{ref}"
    return ref


def load(tx, reference, *, with_roles: bool = True) -> Incident:
    """The incident, for a trusted caller; ``NotFound`` if there is none."""
    ref = normalise_reference(reference)
    incident = None if ref is None else store.get_by_reference(tx, ref, with_roles=with_roles)
    if incident is None:
        raise not_found(reference)
    return incident


def load_visible(tx, reference, viewer, *, with_roles: bool = True) -> Incident:
    """The incident if ``viewer`` may see it; a private one is refused exactly like a missing one."""
    incident = load(tx, reference, with_roles=with_roles)
    if not can_see(tx, incident, viewer):
        raise not_found(reference)
    return incident


def load_for_change(tx, reference, by, *, with_roles: bool = True) -> Incident:
    """The incident an actor changes: a checked ``Person`` must be able to see it; a plain ``str`` is trusted."""
    if is_checked(by):
        return load_visible(tx, reference, by, with_roles=with_roles)
    return load(tx, reference, with_roles=with_roles)


def visible_events(tx, incident: Incident, viewer) -> list[Event]:
    """The incident's timeline events as ``viewer`` may read them.

    An event naming another incident (a related link) shows only to a viewer who may see that one
    too, and without any stored ``detail`` (earlier versions stored the other's title there): a
    title is looked up where it is shown, for those who may see it.
    """
    out, seen = [], {}
    for event in store.events(tx, incident.id):
        other = other_reference(event)
        if other is not None:
            if other not in seen:
                found = None if viewer is None else store.get_by_reference(tx, other, with_roles=False)
                seen[other] = found is None or can_see(tx, found, viewer)
            if not seen[other]:
                continue
            event = replace(event, detail=None)
        out.append(event)
    return out
