"""Build the public status page and feed from plain data. Pure functions (no I/O).

Every string a person typed goes through Jinja2 with autoescape on, for HTML
and XML alike, so a ``<script>`` in a title or update is shown, never run, and
loses the control characters XML forbids (``safe_output.xml_text``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from ..components.models import OPERATIONAL, rank, state_label, state_of
from ..incident.format import UpdateField, final_line, render_update, update_fields
from ..incident.models import ACTIVE, Status
from ..safe_output import xml_text
from .uptime import History

ENV = Environment(
    loader=PackageLoader("incident_kit.statuspage", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html", "xml"), default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
    finalize=xml_text,  # a \x07 in a title would make feed.xml invalid XML for every reader
)

RESOLVED_DAYS = 14   # resolved incidents stay on the page this long: recent enough to matter
FEED_ENTRIES = 50    # feed readers poll; the newest 50 updates are plenty


@dataclass(frozen=True)
class PublicUpdate:
    id: int
    anchor: str
    posted_at: dt.datetime
    status_label: str
    message: str
    impact: str
    doing: str
    next_update_at: dt.datetime | None
    text: str  # the whole update in the predictable format (external: no severity, no names)
    fields: list[UpdateField] = field(default_factory=list)  # the same labelled lines, for the page
    final: str = ""  # "There will be no further updates." under a closing update


@dataclass
class PublicIncident:
    reference: str
    title: str
    status_label: str
    ongoing: bool
    started_at: dt.datetime
    resolved_at: dt.datetime | None
    anchor: str
    updates: list[PublicUpdate] = field(default_factory=list)
    affects: list[str] = field(default_factory=list)  # "Checkout: Major outage", public components only


def _ts(value) -> dt.datetime | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).tz_convert("UTC").to_pydatetime()


def _label(status) -> str:
    try:
        return Status(status).label
    except ValueError:
        return str(status)


def public_incidents(rows: pd.DataFrame, now: dt.datetime, *, resolved_days: int = RESOLVED_DAYS
                     ) -> list[PublicIncident]:
    """Group external updates (newest first) by incident: ongoing first, then recently resolved."""
    out: dict[int, PublicIncident] = {}
    for r in rows.itertuples():
        inc = out.get(r.incident_id)
        if inc is None:
            inc = out[r.incident_id] = PublicIncident(
                reference=r.reference, title=r.title, status_label=_label(r.incident_status),
                ongoing=r.incident_status in {s.value for s in ACTIVE}, started_at=_ts(r.started_at),
                resolved_at=_ts(r.resolved_at), anchor=r.reference.lower())
        status = r.status or r.incident_status
        nxt = _ts(r.next_update_at)
        text = render_update(reference=r.reference, title=r.title, status=status, message=r.message,
                             impact=r.impact or "", doing=r.doing or "", next_update_at=nxt,
                             audience="external")
        inc.updates.append(PublicUpdate(
            id=int(r.update_id), anchor=f"update-{int(r.update_id)}", posted_at=_ts(r.posted_at),
            status_label=_label(status), message=r.message, impact=r.impact or "", doing=r.doing or "",
            next_update_at=nxt, text=text,
            fields=update_fields(status=status, impact=r.impact or "", doing=r.doing or "", next_update_at=nxt),
            final=final_line(status, nxt)))
    horizon = now - dt.timedelta(days=resolved_days)
    shown = [i for i in out.values()
             if i.ongoing or (i.updates and i.updates[0].posted_at >= horizon)
             or (i.resolved_at is not None and i.resolved_at >= horizon)]
    shown.sort(key=lambda i: (not i.ongoing, -i.updates[0].posted_at.timestamp()))
    return shown


def _fmt(ts: dt.datetime | None) -> str:
    return "" if ts is None else ts.strftime("%Y-%m-%d %H:%M UTC")


def _iso(ts: dt.datetime | None) -> str:
    return "" if ts is None else ts.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")


ENV.filters["when"] = _fmt
ENV.filters["iso"] = _iso


@dataclass(frozen=True)
class MaintenanceRow:
    """A maintenance window as the public page shows it: no person, public components only."""

    title: str
    message: str
    start: dt.datetime
    end: dt.datetime
    status: str
    status_label: str
    components: tuple[str, ...]


def html_page(incidents: list[PublicIncident], *, name: str, now: dt.datetime,
              components: list[ComponentRow] | None = None, maintenances: list[MaintenanceRow] | None = None,
              subscribe_action: str | None = None) -> str:
    """The page: the same for the static build and the app's live ``/status-page/`` (links are relative).
    ``subscribe_action``: where the "Get updates by email" form posts (None: no form)."""
    ongoing = [i for i in incidents if i.ongoing]
    rows = components or []
    banner_class, banner = overall(rows, ongoing)
    return ENV.get_template("index.html").render(name=name, now=now, ongoing=ongoing,
                                                 resolved=[i for i in incidents if not i.ongoing],
                                                 groups=groups(rows), banner_class=banner_class, banner=banner,
                                                 maintenances=maintenances or [], subscribe_action=subscribe_action,
                                                 choices=rows)


def message_page(*, name: str, heading: str, lines: list[str], home: str, button: str | None = None,
                 action: str | None = None) -> str:
    """A page of the subscription steps ("check your email", the one confirm or unsubscribe button, done):
    the status page's look, a heading, a few sentences and at most one form with one button."""
    return ENV.get_template("message.html").render(name=name, heading=heading, lines=lines, home=home,
                                                   button=button, action=action)


