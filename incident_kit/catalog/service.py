"""Rules for changing the catalog (the Settings page and the CLI call these)."""

from __future__ import annotations

import re

from ..config import COMMS_ROLE, LEAD_ROLE, SETTINGS
from ..errors import IncidentKitError
from ..incident.models import IncidentType, Role, Severity
from . import store

_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    return _SLUG.sub("_", text.strip().lower()).strip("_")


def _change(db, work) -> None:
    """Write a catalog change, then invalidate the memoised catalog."""
    try:
        db.write(work)
    finally:
        db.memo.bump()


def severities(db, *, include_inactive: bool = False) -> list[Severity]:
    return db.read(lambda tx: store.severities(tx, include_inactive=include_inactive))


def types(db, *, include_inactive: bool = False) -> list[IncidentType]:
    return db.read(lambda tx: store.types(tx, include_inactive=include_inactive))


def roles(db, *, include_inactive: bool = False) -> list[Role]:
    return db.read(lambda tx: store.roles(tx, include_inactive=include_inactive))


def set_severities(db, items: list[dict]) -> list[Severity]:
    """Replace the ordered list (lowest first). Removed names stay valid on old incidents."""
    if not items:
        raise IncidentKitError("Keep at least one severity; the lowest one is the default for new incidents.")
    clean: list[Severity] = []
    for i, item in enumerate(items):
        name = str(item.get("name") or "").strip()
        if not name:
            raise IncidentKitError(f"Severity {i + 1} needs a name.")
        try:
            cadence = int(item.get("cadence_minutes"))
        except (TypeError, ValueError):
            raise IncidentKitError(f"Severity '{name}' needs an update cadence in whole minutes.") from None
        if cadence <= 0:
            raise IncidentKitError(f"Severity '{name}' needs a cadence of at least 1 minute, not {cadence}.")
        clean.append(Severity(name, i + 1, str(item.get("description") or "").strip(), cadence))
    names = [s.name.lower() for s in clean]
    if len(set(names)) != len(names):
        raise IncidentKitError("Severity names must be unique.")
    _change(db, lambda tx: store.replace_severities(tx, clean))
    return severities(db)


def add_type(db, label: str, *, description: str = "", engineering: bool = False) -> IncidentType:
    label = (label or "").strip()
    if not label:
        raise IncidentKitError("An incident type needs a name.")
    item = IncidentType(slug(label), label, description.strip(), bool(engineering))
    _change(db, lambda tx: store.upsert_type(tx, item))
    return item


def add_role(db, label: str, *, description: str = "") -> Role:
    label = (label or "").strip()
    if not label:
        raise IncidentKitError("A role needs a name.")
    item = Role(slug(label), label, description.strip())
    if item.name in (LEAD_ROLE, COMMS_ROLE):
        raise IncidentKitError(f"'{label}' is a built-in role already.")
    _change(db, lambda tx: store.upsert_role(tx, item))
    return item


def get_setting(db, name: str):
    default = {s.name: s.default for s in SETTINGS}.get(name)
    return db.read(lambda tx: store.get_setting(tx, name, default))


def set_setting(db, name: str, value) -> None:
    if name not in {s.name for s in SETTINGS}:
        raise IncidentKitError(f"Unknown setting '{name}'; known: {', '.join(s.name for s in SETTINGS)}.")
    _change(db, lambda tx: store.set_setting(tx, name, value))
