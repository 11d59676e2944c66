"""SQL for maintenance windows, the components they cover and their events.

``ACTIVE_AT`` is the SQL twin of ``models.status_at`` for one question, "in progress at this time?":
not ended by anyone, started, not yet over. The components domain asks it through ``windows``.
"""

from __future__ import annotations

from .models import Event, Maintenance

ACTIVE_AT = "(m.ended_as IS NULL AND m.starts_at <= ? AND ? < m.ends_at)"  # binds now twice

INSERT = """
INSERT INTO maintenances (title, message, starts_at, ends_at, created_at, created_by)
VALUES (?, ?, ?, ?, ?, ?) RETURNING id"""
INSERT_COMPONENT = "INSERT INTO maintenance_components (maintenance_id, component_id) VALUES (?, ?)"
INSERT_EVENT = """
INSERT INTO maintenance_events (maintenance_id, kind, actor, occurred_at, detail) VALUES (?, ?, ?, ?, ?)"""
_COLUMNS = ("m.id, m.title, m.message, m.starts_at, m.ends_at, m.ended_as, m.ended_at, m.ended_by, "
            "m.created_at, m.created_by")
SELECT_ALL = f"SELECT {_COLUMNS} FROM maintenances m ORDER BY m.starts_at DESC, m.id DESC"
SELECT_ONE = f"SELECT {_COLUMNS} FROM maintenances m WHERE m.id = ?"
SELECT_COMPONENT_NAMES = """
SELECT mc.maintenance_id, c.name FROM maintenance_components mc JOIN components c ON c.id = mc.component_id
WHERE NOT c.internal OR ?
ORDER BY mc.maintenance_id, c.name_key"""
END = "UPDATE maintenances SET ended_as = ?, ended_at = ?, ended_by = ? WHERE id = ? AND ended_as IS NULL"
SELECT_EVENTS = """
SELECT maintenance_id, kind, actor, occurred_at, detail FROM maintenance_events
WHERE maintenance_id = ? ORDER BY occurred_at, kind"""
HAS_EVENT = "SELECT 1 FROM maintenance_events WHERE maintenance_id = ? AND kind = ? AND detail = ?"
SELECT_EVENT_KINDS = "SELECT maintenance_id, kind FROM maintenance_events WHERE kind IN ('started', 'completed')"
SELECT_ACTIVE_COMPONENTS = f"""
SELECT DISTINCT mc.component_id, m.id FROM maintenance_components mc JOIN maintenances m ON m.id = mc.maintenance_id
WHERE {ACTIVE_AT} ORDER BY m.id"""


def insert(tx, *, title: str, message: str, start, end, now, by: str, component_ids) -> int:
    row = tx.fetchone(INSERT, [title, message, start, end, now, by])
    assert row is not None
    for component_id in component_ids:
        tx.execute(INSERT_COMPONENT, [row[0], component_id])
    return int(row[0])


def record_event(tx, maintenance_id: int, *, kind: str, actor: str, now, detail: str = "") -> None:
    tx.execute(INSERT_EVENT, [maintenance_id, kind, actor, now, detail])


def _names(tx, include_internal: bool = True) -> dict[int, tuple[str, ...]]:
    out: dict[int, list[str]] = {}
    for maintenance_id, name in tx.fetchall(SELECT_COMPONENT_NAMES, [include_internal]):
        out.setdefault(int(maintenance_id), []).append(name)
    return {k: tuple(v) for k, v in out.items()}


def _maintenance(row, names) -> Maintenance:
    return Maintenance(id=int(row[0]), title=row[1], message=row[2], start=row[3], end=row[4],
                       components=names.get(int(row[0]), ()), ended_as=row[5], ended_at=row[6], ended_by=row[7],
                       created_at=row[8], created_by=row[9])


def all_(tx, *, include_internal: bool = True) -> list[Maintenance]:
    """Every window; ``include_internal=False`` names only its public components."""
    names = _names(tx, include_internal)
    return [_maintenance(r, names) for r in tx.fetchall(SELECT_ALL)]


def one(tx, maintenance_id: int) -> Maintenance | None:
    row = tx.fetchone(SELECT_ONE, [maintenance_id])
    return None if row is None else _maintenance(row, _names(tx))


def end(tx, maintenance_id: int, *, ended_as: str, now, by: str) -> None:
    tx.execute(END, [ended_as, now, by, maintenance_id])


def has_event(tx, maintenance_id: int, kind: str, detail: str) -> bool:
    return tx.fetchone(HAS_EVENT, [maintenance_id, kind, detail]) is not None


def events(tx, maintenance_id: int) -> list[Event]:
    return [Event(int(r[0]), r[1], r[2], r[3], r[4]) for r in tx.fetchall(SELECT_EVENTS, [maintenance_id])]


def clock_events(tx) -> set[tuple[int, str]]:
    return {(int(r[0]), r[1]) for r in tx.fetchall(SELECT_EVENT_KINDS)}


def active_components(tx, now) -> dict[int, list[int]]:
    """Component id -> ids of the windows in progress at ``now`` that cover it."""
    out: dict[int, list[int]] = {}
    for component_id, maintenance_id in tx.fetchall(SELECT_ACTIVE_COMPONENTS, [now, now]):
        out.setdefault(int(component_id), []).append(int(maintenance_id))
    return out
