"""Alert deliveries as plain data: the payloads checked, reduced to one ``Batch``, and what a batch changes.

Three shapes come in:

* Prometheus Alertmanager's webhook (``version`` "4"): ``groupKey``, ``status``, ``alerts[]`` (each with
  ``fingerprint``, ``labels``, ``annotations``, ``startsAt``, ``endsAt``, ``generatorURL``),
  ``truncatedAlerts``, ``externalURL``, ``groupLabels``, ``commonLabels``, ``commonAnnotations``;
* Grafana's webhook: the same envelope plus ``orgId``, ``title``, ``state`` and ``message``;
* a generic event: ``{status, title, dedup_key, severity?, description?, source_url?, labels?}``.

The payload models (pydantic, strict: a number is not text and text is not a number) refuse wrong types,
missing fields and over-long strings; ``parse_*`` turns the first problem into one ``IncidentKitError``
sentence. ``plan`` is the rule for what a delivery changes, given what the group already holds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from .. import bounds
from ..errors import IncidentKitError
from ..incident.fields import TITLE_MAX
from ..safe_output import http_url, terminal_text

FIRING, RESOLVED = "firing", "resolved"

# Alertmanager sends a whole group in one request; the API caps a body at 1 MB, which holds ~2,000 small
# alerts. Past this many, the rest count as truncated (as Alertmanager's own max_alerts does), so one huge
# group still lands instead of being refused on every retry.
ALERTS_MAX = 1_000
# Labels or annotations on one alert: Prometheus rules carry 5-15; a hundred is no real rule.
PAIRS_MAX = 100
# A label, a fingerprint, a URL: one line. An annotation (a description, a runbook note) may be paragraphs.
LINE_MAX = bounds.NOTE_MAX
ANNOTATION_MAX = bounds.SUMMARY_MAX
# A groupKey spells out the route's matchers and group_by labels (a few hundred characters); it is only
# hashed, so a generous bound costs nothing.
KEY_MAX = 10_000
# Links kept on an incident's summary and timeline: the source, a runbook, a few alert rules.
LINKS_MAX = 6
# Labels worth naming in a title when there is no summary annotation, in order of how well they say where.
KEY_LABELS = ("service", "job", "instance", "namespace", "cluster", "env", "environment", "region")
SOURCE_NAMES = {"alertmanager": "Alertmanager", "grafana": "Grafana", "generic": "An alert"}


class Outcome(StrEnum):
    """What one delivery did, as the result says."""

    DECLARED = "declared"  # the group's first firing declared an incident
    UNCHANGED = "unchanged"  # a repeat: nothing new
    ALERT_ADDED = "alert_added"  # new (or returning) alerts in a firing group: one timeline entry
    RESOLVED_NOTED = "resolved_noted"  # alerts resolved: on the timeline, the incident left open for a person
    RESOLVED = "resolved"  # the group resolved and ``resolve_with_alerts`` resolved the incident
    REOPENED_AS_NEW = "reopened_as_new"  # fired again after its incident ended: a new, related incident
    ACCEPTED = "accepted"  # taken, about an incident the caller may not see (which is not named)
    MAINTENANCE = "held_for_maintenance"  # its component is under maintenance: noted there, nothing declared


# -- the payloads ------------------------------------------------------------------------------------
Line = Annotated[str, StringConstraints(max_length=LINE_MAX)]
Long = Annotated[str, StringConstraints(max_length=ANNOTATION_MAX)]
Labels = Annotated[dict[Line, Line], Field(max_length=PAIRS_MAX)]
Notes = Annotated[dict[Line, Long], Field(max_length=PAIRS_MAX)]
Status = Literal["firing", "resolved"]


class _Payload(BaseModel):
    # Strict: "3" is not a number and 3 is not text. Unknown fields are ignored, so a newer sender still lands.
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


class AlertmanagerAlert(_Payload):
    status: Status
    labels: Labels = {}
    annotations: Notes = {}
    startsAt: Line | None = None
    endsAt: Line | None = None
    generatorURL: Line | None = None
    fingerprint: Annotated[str, StringConstraints(max_length=200)] | None = None
    # Grafana only
    silenceURL: Line | None = None
    dashboardURL: Line | None = None
    panelURL: Line | None = None


class AlertmanagerWebhook(_Payload):
    """Alertmanager's webhook, version 4; Grafana's adds ``orgId``, ``title``, ``state`` and ``message``."""

    version: Line | None = None
    groupKey: Annotated[str, StringConstraints(min_length=1, max_length=KEY_MAX)]
    status: Status
    receiver: Line | None = None
    alerts: Annotated[list[AlertmanagerAlert], Field(min_length=1)]
    groupLabels: Labels = {}
    commonLabels: Labels = {}
    commonAnnotations: Notes = {}
    externalURL: Line | None = None
    truncatedAlerts: Annotated[int, Field(ge=0)] = 0
    orgId: int | None = None
    title: Line | None = None
    state: Line | None = None
    message: Long | None = None


class GenericEvent(_Payload):
    """The generic event (``POST /api/v1/alerts``)."""

    status: Status
    title: Annotated[str, StringConstraints(min_length=1, max_length=LINE_MAX)]
    dedup_key: Annotated[str, StringConstraints(min_length=1, max_length=KEY_MAX)]
    severity: Line | None = None
    description: Long | None = None
    source_url: Line | None = None
    labels: Labels = {}


# -- the one shape the service works on ----------------------------------------------------------------
@dataclass(frozen=True)
class Alert:
    fingerprint: str
    status: str  # firing | resolved
    name: str  # "HighLatency (instance=db-1)": how a timeline entry names it
    starts_at: dt.datetime | None


@dataclass(frozen=True)
class Batch:
    """One delivery: a group (by source and hashed key), its status and alerts, and what a new incident says."""

    source: str  # alertmanager | grafana | generic: groups are namespaced by it
    group_hash: str  # SHA-256 (hex) of the groupKey or dedup_key: the key itself is never stored
    status: str
    alerts: tuple[Alert, ...]
    truncated: int
    title: str
    severity: str | None  # the sender's severity label, matched to the catalog by the service
    description: str
    links: tuple[str, ...]
    component: str | None = None  # the ``component`` label: a maintenance window on it holds the alert

    @property
    def sender(self) -> str:
        return SOURCE_NAMES[self.source]

    @property
    def started_at(self) -> dt.datetime | None:
        times = [a.starts_at for a in self.alerts if a.starts_at is not None and a.status == FIRING]
        return min(times) if times else None


def _sentence(kind: str, exc: ValidationError) -> IncidentKitError:
    """The first problem pydantic found, as one sentence naming where (``alerts[0].labels``) and what is wrong."""
    error = exc.errors(include_url=False, include_input=False)[0]
    where = ""
    for part in error["loc"]:
        if isinstance(part, int):
            where += f"[{part}]"
        elif part != "[key]":
            where += ("." if where else "") + _shown_part(part)
    ctx = error.get("ctx") or {}
    what = {
        "missing": "is missing",
        "string_type": "must be text",
        "string_unicode": "is not valid Unicode text",
        "int_type": "must be a whole number",
        "dict_type": "must be an object of names and text values",
        "list_type": "must be a list",
        "model_type": "must be a JSON object",
        "model_attributes_type": "must be a JSON object",
        "literal_error": "must be firing or resolved",
        "string_too_long": f"is longer than {ctx.get('max_length', 0):,} characters",
        "string_too_short": "is empty",
        "too_long": f"has more than {ctx.get('max_length', 0):,} entries",
        "too_short": "is empty: send at least one alert",
        "greater_than_equal": "must be 0 or more",
    }.get(error["type"], error["msg"].rstrip(".").lower())
    if not where:
        return IncidentKitError(f"The {kind} {what}.")
    return IncidentKitError(f"The {kind}'s {where} {what}.")


def _shown_part(part) -> str:
    """A field name from the payload (a label name may be anything) cut short and kept on one line."""
    text = " ".join(terminal_text(str(part)).split())
    return text if len(text) <= 40 else text[:40] + "…"


def _validate(model, payload, kind: str):
    if not isinstance(payload, dict):
        raise IncidentKitError(f"The {kind} must be a JSON object, not {type(payload).__name__}.")
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        raise _sentence(kind, exc) from None


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def _starts(value: str | None, position: int) -> dt.datetime | None:
    if not value or value.startswith("0001-01-01"):  # Go's zero time: "not set"
        return None
    return bounds.when(value, field=f"alert {position + 1}'s start time")


def _name(labels: dict, where: list[str]) -> str:
    """``HighLatency (instance=db-1, job=api)``: the alert's name and the values of the labels ``where`` names."""
    name = labels.get("alertname") or "Alert"
    shown = ", ".join(f"{k}={labels[k]}" for k in where if k != "alertname" and labels.get(k))
    return _line(f"{name} ({shown})" if shown else name)


