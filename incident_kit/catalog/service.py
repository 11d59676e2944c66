"""Rules for changing the catalog (the Settings page and the CLI call these)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from .. import bounds
from ..clock import quoted
from ..config import COMMS_ROLE, LEAD_ROLE, SETTINGS
from ..errors import IncidentKitError
from ..identity import NAME_MAX, clean_person
from ..safe_output import http_url
from .models import IncidentType, Role, Severity
from . import access, store

if TYPE_CHECKING:
    from ..db.base import Tx

_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    return _SLUG.sub("_", text.strip().lower()).strip("_")


def _as_admin(by, action: str, change: Callable[[Tx], None]) -> Callable[[Tx], None]:
    """A unit of work that checks ``by`` may administer (``action`` names it), then makes ``change``."""

    def work(tx: Tx) -> None:
        access.require_admin(tx, by, action)
        change(tx)

    return work


def _change(db, work: Callable[[Tx], None]) -> None:
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


def set_severities(db, items: list[dict], *, by=None) -> list[Severity]:
    """Replace the ordered list (lowest first). Removed names stay valid on old incidents."""
    if not items:
        raise IncidentKitError("Keep at least one severity; the lowest one is the default for new incidents.")
    clean: list[Severity] = []
    for i, item in enumerate(items):
        name = str(item.get("name") or "").strip()
        if not name:
            raise IncidentKitError(f"Severity {i + 1} needs a name.")
        try:
            cadence = int(item["cadence_minutes"])
        except (KeyError, TypeError, ValueError):
            raise IncidentKitError(f"Severity '{name}' needs an update cadence in whole minutes.") from None
        if cadence <= 0:
            raise IncidentKitError(f"Severity '{name}' needs a cadence of at least 1 minute, not {cadence}.")
        clean.append(Severity(name, i + 1, str(item.get("description") or "").strip(), cadence))
    names = [s.name.lower() for s in clean]
    if len(set(names)) != len(names):
        raise IncidentKitError("Severity names must be unique.")
    _change(db, _as_admin(by, "change severities", lambda tx: store.replace_severities(tx, clean)))
    return severities(db)


def add_type(db, label: str, *, description: str = "", engineering: bool = False, by=None) -> IncidentType:
    label = bounds.text(label, what="The type's name", limit=NAME_MAX)
    description = bounds.text(description, what="The description", limit=bounds.NOTE_MAX)
    if not label:
        raise IncidentKitError("An incident type needs a name.")
    item = IncidentType(slug(label), label, description.strip(), bool(engineering))
    _change(db, _as_admin(by, "add incident types", lambda tx: store.upsert_type(tx, item)))
    return item


def add_role(db, label: str, *, description: str = "", by=None) -> Role:
    label = bounds.text(label, what="The role's name", limit=NAME_MAX)
    description = bounds.text(description, what="The description", limit=bounds.NOTE_MAX)
    if not label:
        raise IncidentKitError("A role needs a name.")
    item = Role(slug(label), label, description.strip())
    if item.name in (LEAD_ROLE, COMMS_ROLE):
        raise IncidentKitError(f"'{label}' is a built-in role already.")
    _change(db, _as_admin(by, "add roles", lambda tx: store.upsert_role(tx, item)))
    return item


def get_setting(db, name: str):
    if name == "admins":  # always a list of names, however an older version stored it
        return db.read(lambda tx: list(store.admin_names(tx)))  # a copy: the cached list stays intact
    default = {s.name: s.default for s in SETTINGS}.get(name)
    return db.read(lambda tx: store.get_setting(tx, name, default))


def _admins_value(value) -> list[str]:
    if not isinstance(value, (list, tuple)):
        raise IncidentKitError("Admins must be a list of names (one per line), not a single piece of text: "
                               "e.g. [\"ana@example.com\", \"Bao Tran\"].")
    names: list[str] = []
    for item in value:
        if not isinstance(item, str):
            raise IncidentKitError(f"Admin '{_shown(item)}' is not a name; give names or emails as text.")
        name = clean_person(item, "An admin's name")
        if name not in names:
            names.append(name)
    return names


# An alert severity map names a few labels (critical, warning, info, page...); a hundred is no real map.
SEVERITY_MAP_MAX = 100


def _severity_map_value(value) -> dict[str, str]:
    """Alert severity label -> one of our severity names; labels stored trimmed and lower case."""
    if not isinstance(value, dict):
        raise IncidentKitError("Alert severities must be pairs of an alert's severity label and one of our "
                               "severities, e.g. {\"page\": \"Critical\"}.")
    if len(value) > SEVERITY_MAP_MAX:
        raise IncidentKitError(f"Alert severities name {len(value):,} labels; the limit is {SEVERITY_MAP_MAX}.")
    out = {}
    for label, severity in value.items():
        if not isinstance(label, str) or not isinstance(severity, str):
            raise IncidentKitError(f"Alert severity '{_shown(label)}' must map text to the name of a severity.")
        label = bounds.text(label, what="An alert severity label", limit=NAME_MAX).lower()
        severity = bounds.text(severity, what="A severity name", limit=NAME_MAX)
        if not label or not severity:
            raise IncidentKitError("Alert severities need a label and a severity in every pair.")
        out[label] = severity
    return out


# How each setting's value is checked before it is stored (settings declared in config.SETTINGS).
def open_max_days_value(value) -> float:
    """``imported_open_max_days``: a number of days above 0 and at most a century (a stored value that is not
    one is one sentence wherever it is read, as well as when it is saved)."""
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value > 0
    if not ok or value > 36525:  # "now" minus some 350 years leaves pandas' range (1677); a century is plenty
        raise IncidentKitError(f"The setting for when an imported open incident counts as ended is "
                               f"'{quoted(value)}'; it must be a number of days between 0 and 36,525, e.g. 7.")
    return float(value)


def public_url_value(value) -> str:
    """The app's public address (http or https, with a host), without a trailing slash; empty unsets it."""
    text = str(value or "").strip()
    return http_url(text, what="The public address").rstrip("/") if text else ""


