"""SQL for the components catalog and the incidents that affect components.

The state rule's SQL half is ``STATE_RANK`` (its Python half, ``models.state_of``, names the rank):
a link counts toward its component's state only while its incident is active, not private and not a
test; its rank is ``models.rank`` of the impact (maintenance is added in Python by the service). ``SELECT_STATES`` takes the worst
per component in one grouped pass.
"""

from __future__ import annotations

from ..incident.models import ACTIVE_SQL, Mode
from ..incident.visibility import public_sql, visible_sql
from .models import IMPACT_ORDER, Component, rank

_RANKS = " ".join(f"WHEN '{impact.value}' THEN {rank(impact.value)}" for impact in IMPACT_ORDER)
# Counts toward the state: active, not a test, visible to nobody in particular (not private).
STATE_RANK = (f"CASE WHEN i.status IN {ACTIVE_SQL} AND i.mode <> '{Mode.TEST.value}' AND {public_sql(incident='i')}"
              f" THEN CASE ic.impact {_RANKS} ELSE 0 END ELSE 0 END")

_COLUMNS = "c.id, c.name, c.slug, c.group_name, c.description, c.internal, c.archived_at IS NOT NULL"
_ORDER = "ORDER BY c.group_name NULLS FIRST, c.name_key, c.id"
INSERT_COMPONENT = """
INSERT INTO components (name, name_key, slug, group_name, description, internal, created_at, created_by)
VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id"""
SELECT_COMPONENTS = f"""
SELECT {_COLUMNS} FROM components c
WHERE (c.archived_at IS NULL OR ?) AND (NOT c.internal OR ?)
{_ORDER}"""
SELECT_COMPONENT = f"SELECT {_COLUMNS} FROM components c WHERE c.name_key = ? OR c.slug = ? ORDER BY c.name_key = ? DESC"
SLUGS_LIKE = "SELECT slug FROM components WHERE slug = ? OR slug LIKE ?"
ARCHIVE = "UPDATE components SET archived_at = ?, archived_by = ? WHERE id = ? AND archived_at IS NULL"
RESTORE = "UPDATE components SET archived_at = NULL, archived_by = NULL WHERE id = ?"
SELECT_IMPACT = "SELECT impact FROM incident_components WHERE incident_id = ? AND component_id = ?"
UPSERT_IMPACT = """
INSERT INTO incident_components (incident_id, component_id, impact, changed_at) VALUES (?, ?, ?, ?)
ON CONFLICT (incident_id, component_id) DO UPDATE SET impact = excluded.impact, changed_at = excluded.changed_at"""
SELECT_AFFECTED = f"""
SELECT {_COLUMNS}, ic.impact FROM incident_components ic JOIN components c ON c.id = ic.component_id
WHERE ic.incident_id = ? AND ic.impact IS NOT NULL
{_ORDER}"""
SELECT_STATES = f"""
SELECT {_COLUMNS}, coalesce(max({STATE_RANK}), 0) AS state_rank
FROM components c
LEFT JOIN incident_components ic ON ic.component_id = c.id AND ic.impact IS NOT NULL
LEFT JOIN incidents i ON i.id = ic.incident_id
WHERE c.archived_at IS NULL AND (NOT c.internal OR ?)
GROUP BY c.id, c.name, c.slug, c.group_name, c.description, c.internal, c.archived_at, c.name_key
{_ORDER}"""
# The active incidents affecting each component that a viewer may see (binds visible_sql's four values).
SELECT_AFFECTING = f"""
SELECT ic.component_id, i.reference FROM incident_components ic JOIN incidents i ON i.id = ic.incident_id
WHERE ic.impact IS NOT NULL AND i.status IN {ACTIVE_SQL} AND {visible_sql(incident='i')}
ORDER BY i.id"""
# The same for the public: only incidents that are not private and not tests.
SELECT_AFFECTING_PUBLIC = f"""
SELECT ic.component_id, i.reference FROM incident_components ic JOIN incidents i ON i.id = ic.incident_id
WHERE ic.impact IS NOT NULL AND i.status IN {ACTIVE_SQL} AND i.mode <> '{Mode.TEST.value}'
  AND {public_sql(incident='i')}
ORDER BY i.id"""
# The public incidents' impacts on components since a moment, for the status page's history: each link
# lasts from its incident's start to its resolution (still going when active; an ended incident that was
# never resolved ends where it started). Not private, not tests, impacts still set.
SELECT_PUBLIC_SPANS = f"""
SELECT ic.component_id, ic.impact, i.started_at,
       CASE WHEN i.status IN {ACTIVE_SQL} THEN NULL ELSE coalesce(i.resolved_at, i.started_at) END AS ended_at,
       i.reference
FROM incident_components ic JOIN incidents i ON i.id = ic.incident_id
WHERE ic.impact IS NOT NULL AND i.mode <> '{Mode.TEST.value}' AND {public_sql(incident='i')}
  AND (i.status IN {ACTIVE_SQL} OR coalesce(i.resolved_at, i.started_at) >= ?)
ORDER BY ic.component_id, i.started_at"""


