"""SQL for the catalog tables."""

from __future__ import annotations

import json

from .models import IncidentType, Role, Severity

SELECT_SEVERITIES = """
SELECT name, rank, description, cadence_minutes FROM severities
WHERE active OR ? ORDER BY rank"""
SELECT_TYPES = """
SELECT name, label, description, engineering FROM incident_types
WHERE active OR ? ORDER BY position, name"""
SELECT_ROLES = """
SELECT name, label, description FROM roles WHERE active OR ? ORDER BY position, name"""
DEACTIVATE_SEVERITIES = "UPDATE severities SET active = FALSE, rank = rank + 1000"
UPSERT_SEVERITY = """
INSERT INTO severities (name, rank, description, cadence_minutes, active) VALUES (?, ?, ?, ?, TRUE)
ON CONFLICT (name) DO UPDATE SET rank = excluded.rank, description = excluded.description,
    cadence_minutes = excluded.cadence_minutes, active = TRUE"""
UPSERT_TYPE = """
INSERT INTO incident_types (name, label, description, engineering, position, active) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (name) DO UPDATE SET label = excluded.label, description = excluded.description,
    engineering = excluded.engineering, position = excluded.position, active = excluded.active"""
UPSERT_ROLE = """
INSERT INTO roles (name, label, description, builtin, position, active) VALUES (?, ?, ?, FALSE, ?, ?)
ON CONFLICT (name) DO UPDATE SET label = excluded.label, description = excluded.description,
    position = excluded.position, active = excluded.active"""
SELECT_SETTING = "SELECT value FROM settings WHERE name = ?"
UPSERT_SETTING = """
INSERT INTO settings (name, value) VALUES (?, ?)
ON CONFLICT (name) DO UPDATE SET value = excluded.value"""
MAX_TYPE_POSITION = "SELECT coalesce(max(position), -1) FROM incident_types"
MAX_ROLE_POSITION = "SELECT coalesce(max(position), -1) FROM roles"


# The catalog is read on every declaration but changes rarely: it is memoised per
# database and the catalog service bumps the memo after each change.
def severities(tx, *, include_inactive: bool = False) -> list[Severity]:
    return tx.memo.get(("severities", include_inactive), lambda: [
        Severity(n, r, d, c) for n, r, d, c in tx.fetchall(SELECT_SEVERITIES, [include_inactive])])


def types(tx, *, include_inactive: bool = False) -> list[IncidentType]:
    return tx.memo.get(("types", include_inactive), lambda: [
        IncidentType(n, lab, d, e) for n, lab, d, e in tx.fetchall(SELECT_TYPES, [include_inactive])])


def roles(tx, *, include_inactive: bool = False) -> list[Role]:
    return tx.memo.get(("roles", include_inactive), lambda: [
        Role(n, lab, d) for n, lab, d in tx.fetchall(SELECT_ROLES, [include_inactive])])


def admin_names(tx) -> list[str]:
    """The admins' names in the order they were given. An old value stored as one string is one name
    (never a set of letters); anything else that is not a list of names names nobody."""
    def read() -> list[str]:
        value = get_setting(tx, "admins", [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            return []
        return list(dict.fromkeys(name.strip() for name in value if isinstance(name, str) and name.strip()))
    return tx.memo.get("admin_names", read)


def admins(tx) -> frozenset[str]:
    return tx.memo.get("admins", lambda: frozenset(admin_names(tx)))


def trust_typed_names(tx) -> bool:
    return tx.memo.get("trust_typed_names", lambda: get_setting(tx, "trust_typed_names", False) is True)


def replace_severities(tx, items: list[Severity]) -> None:
    """Names no longer listed become inactive (incidents keep referring to them)."""
    tx.execute(DEACTIVATE_SEVERITIES)
    tx.executemany(UPSERT_SEVERITY, [(s.name, i + 1, s.description, s.cadence_minutes)
                                     for i, s in enumerate(items)])


def upsert_type(tx, item: IncidentType, *, active: bool = True, position: int | None = None) -> None:
    if position is None:
        position = tx.fetchone(MAX_TYPE_POSITION)[0] + 1
    tx.execute(UPSERT_TYPE, [item.name, item.label, item.description, item.engineering, position, active])


def upsert_role(tx, item: Role, *, active: bool = True) -> None:
    position = tx.fetchone(MAX_ROLE_POSITION)[0] + 1
    tx.execute(UPSERT_ROLE, [item.name, item.label, item.description, position, active])


def get_setting(tx, name: str, default=None):
    row = tx.fetchone(SELECT_SETTING, [name])
    return default if row is None else json.loads(row[0])


def set_setting(tx, name: str, value) -> None:
    tx.execute(UPSERT_SETTING, [name, json.dumps(value)])
