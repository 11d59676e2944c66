"""SQL for incidents, roles, members, updates and the event log.

Values are always bound (``?``); the only identifiers spliced into SQL come
from the fixed EDITABLE_COLUMNS allow-list below.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import datetime as dt
from dataclasses import replace

if TYPE_CHECKING:  # pandas loads only where a frame is built, so write commands start fast
    import pandas as pd

from ..catalog.models import cadence_sql
from ..clock import utcnow
from ..db.dialect import arg_max, per_dialect
from . import facts, hooks
from .models import ACTIVE_SQL, Audience, Event, Incident, Mode, Status, Update
from .visibility import participant_sql, visible_sql

INCIDENT_COLUMNS = (
    "i.id, i.reference, i.title, i.summary, i.severity, i.type, i.status, i.mode, i.private, "
    "i.declared_by, i.declared_at, i.started_at, i.resolved_at, i.closed_at, i.tags, i.source, "
    "i.external_id, i.merged_into"
)
# Point lookups must not join the whole table: the merge target's reference is
# fetched separately, and only for the rare merged incident.
SELECT_REFERENCE_BY_ID = "SELECT reference FROM incidents WHERE id = ?"
LIST_COLUMNS = INCIDENT_COLUMNS.replace(
    "i.merged_into", "(SELECT m.reference FROM incidents m WHERE m.id = i.merged_into) AS merged_into")
NEXT_INCIDENT_ID = "SELECT coalesce(max(id), 0) + 1 FROM incidents"
# Incident ids (and so references) come from the counter row (migration 0008 says why not a sequence):
# the row lock makes concurrent writers - threads or processes - take turns.
TAKE_INCIDENT_IDS = "UPDATE counters SET value = value + ? WHERE name = 'incidents' RETURNING value"
# After rows written in bulk with their own ids (demo load, restore): the counter moves past them.
SYNC_INCIDENT_COUNTER = """
UPDATE counters SET value = greatest(value, (SELECT coalesce(max(id), 0) FROM incidents)) WHERE name = 'incidents'"""
INSERT_NEXT_INCIDENT = """
INSERT INTO incidents (id, reference, title, summary, severity, type, status, mode, private,
    declared_by, declared_at, started_at, tags, updated_at)