def atom_feed(incidents: list[PublicIncident], *, name: str, now: dt.datetime, base_url: str | None = None,
              limit: int = FEED_ENTRIES, component: ComponentRow | None = None) -> str:
    """The Atom feed of external updates; for one component, only the incidents that affected it."""
    if component is not None:
        incidents = [i for i in incidents if i.reference in component.references]
        name = f"{name}: {component.name}"
    entries = sorted(((inc, upd) for inc in incidents for upd in inc.updates),
                     key=lambda pair: (pair[1].posted_at, pair[1].id), reverse=True)[:limit]
    updated = entries[0][1].posted_at if entries else now
    base = (base_url or "").rstrip("/") or None
    path = f"components/{component.slug}/feed.atom" if component is not None else "feed.xml"
    urn = "urn:incident-kit:status" + (f":component:{component.slug}" if component is not None else "")
    feed_id = f"{base}/{path}" if base else urn
    return ENV.get_template("feed.xml").render(name=name, entries=entries, updated=updated, base=base,
                                               feed_id=feed_id, self_path=path)


@dataclass(frozen=True)
class ComponentRow:
    """A public component on the page: its state now and its daily history."""

    name: str
    slug: str
    group: str | None
    description: str
    state: str
    state_label: str
    history: History
    references: frozenset[str]  # the public incidents that affected it in the period (for its feed)


def groups(rows: list[ComponentRow]) -> list[tuple[str | None, list[ComponentRow]]]:
    """Components by group, in catalog order (ungrouped first)."""
    out: dict[str | None, list[ComponentRow]] = {}
    for row in rows:
        out.setdefault(row.group, []).append(row)
    return list(out.items())


def overall(rows: list[ComponentRow], ongoing: list[PublicIncident]) -> tuple[str, str]:
    """(css class, sentence) for the banner: the worst public component state and the ongoing incidents."""
    worst = state_of([rank(None if r.state == OPERATIONAL else r.state) for r in rows])
    count = f"{len(ongoing)} ongoing incident{'s' if len(ongoing) != 1 else ''}" if ongoing else ""
    if worst != OPERATIONAL:
        return "issue", state_label(worst) + (f" · {count}" if count else "")
    if ongoing:
        return "issue", count
    return "ok", "No ongoing incidents: all systems operational"
