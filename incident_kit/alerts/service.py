"""Alert intake: an alert group's deliveries become one incident and its timeline entries.

``receive_alertmanager`` (Alertmanager's webhook, and Grafana's) and ``receive_event`` (the generic event)
each take one delivery and make one atomic change:

* the first firing of a group declares one incident (``incident.service.declare``), never private, as the
  caller (``token:NAME`` from the API), with the alert's description and links in its summary and timeline;
* a repeat changes nothing and writes nothing (one read);
* alerts that start firing in a group add one timeline entry;
* alerts that resolve add one entry; when the whole group resolves the incident stays open for a person,
  unless the setting ``resolve_with_alerts`` resolves it (``incident.service.resolve`` with a final update);
* a group that fires again after its incident ended declares a new incident, related to the earlier one
  (``similar.service.link``);
* a first firing whose ``component`` label names a component under maintenance declares nothing: it is noted
  on the maintenance window once (``maintenance.windows.hold_alert``), unless the setting
  ``declare_during_maintenance`` is on. A later delivery after the window declares as usual.

Everything of one delivery is ONE transaction: the incident and similar services are handed the open
transaction (``db.base.Joined``), so the declaration, its alert group row and the link commit together or
not at all. The unique key of ``alert_groups`` decides races: a delivery that loses one rolls back and
reads the winner's row. Nothing is sent inline: a final update reaches subscribers through the outbox
(the ``update_posted`` hook), as every update does.

What the caller sees is filtered by ``incident.service.can_see``: a token never learns the reference of an
incident someone made private. Alerts still reach that incident's timeline (its responders want them),
but they never change its status and a new incident is not linked to it.
"""

from __future__ import annotations

from ..catalog import service as catalog
from ..clock import utcnow
from ..db.base import Joined
from ..errors import IncidentKitError
from ..identity import clean_person
from ..incident import service as incidents
from ..incident import store as incident_store
from ..maintenance import windows
from . import models, store
from .models import Batch, Outcome

# A delivery that loses a race (another delivery of the same group committed first) runs again and reads
# what the winner wrote; a second loss in a row would need a third delivery racing it, and so on.
RACE_ATTEMPTS = 5
FOLLOW_MERGES = 10  # an incident merged into one merged later...: alerts go to the incident it ended up in
FINAL_UPDATE = "{sender} reports that all alerts in this group resolved; resolved automatically (Resolve with alerts)."


class _Raced(Exception):
    """Another delivery of this group took the next generation first: roll back and read what it wrote."""


def receive_alertmanager(db, payload, *, by) -> dict:
    """One Alertmanager (version 4) or Grafana webhook delivery; see the module docstring."""
    by = clean_person(by, "Sent by")
    return _receive(db, models.parse_alertmanager(payload), by)


def receive_event(db, event, *, by) -> dict:
    """One generic event ``{status, title, dedup_key, severity?, description?, source_url?, labels?}``."""
    by = clean_person(by, "Sent by")
    return _receive(db, models.parse_event(event), by)


def _receive(db, batch: Batch, by) -> dict:
    # Repeats are most deliveries (every group_interval and repeat_interval): answered from one read, they
    # write nothing, so the data version (and every cache keyed on it) stays put.
    answer = db.read(lambda tx: _apply(tx, db, batch, by, write=False))
    if answer is not None:
        return answer
    for _ in range(RACE_ATTEMPTS):
        try:
            # READ COMMITTED on PostgreSQL: every write below is a compare-and-set or takes the counter's row
            # lock, so a racing delivery waits for the winner and then sees its rows (SERIALIZABLE would abort
            # and re-run them instead). DuckDB runs one writer at a time.
            return db.write(lambda tx: _apply(tx, db, batch, by, write=True), isolation="read committed")
        except _Raced:
            continue
    raise IncidentKitError("Other deliveries of this alert group kept arriving at the same moment; send it again.")


def _current(tx, group: store.Group | None):
    """The group's incident, following merges to the incident it was merged into."""
    if group is None:
        return None
    incident = incident_store.get_by_id(tx, group.incident_id)
    for _ in range(FOLLOW_MERGES):
        if incident is None or incident.merged_into is None:
            break
        incident = incidents.load(tx, incident.merged_into)
    return incident