VALUES (?, ? || ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
RETURNING id, reference"""
INSERT_INCIDENT = """
INSERT INTO incidents (id, reference, title, summary, severity, type, status, mode, private,
    declared_by, declared_at, started_at, resolved_at, closed_at, tags, source, external_id, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"""
SELECT_BY_REFERENCE = f"SELECT {INCIDENT_COLUMNS} FROM incidents i WHERE i.reference = ?"
SELECT_BY_ID = f"SELECT {INCIDENT_COLUMNS} FROM incidents i WHERE i.id = ?"
SELECT_CURRENT_ROLES = """
SELECT role, person FROM incident_roles WHERE incident_id = ? AND unassigned_at IS NULL ORDER BY assigned_at"""
SELECT_ROLE_HISTORY = """
SELECT role, person, assigned_at, assigned_by, unassigned_at FROM incident_roles
WHERE incident_id = ? ORDER BY assigned_at, id"""
INSERT_ROLE = """
INSERT INTO incident_roles (incident_id, role, person, assigned_at, assigned_by) VALUES (?, ?, ?, ?, ?)"""
END_ROLE = """
UPDATE incident_roles SET unassigned_at = ? WHERE incident_id = ? AND role = ? AND unassigned_at IS NULL"""
SELECT_MEMBERS = "SELECT person FROM incident_members WHERE incident_id = ? ORDER BY added_at"
INSERT_MEMBER = "INSERT INTO incident_members (incident_id, person, added_at, added_by) VALUES (?, ?, ?, ?)"
INSERT_EVENT = """
INSERT INTO events (incident_id, occurred_at, actor, kind, field, old_value, new_value, detail)
VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"""
SELECT_EVENTS = """
SELECT id, incident_id, occurred_at, actor, kind, field, old_value, new_value, detail
FROM events WHERE incident_id = ? ORDER BY occurred_at, id"""
INSERT_UPDATE = """
INSERT INTO updates (incident_id, posted_at, author, audience, status, message, impact, doing, next_update_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"""
SELECT_UPDATES = """
SELECT id, incident_id, posted_at, author, audience, status, message, impact, doing, next_update_at
FROM updates WHERE incident_id = ? ORDER BY posted_at, id"""
SET_STATUS = """
UPDATE incidents SET status = ?, resolved_at = ?, closed_at = ?, merged_into = ?, updated_at = ? WHERE id = ?"""

# Fields an edit may change, and the SQL that changes each one.
EDITABLE_COLUMNS = ("title", "summary", "type", "tags", "started_at", "private", "severity", "mode")
UPDATE_COLUMN = {
    col: f"UPDATE incidents SET {col} = ?, updated_at = ? WHERE id = ?" for col in EDITABLE_COLUMNS
}

# The list behind the Incidents page, the CLI `list` and kit.incidents().
# Visibility is the one rule of ``visibility.py`` (bound by ``visibility.scope_params``).
# The filters, the order and the limit read the incidents table alone ("picked"); the facts from updates and
# events (last update, promised next update, severity raises) are then read for the picked incidents only,
# through the indexes on incident_id, so a page of 50 reads 50 incidents' updates, not the whole history's.
_FILTERS = f"""
WHERE {visible_sql()}
  AND (NOT ? OR i.status IN {ACTIVE_SQL})
  AND (? IS NULL OR {participant_sql()})
  AND (? IS NULL OR i.type = ?)
  AND (? IS NULL OR i.severity = ?)
  AND (? IS NULL OR i.reference ILIKE ? OR i.title ILIKE ? OR i.summary ILIKE ?
       OR list_contains(i.tags, lower(?)))
  AND (? IS NULL OR i.declared_at >= ?)
  AND (? IS NULL OR i.declared_at < ?)
  AND (? IS NULL OR (i.status NOT IN {ACTIVE_SQL} AND i.resolved_at >= ?))
  AND (? IS NULL OR i.reference = ?)"""
_PICKED = f"""
SELECT i.* FROM incidents i{_FILTERS}
ORDER BY (i.status IN {ACTIVE_SQL}) DESC, i.declared_at DESC, i.id DESC
LIMIT ?"""
# Counting needs neither the order nor the text columns: only what the "next update due" rule reads.
_COUNTED = f"SELECT i.id, i.status, i.declared_at, i.severity FROM incidents i{_FILTERS}"


def _facts(which: str) -> str:
    """The per-incident facts, for the picked incidents ``which`` selects (SQL over the alias ``picked``)."""
    return f"""last_update AS (
    SELECT incident_id, max(posted_at) AS last_update_at,
           arg_max(next_update_at, posted_at) AS promised_next_update_at,
           count(*) AS update_count
    FROM updates WHERE incident_id IN ({which}) GROUP BY incident_id
), severity_changes AS MATERIALIZED (
    -- The picked incidents' severity changes first: joined to the severities before this cut, DuckDB read
    -- every change of the whole history (205 ms at 1M incidents, 7 ms now).
    SELECT e.incident_id, e.occurred_at, e.old_value, e.new_value FROM events e
    WHERE e.kind = 'severity_changed' AND e.incident_id IN ({which})
), last_raise AS (
    -- A severity raise tightens the promise: the next update is due by the earlier of the current
    -- deadline and raise time + the new severity's cadence (until an update sets a new promise).
    SELECT e.incident_id, max(e.occurred_at) AS raised_at
    FROM severity_changes e
    JOIN severities was ON was.name = e.old_value
    JOIN severities now_ ON now_.name = e.new_value
    WHERE now_.rank > was.rank
    GROUP BY e.incident_id
)"""


_NEXT_UPDATE_DUE = f"""CASE WHEN i.status NOT IN {ACTIVE_SQL} THEN NULL
            WHEN lr.raised_at > coalesce(lu.last_update_at, i.declared_at) THEN
                least(coalesce(lu.promised_next_update_at,
                               coalesce(lu.last_update_at, i.declared_at) + to_minutes({cadence_sql()})),
                      lr.raised_at + to_minutes({cadence_sql()}))
            ELSE coalesce(lu.promised_next_update_at,
                          coalesce(lu.last_update_at, i.declared_at) + to_minutes({cadence_sql()}))
       END"""
_FACT_JOINS = """
LEFT JOIN severities s ON s.name = i.severity
LEFT JOIN last_update lu ON lu.incident_id = i.id
LEFT JOIN last_raise lr ON lr.incident_id = i.id"""
LIST_INCIDENTS = f"""
WITH picked AS ({_PICKED}), {_facts("SELECT id FROM picked")}
SELECT {LIST_COLUMNS},
       s.rank AS severity_rank, {cadence_sql()} AS cadence_minutes,
       lead.person AS lead, comms.person AS comms_lead,
       coalesce(comms.person, lead.person, i.declared_by) AS accountable,
       lu.last_update_at, coalesce(lu.update_count, 0) AS update_count,
       {_NEXT_UPDATE_DUE} AS next_update_due
FROM picked i{_FACT_JOINS}
LEFT JOIN incident_roles lead ON lead.incident_id = i.id AND lead.role = 'lead' AND lead.unassigned_at IS NULL
LEFT JOIN incident_roles comms ON comms.incident_id = i.id AND comms.role = 'comms' AND comms.unassigned_at IS NULL
ORDER BY (i.status IN {ACTIVE_SQL}) DESC, i.declared_at DESC, i.id DESC"""

# The same picked incidents and the same "next update due" rule as the list, so counts never disagree with
# it. Only active incidents can be overdue, so only their facts are read: "still" is the active ones among the
# picked (a few hundred of a million), read by the store's status index on PostgreSQL; "picked" is read once, by
# the total alone. Binds the list's values twice (picked, still), then now.
# Why two sets, not one read more than once: PostgreSQL materialises a set read more than once (counting every
# incident then wrote ~1M rows first: 0.49 s at 1M), and inlined it misjudged the active ones as one row and
# read every update once per active incident (1.3 s).
COUNT_INCIDENTS = f"""
WITH picked AS ({_COUNTED}), still AS ({_COUNTED} AND i.status IN {ACTIVE_SQL}),
{_facts("SELECT id FROM still")}
SELECT (SELECT count(*) FROM picked) AS total,
       (SELECT count(*) FROM still) AS active,
       (SELECT count(*) FROM still i{_FACT_JOINS} WHERE {_NEXT_UPDATE_DUE} < ?) AS overdue"""
# Needs an update: active incidents past their next update, most late first (binds the list's values, now, limit).
OVERDUE_INCIDENTS = f"""
SELECT * FROM ({LIST_INCIDENTS}) listed WHERE listed.next_update_due < ?
ORDER BY listed.next_update_due, listed.id LIMIT ?"""
# PostgreSQL has no arg_max aggregate (see db.dialect).
_PROMISED = arg_max("next_update_at", "posted_at")
LIST_INCIDENTS_SQL = per_dialect(LIST_INCIDENTS, _PROMISED)
COUNT_INCIDENTS_SQL = per_dialect(COUNT_INCIDENTS, _PROMISED)
OVERDUE_INCIDENTS_SQL = per_dialect(OVERDUE_INCIDENTS, _PROMISED)


def _incident(tx, row: tuple, roles: dict[str, str]) -> Incident:
    (id_, ref, title, summary, severity, type_, status, mode, private, declared_by, declared_at,
     started_at, resolved_at, closed_at, tags, source, external_id, merged_into) = row
    if merged_into is not None:
        merged_into = tx.fetchone(SELECT_REFERENCE_BY_ID, [merged_into])[0]
    return Incident(
        id=id_, reference=ref, title=title, summary=summary or "", severity=severity, type=type_,
        status=Status(status), mode=Mode(mode), private=bool(private), declared_by=declared_by,
        declared_at=declared_at, started_at=started_at, resolved_at=resolved_at, closed_at=closed_at,
        tags=tuple(tags or ()), source=source, external_id=external_id, merged_into=merged_into,
        roles=roles,
    )


def get_by_reference(tx, reference: str, *, with_roles: bool = True) -> Incident | None:
    number, row = reference.rpartition("-")[2], None
    if number.isdigit() and len(number) <= 18:  # INC-N has id N: use the primary-key index (BIGINT: 18 digits fit)
        row = tx.fetchone(SELECT_BY_ID, [int(number)])
        if row is not None and row[1] != reference:
            row = None
    if row is None:
        row = tx.fetchone(SELECT_BY_REFERENCE, [reference])
    if row is None:
        return None
    return _incident(tx, row, current_roles(tx, row[0]) if with_roles else {})


def get_by_id(tx, incident_id: int) -> Incident | None:
    row = tx.fetchone(SELECT_BY_ID, [incident_id])
    return None if row is None else _incident(tx, row, current_roles(tx, row[0]))


def current_roles(tx, incident_id: int) -> dict[str, str]:
    return dict(tx.fetchall(SELECT_CURRENT_ROLES, [incident_id]))


def role_history(tx, incident_id: int) -> pd.DataFrame:
    return tx.df(SELECT_ROLE_HISTORY, [incident_id])


def members(tx, incident_id: int) -> list[str]:
    return [r[0] for r in tx.fetchall(SELECT_MEMBERS, [incident_id])]


def next_id(tx) -> int:
    return tx.fetchone(NEXT_INCIDENT_ID)[0]


def sync_incident_counter(tx) -> None:
    """Call after inserting incidents with ids of their own, so the next declaration cannot take one."""
    tx.execute(SYNC_INCIDENT_COUNTER)


def take_incident_ids(tx, n: int) -> int:
    """Reserve ``n`` consecutive incident ids for this transaction; returns the first."""
    return tx.fetchall(TAKE_INCIDENT_IDS, [n])[0][0] - n + 1  # fetchall: leave no open result


def insert_incident(tx, *, id: int, reference: str, title: str, summary: str, severity: str,
                    type: str | None, status: Status, mode: Mode, private: bool, declared_by: str,
                    declared_at: dt.datetime, started_at: dt.datetime, resolved_at=None, closed_at=None,
                    tags=(), source=None, external_id=None) -> None:
    tx.execute(INSERT_INCIDENT, [id, reference, title, summary, severity, type, status.value, mode.value,
                                 private, declared_by, declared_at, started_at, resolved_at, closed_at,
                                 list(tags), source, external_id, utcnow()])


def insert_next_incident(tx, *, prefix: str, title: str, summary: str, severity: str, type: str | None,
                         status: Status, mode: Mode, private: bool, declared_by: str, declared_at: dt.datetime,
                         started_at: dt.datetime, tags=()) -> tuple[int, str]:
    new_id = take_incident_ids(tx, 1)
    return tx.fetchone(INSERT_NEXT_INCIDENT, [new_id, prefix, new_id, title, summary, severity, type, status.value,
                                              mode.value, private, declared_by, declared_at, started_at,
                                              list(tags), utcnow()])


def set_status(tx, incident_id: int, status: Status, *, resolved_at, closed_at, merged_into=None) -> None:
    tx.execute(SET_STATUS, [status.value, resolved_at, closed_at, merged_into, utcnow(), incident_id])


def set_column(tx, incident_id: int, column: str, value) -> None:
    tx.execute(UPDATE_COLUMN[column], [value, utcnow(), incident_id])


def assign_role(tx, incident_id: int, role: str, person: str | None, *, by: str, now: dt.datetime,
                first: bool = False) -> None:
    if not first:  # a brand-new incident has no holder to end
        tx.execute(END_ROLE, [now, incident_id, role])
    if person:
        tx.execute(INSERT_ROLE, [incident_id, role, person, now, by])


def add_member(tx, incident_id: int, person: str, *, by: str, now: dt.datetime) -> None:
    tx.execute(INSERT_MEMBER, [incident_id, person, now, by])


def record_event(tx, incident_id: int, *, actor: str, kind: str, occurred_at: dt.datetime | None = None,
                 field: str | None = None, old=None, new=None, detail: str | None = None,
                 context: dict | None = None) -> int:
    """Append to the timeline; the one way any change is recorded.

    ``context`` hands subscribers objects the caller already holds (e.g. the
    incident and the update just written) so they need not read them again.
    """
    occurred_at = occurred_at or utcnow()
    old_s = None if old is None else str(old)
    new_s = None if new is None else str(new)
    event_id = tx.fetchone(INSERT_EVENT, [incident_id, occurred_at, actor, kind, field, old_s, new_s, detail])[0]
    hooks.emit(tx, kind, incident_id, {"event_id": event_id, "actor": actor, "field": field,
                                       "old": old_s, "new": new_s, "detail": detail,
                                       "occurred_at": occurred_at, **(context or {})})
    return event_id


def events(tx, incident_id: int) -> list[Event]:
    return [Event(*row) for row in tx.fetchall(SELECT_EVENTS, [incident_id])]


def insert_update(tx, update: Update) -> Update:
    """Insert and return the update with its new id."""
    new_id = tx.fetchone(INSERT_UPDATE, [update.incident_id, update.posted_at, update.author,
                                         update.audience.value, update.status.value if update.status else None,
                                         update.message, update.impact, update.doing, update.next_update_at])[0]
    facts.refresh(tx, [update.incident_id])  # same transaction: insights never see the update without its gap
    return replace(update, id=new_id)


def updates(tx, incident_id: int) -> list[Update]:
    out = []
    for (id_, inc, posted, author, audience, status, message, impact, doing, nxt) in tx.fetchall(
            SELECT_UPDATES, [incident_id]):
        out.append(Update(id_, inc, posted, author, Audience(audience), message,
                          Status(status) if status else None, impact or "", doing or "", nxt))
    return out


def list_params(*, see_all: bool, viewer: str | None, active_only: bool = False, mine: str | None = None,
                type: str | None = None, severity: str | None = None, search: str | None = None,
                since: dt.datetime | None = None, until: dt.datetime | None = None,
                resolved_since: dt.datetime | None = None, reference: str | None = None,
                limit: int | None = None) -> list:
    like = None if not search else f"%{search}%"
    return [see_all, viewer, viewer, viewer,
            active_only,
            mine, mine, mine, mine,
            type, type,
            severity, severity,
            like, like, like, like, search,
            since, since, until, until,
            resolved_since, resolved_since,
            reference, reference,
            limit if limit is not None else 2**62]


def list_incidents(tx, **filters) -> pd.DataFrame:
    """The list rows for these filters (``list_params``), active first then newest, at most ``limit``."""
    return tx.df(LIST_INCIDENTS_SQL[tx.dialect], list_params(**filters))


def count_incidents(tx, *, now: dt.datetime, **filters) -> dict[str, int]:
    """Total, active and overdue-for-an-update counts for the same filters as ``list_incidents``."""
    counted = list_params(**filters)[:-1]  # all but the limit: a count reads every matching incident
    total, active, overdue = tx.fetchone(COUNT_INCIDENTS_SQL[tx.dialect], [*counted, *counted, now])
    return {"total": int(total), "active": int(active), "overdue": int(overdue)}


def overdue_incidents(tx, *, now: dt.datetime, limit: int | None, **filters) -> pd.DataFrame:
    """Active incidents (with these filters) whose next update was due before ``now``, most late first."""
    return tx.df(OVERDUE_INCIDENTS_SQL[tx.dialect],
                 [*list_params(**{**filters, "active_only": True}), now, limit if limit is not None else 2**62])


def summary_by_reference(tx, reference: str, *, see_all: bool, viewer: str | None) -> pd.DataFrame:
    """The list row (lead, accountable, next update due...) of one incident, if the viewer may see it."""
    return tx.df(LIST_INCIDENTS_SQL[tx.dialect], list_params(see_all=see_all, viewer=viewer, reference=reference))