def _title_labels(labels: dict, group_labels: dict) -> list[str]:
    """What names a group: its group_by labels, else the usual labels that say where."""
    return [k for k in group_labels if k != "alertname"] or [k for k in KEY_LABELS if k in labels]


def _alert_labels(labels: dict, common: dict) -> list[str]:
    """What tells one alert of a group from the others: the labels it does not share with all of them."""
    return [k for k in labels if common.get(k) != labels[k]][:3] or [k for k in KEY_LABELS if k in labels][:3]


def _line(text: str, limit: int = TITLE_MAX) -> str:
    """One line, cut to ``limit`` characters: a summary annotation may be longer than a title may."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _links(*candidates) -> tuple[str, ...]:
    """The http(s) links among ``candidates`` (others are dropped: a ``javascript:`` link is no source)."""
    out: list[str] = []
    for url in candidates:
        if not url:
            continue
        try:
            url = http_url(url)
        except IncidentKitError:
            continue
        if url not in out:
            out.append(url)
    return tuple(out[:LINKS_MAX])


def _fingerprint(alert: AlertmanagerAlert) -> str:
    """Alertmanager's own fingerprint; senders older than 0.19 had none: then the labels' hash, as it is."""
    if alert.fingerprint:
        return alert.fingerprint
    return key_hash(json.dumps(alert.labels, sort_keys=True))[:16]


def parse_alertmanager(payload) -> Batch:
    """An Alertmanager (or Grafana) delivery as a ``Batch``; ``IncidentKitError`` (one sentence) if malformed."""
    kind = "Grafana payload" if isinstance(payload, dict) and ("orgId" in payload or "state" in payload) \
        else "Alertmanager payload"
    truncated = 0
    if isinstance(payload, dict) and isinstance(payload.get("alerts"), list) and len(payload["alerts"]) > ALERTS_MAX:
        truncated = len(payload["alerts"]) - ALERTS_MAX
        payload = {**payload, "alerts": payload["alerts"][:ALERTS_MAX]}
    hook: AlertmanagerWebhook = _validate(AlertmanagerWebhook, payload, kind)
    source = "grafana" if kind.startswith("Grafana") else "alertmanager"
    alerts, seen = [], set()
    for position, item in enumerate(hook.alerts):
        fingerprint = _fingerprint(item)
        if fingerprint in seen:  # one alert listed twice counts once
            continue
        seen.add(fingerprint)
        labels = {**hook.commonLabels, **item.labels}
        alerts.append(Alert(fingerprint, item.status, _name(labels, _alert_labels(labels, hook.commonLabels)),
                            _starts(item.startsAt, position)))
    firing = [a for a in hook.alerts if a.status == FIRING] or list(hook.alerts)
    first = firing[0]
    labels = {**hook.commonLabels, **first.labels}
    summary = hook.commonAnnotations.get("summary") or first.annotations.get("summary")
    title = _line(summary) if summary and summary.strip() else \
        _name({**hook.groupLabels, **labels}, _title_labels(labels, hook.groupLabels))
    description = (hook.commonAnnotations.get("description") or first.annotations.get("description")
                   or hook.message or "")
    runbook = hook.commonAnnotations.get("runbook_url") or first.annotations.get("runbook_url")
    links = _links(hook.externalURL, runbook, first.dashboardURL, first.panelURL,
                   *(a.generatorURL for a in firing))
    return Batch(source=source, group_hash=key_hash(hook.groupKey), status=hook.status, alerts=tuple(alerts),
                 truncated=hook.truncatedAlerts + truncated, title=title, severity=labels.get("severity"),
                 description=description.strip(), links=links, component=labels.get("component"))


def parse_event(event) -> Batch:
    """A generic event as a ``Batch`` of one alert; ``IncidentKitError`` (one sentence) if malformed."""
    ev: GenericEvent = _validate(GenericEvent, event, "alert event")
    if not ev.title.strip():
        raise IncidentKitError("The alert event's title is empty: say in a few words what is wrong.")
    alert = Alert("event", ev.status, _line(ev.title), None)
    return Batch(source="generic", group_hash=key_hash(ev.dedup_key), status=ev.status, alerts=(alert,),
                 truncated=0, title=_line(ev.title), severity=ev.severity or ev.labels.get("severity"),
                 description=(ev.description or "").strip(), links=_links(ev.source_url),
                 component=ev.labels.get("component"))


# -- what a delivery changes ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Plan:
    """What one delivery changes, decided from what the group already holds (the rule, without I/O)."""

    declare: bool  # a new incident for this group (its first, or the next after the last one ended)
    firing: tuple[Alert, ...]  # alerts firing now that were not firing before (new, or back again)
    resolved: tuple[Alert, ...]  # alerts resolved now that were firing before
    group_resolves: bool  # the whole group resolved (it was firing)

    @property
    def changes(self) -> bool:
        return self.declare or bool(self.firing or self.resolved) or self.group_resolves


def plan(batch: Batch, *, group_status: str | None, incident_open: bool, known: dict[str, str]) -> Plan:
    """``group_status`` is None for a group never seen; ``known`` maps the batch's fingerprints to their status
    in the group's current generation; ``incident_open``: the group's incident is still active.

    Repeats (Alertmanager re-sends every group_interval and repeat_interval) change nothing. A group whose
    incident ended opens a new one only when something fires that was not firing: a repeat of alerts still
    firing after a person resolved the incident does not.
    """
    firing = tuple(a for a in batch.alerts if a.status == FIRING and known.get(a.fingerprint) != FIRING)
    if batch.status == FIRING and firing and (group_status is None or not incident_open):
        # a new incident starts a new generation of the group: every alert firing now is its first
        return Plan(declare=True, firing=tuple(a for a in batch.alerts if a.status == FIRING), resolved=(),
                    group_resolves=False)
    if group_status is None:
        return Plan(declare=False, firing=(), resolved=(), group_resolves=False)  # nothing to resolve
    group_resolves = batch.status == RESOLVED and group_status == FIRING
    resolved = tuple(a for a in batch.alerts if a.status == RESOLVED and known.get(a.fingerprint) == FIRING)
    return Plan(declare=False, firing=firing if batch.status == FIRING else (), resolved=resolved,
                group_resolves=group_resolves)


def fired_text(batch: Batch, alerts, *, first: bool) -> str:
    """The timeline entry for alerts that started firing: which, from whom; the first also says what and where."""
    names = [a.name for a in alerts]
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    if batch.truncated:
        shown += f" (and {batch.truncated} more not sent)"
    text = f"{batch.sender}: {shown}"
    if first and batch.description:
        text += f" · {_line(batch.description, 600)}"
    if first and batch.links:
        text += " · " + " ".join(batch.links)
    return _line(text, LINE_MAX)


def resolved_text(batch: Batch, alerts, *, whole_group: bool, still_firing: int) -> str:
    if whole_group:
        return f"{batch.sender}: all alerts in this group resolved."
    names = ", ".join(a.name for a in alerts[:5]) + (f" and {len(alerts) - 5} more" if len(alerts) > 5 else "")
    return _line(f"{batch.sender}: {names} resolved; {still_firing} still firing.", LINE_MAX)


def summary_text(batch: Batch) -> str:
    """A declared incident's summary: the alert's description, then its links."""
    parts = [batch.description] if batch.description else []
    if batch.links:
        parts.append("Source: " + "\n".join(batch.links))
    return "\n\n".join(parts)[:bounds.SUMMARY_MAX]