def _component(row) -> Component:
    return Component(id=row[0], name=row[1], slug=row[2], group=row[3], description=row[4], internal=bool(row[5]),
                     archived=bool(row[6]))


def insert(tx, *, name: str, slug: str, group: str | None, description: str, internal: bool, now,
           by: str) -> int | None:
    """The new id; None when a concurrent add took the name or the slug first (the unique keys decide)."""
    row = tx.fetchone(INSERT_COMPONENT, [name, name.casefold(), slug, group, description, internal, now, by])
    return None if row is None else row[0]


def components(tx, *, include_archived: bool = False, include_internal: bool = True) -> list[Component]:
    return [_component(r) for r in tx.fetchall(SELECT_COMPONENTS, [include_archived, include_internal])]


def find(tx, name_or_slug: str) -> Component | None:
    key = name_or_slug.casefold()
    row = tx.fetchone(SELECT_COMPONENT, [key, key, key])
    return None if row is None else _component(row)


def slugs_like(tx, base: str) -> set[str]:
    return {r[0] for r in tx.fetchall(SLUGS_LIKE, [base, base + "-%"])}


def archive(tx, component_id: int, *, now, by: str) -> None:
    tx.execute(ARCHIVE, [now, by, component_id])


def restore(tx, component_id: int) -> None:
    tx.execute(RESTORE, [component_id])


def impact(tx, incident_id: int, component_id: int) -> str | None:
    row = tx.fetchone(SELECT_IMPACT, [incident_id, component_id])
    return None if row is None else row[0]


def set_impact(tx, incident_id: int, component_id: int, impact: str | None, *, now) -> None:
    tx.execute(UPSERT_IMPACT, [incident_id, component_id, impact, now])


def affected(tx, incident_id: int) -> list[tuple[Component, str]]:
    return [(_component(r), r[7]) for r in tx.fetchall(SELECT_AFFECTED, [incident_id])]


def states(tx, *, include_internal: bool) -> list[tuple[Component, int]]:
    return [(_component(r), int(r[7])) for r in tx.fetchall(SELECT_STATES, [include_internal])]


def affecting(tx, scope_params: list | None) -> dict[int, list[str]]:
    """Component id -> references; ``scope_params`` None means the public variant."""
    rows = (tx.fetchall(SELECT_AFFECTING_PUBLIC) if scope_params is None
            else tx.fetchall(SELECT_AFFECTING, scope_params))
    out: dict[int, list[str]] = {}
    for component_id, reference in rows:
        out.setdefault(component_id, []).append(reference)
    return out


def public_spans(tx, since) -> list[tuple]:
    """(component id, impact, started_at, ended_at or None, reference) of public incidents that touch ``since``..now."""
    return tx.fetchall(SELECT_PUBLIC_SPANS, [since])