def _apply(tx, db, batch: Batch, by, *, write: bool) -> dict | None:
    """Decide (and with ``write``, make) the change; without ``write``, None means there is one to make."""
    group = store.latest_group(tx, batch.source, batch.group_hash)
    incident = _current(tx, group)
    known = store.alert_states(tx, group.id, [a.fingerprint for a in batch.alerts]) if group else {}
    plan = models.plan(batch, group_status=group.status if group else None,
                       incident_open=incident is not None and incident.active, known=known)
    if not plan.changes or (incident is None and not plan.declare):  # (no incident: nothing to note on)
        return _result(tx, Outcome.UNCHANGED, incident, by)
    if not write:
        return None
    now = utcnow()
    if plan.declare:
        if catalog.setting(tx, "declare_during_maintenance") is not True and windows.hold_alert(
                tx, batch.component, f"{batch.sender}: {batch.title}", by=by, now=now) is not None:
            return {"outcome": Outcome.MAINTENANCE.value, "incident": None}
        return _declare(tx, db, batch, plan, group, incident, by, now)
    assert group is not None  # a change that declares nothing needs an incident, so a group that made it
    outcome = Outcome.UNCHANGED
    if plan.firing:
        fired = store.start_firing(tx, group.id, [a.fingerprint for a in plan.firing], now)
        if fired:
            store.refire_group(tx, group.id)
            _entry(tx, incident, by, "alerts_fired",
                   models.fired_text(batch, [a for a in plan.firing if a.fingerprint in fired], first=False))
            outcome = Outcome.ALERT_ADDED
    if plan.group_resolves and store.resolve_group(tx, group.id, now):
        store.stop_firing(tx, group.id, None, now)
        _entry(tx, incident, by, "alerts_resolved",
               models.resolved_text(batch, plan.resolved, whole_group=True, still_firing=0))
        outcome = _resolve(tx, db, batch, incident, by) if outcome == Outcome.UNCHANGED else outcome
    elif plan.resolved:
        stopped = store.stop_firing(tx, group.id, [a.fingerprint for a in plan.resolved], now)
        if stopped:
            _entry(tx, incident, by, "alerts_resolved",
                   models.resolved_text(batch, [a for a in plan.resolved if a.fingerprint in stopped],
                                        whole_group=False, still_firing=store.firing_count(tx, group.id)))
            outcome = Outcome.RESOLVED_NOTED if outcome == Outcome.UNCHANGED else outcome
    return _result(tx, outcome, incident, by)


def _declare(tx, db, batch: Batch, plan: models.Plan, group, earlier, by, now) -> dict:
    within = Joined(tx, db)
    started = batch.started_at
    incident = incidents.declare(within, batch.title, declared_by=by, severity=_severity(tx, batch.severity),
                                 summary=models.summary_text(batch), private=False, tags=["alert"],
                                 started_at=min(started, now) if started else None, declared_at=now)
    generation = group.generation + 1 if group else 1
    group_id = store.insert_group(tx, source=batch.source, group_hash=batch.group_hash, generation=generation,
                                  incident_id=incident.id, now=now, by=str(by))
    if group_id is None:
        raise _Raced  # rolls back the declaration above; the next attempt reads the winner's group
    store.start_firing(tx, group_id, [a.fingerprint for a in plan.firing], now)
    _entry(tx, incident, by, "alerts_fired", models.fired_text(batch, plan.firing, first=True))
    if earlier is None:
        return _result(tx, Outcome.DECLARED, incident, by)
    previous = earlier.reference if incidents.can_see(tx, earlier, by) else None
    if previous is not None:  # a link to a hidden incident would put its title on this public timeline
        from ..similar import service as similar  # numpy and bm25s: only when a group fires again

        similar.link(within, incident.reference, previous, by=by)
    return {**_result(tx, Outcome.REOPENED_AS_NEW, incident, by), "previous_incident": previous}


def _severity(tx, label: str | None) -> str | None:
    """The sender's severity label as one of ours: by name (any case), then through the admins' map
    (setting ``alert_severities``); None (the lowest) when neither knows it."""
    if not label or not label.strip():
        return None
    found = catalog.match_severity(tx, label)
    if found is None:
        mapped = (catalog.setting(tx, "alert_severities") or {}).get(label.strip().lower())
        found = catalog.match_severity(tx, mapped) if isinstance(mapped, str) else None
    return found


def _resolve(tx, db, batch: Batch, incident, by) -> Outcome:
    """The whole group resolved: the incident too when the setting says so (and the caller may see it)."""
    if not (incident.active and catalog.setting(tx, "resolve_with_alerts") is True
            and incidents.can_see(tx, incident, by)):
        return Outcome.RESOLVED_NOTED
    incidents.resolve(Joined(tx, db), incident.reference, by=by,
                      final_update=FINAL_UPDATE.format(sender=batch.sender))
    return Outcome.RESOLVED


def _entry(tx, incident, by, kind: str, detail: str) -> None:
    incident_store.record_event(tx, incident.id, actor=str(by), kind=kind, detail=detail)


def _result(tx, outcome: Outcome, incident, by) -> dict:
    """What the caller is told: the outcome and the reference, unless the incident is one they may not see."""
    if incident is None:
        return {"outcome": outcome.value, "incident": None}
    if not incidents.can_see(tx, incident, by):
        return {"outcome": Outcome.ACCEPTED.value, "incident": None}
    return {"outcome": outcome.value, "incident": incident.reference}