_VALIDATORS = {
    "public_url": public_url_value,
    "admins": _admins_value,
    "public_name": lambda v: bounds.text(v, what="The organisation name", limit=NAME_MAX),
    "trust_typed_names": lambda v: bounds.flag(v, what="Trust typed names"),
    "alert_severities": _severity_map_value,
    "resolve_with_alerts": lambda v: bounds.flag(v, what="Resolve with alerts"),
    "declare_during_maintenance": lambda v: bounds.flag(v, what="Declare during maintenance"),
    "imported_open_max_days": open_max_days_value,
}


def save_settings(db, values: dict, *, by=None) -> dict:
    """Validate and store several settings in ONE transaction; a checked ``by`` must be able to administer."""
    if not isinstance(values, dict) or not values:
        raise IncidentKitError("Give the settings to save as names and values, e.g. {\"public_name\": \"Acme\"}.")
    known = [s.name for s in SETTINGS]
    clean = {}
    for name, value in values.items():
        if name not in known:
            raise IncidentKitError(f"Unknown setting '{_shown(name)}'; known: {', '.join(known)}.")
        clean[name] = _VALIDATORS.get(name, lambda v: v)(value)

    def work(tx) -> None:
        access.require_admin(tx, by, "change settings")
        for name, value in clean.items():
            store.set_setting(tx, name, value)

    _change(db, work)
    return clean


def set_setting(db, name: str, value, *, by=None) -> None:
    save_settings(db, {name: value}, by=by)


def can_administer(db, person) -> bool:
    """May ``person`` change settings, import and load the demo? (The one admin rule: ``access``.)"""
    return db.read(lambda tx: access.can_administer(tx, person))


def admin_refusal(db, person, doing: str) -> str | None:
    """Why ``person`` may not do ``doing``, as the refusal would say it; None when they may."""
    return db.read(lambda tx: access.refusal(tx, person, doing))


# -- lookups other domains use inside their own transaction ------------------------------
def setting(tx, name: str):
    """A setting's value inside the caller's transaction: as saved, else its default in ``config.SETTINGS``."""
    default = {s.name: s.default for s in SETTINGS}[name]
    return store.get_setting(tx, name, default)


def match_severity(tx, name: str | None) -> str | None:
    """The catalog's spelling of severity ``name`` (any case), or None when no active severity has that name."""
    wanted = str(name or "").strip().lower()
    for level in store.severities(tx):
        if wanted and level.name.lower() == wanted:
            return level.name
    return None


def resolve_severity(tx, name: str | None) -> str:
    """The catalog's spelling of severity ``name`` (any case); empty means the lowest level."""
    levels = store.severities(tx)
    if name is None or str(name).strip() == "":
        return levels[0].name  # the lowest: routine, declare freely
    found = match_severity(tx, name)
    if found is None:
        raise IncidentKitError(f"Severity '{_shown(name)}' is not one of: {', '.join(s.name for s in levels)}.")
    return found


def resolve_type(tx, name: str | None) -> str | None:
    """The type's name for ``name`` given as name or label (any case); empty means no type."""
    if name is None or str(name).strip() == "":
        return None
    wanted = str(name).strip().lower()
    known = store.types(tx)
    for item in known:
        if wanted in (item.name, item.label.lower()):
            return item.name
    raise IncidentKitError(f"Type '{_shown(name)}' is not one of: {', '.join(t.name for t in known)}.")


def resolve_role(tx, name: str | None) -> Role:
    """The role named ``name`` (by name or label, any case)."""
    known = {r.name: r for r in store.roles(tx)}
    wanted = str(name or "").strip().lower()
    by_label = {r.label.lower(): r.name for r in known.values()}
    found = wanted if wanted in known else by_label.get(wanted)
    if found is None:
        raise IncidentKitError(f"Role '{_shown(name)}' is not one of: {', '.join(known)}.")
    return known[found]


def _shown(value, limit: int = 60) -> str:
    """A value echoed in a message, cut short so a hostile megabyte never fills the screen."""
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"
