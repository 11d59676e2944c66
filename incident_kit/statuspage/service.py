"""Build the static public status page, and the app's internal status board."""

from __future__ import annotations

from typing import TYPE_CHECKING

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

if TYPE_CHECKING:  # pandas loads only where a frame is built, so write commands start fast
    import pandas as pd

from ..catalog import store as catalog
from ..components import service as components
from ..components.models import state_label
from ..maintenance import service as maintenance
from ..maintenance.models import Status as MaintenanceStatus
from ..errors import IncidentKitError, NotFound
from ..clock import to_utc, utcnow
from ..incident import service as incidents_service
from ..incident.format import render_update
from ..safe_output import http_url, output_dir, write_file
from . import store

BOARD_RESOLVED_DAYS = 7  # the internal board keeps recently resolved incidents in view for a week


def build(db, out_dir, *, base_url: str | None = None, now=None) -> list[Path]:
    """Write index.html, feed.xml and components/{slug}/feed.atom into ``out_dir``; return their paths."""
    now = to_utc(now, field="now") or utcnow()
    if base_url is not None and str(base_url).strip():
        base_url = http_url(base_url, what="The status page's base URL")
    out = output_dir(out_dir, what="the status page")
    view = public_view(db, now=now)
    files = {"index.html": view.page(), "feed.xml": view.feed(base_url=base_url)}
    for row in view.components:
        files[f"components/{row.slug}/feed.atom"] = view.feed(base_url=base_url, component=row.slug)
    paths = []
    for filename, text in files.items():
        path = out / filename
        if path.parent != out:
            output_dir(path.parent, what="the status page")
        paths.append(write_file(path, text, public=True))  # the web server reads them
    return paths


@dataclass
class PublicView:
    """What the public may see, read once; the static build and the app's live page render from it."""

    name: str
    now: dt.datetime
    incidents: list
    components: list
    maintenances: list  # upcoming and in progress: render.MaintenanceRow
    public_url: str = ""  # the app's public address (setting ``public_url``); empty: nobody can subscribe

    def page(self, *, live: bool = False) -> str:
        """The page; with the setting ``public_url``, a subscribe form that posts to the app: a relative link
        on the app's own ``live`` page, the full address in the static build (hosted elsewhere)."""
        from ..subscribers.mail import subscribe_url
        from . import render

        action = None
        if self.public_url:
            action = "subscribe" if live else subscribe_url(self.public_url)
        return render.html_page(self.incidents, name=self.name, now=self.now, components=self.components,
                                maintenances=self.maintenances, subscribe_action=action)

    def feed(self, *, base_url: str | None = None, component: str | None = None) -> str:
        """The Atom feed; for ``component`` (a slug), its own. ``NotFound`` for no such public component."""
        from . import render

        row = None
        if component is not None:
            row = next((r for r in self.components if r.slug == component), None)
            if row is None:
                raise NotFound("There is no such component on the status page.")
        return render.atom_feed(self.incidents, name=self.name, now=self.now, base_url=base_url, component=row)


def public_view(db, *, now=None) -> PublicView:
    """Read the public status in one transaction: external updates of public incidents, public components'
    states and their last 90 days (never private or test incidents, internal updates or components)."""
    now = to_utc(now, field="now") or utcnow()
    from ..frames import utc_columns
    from . import render  # Jinja2 loads only to publish
    from .uptime import HISTORY_DAYS, Span, history

    since = now - dt.timedelta(days=HISTORY_DAYS)

    def work(tx):
        return (utc_columns(store.public_updates(tx)), catalog.get_setting(tx, "public_name", "Our services"),
                components.public_states_in(tx, now=now), components.public_spans(tx, since),
                maintenance.public_maintenances_in(tx, now=now), catalog.get_setting(tx, "public_url", ""))

    rows, name, states, spans, windows, public_url = db.read(work)
    by_component: dict[int, list] = {}
    for component_id, impact, start, end, reference in spans:
        by_component.setdefault(component_id, []).append(
            (Span(component_id, impact, to_utc(start, field="start") or since,  # started_at is never NULL
                  to_utc(end, field="end")), reference))
    component_rows = []
    for st in states:
        mine = by_component.get(st.component.id, [])
        c = st.component
        component_rows.append(render.ComponentRow(
            name=c.name, slug=c.slug, group=c.group, description=c.description, state=st.state,
            state_label=st.label, history=history([span for span, _ in mine], now=now),
            references=frozenset(ref for _, ref in mine)))
    incidents = render.public_incidents(rows, now)
    names = {st.component.id: st.component.name for st in states}  # public components only
    for inc in incidents:
        inc.affects = [f"{names[cid]}: {state_label(impact)}" for cid, impact, _, _, ref in spans
                       if ref == inc.reference and cid in names]
    upcoming = (MaintenanceStatus.SCHEDULED, MaintenanceStatus.IN_PROGRESS)
    maintenances = [render.MaintenanceRow(title=m.title, message=m.message, start=m.start, end=m.end,
                                          status=m.status_at(now).value, status_label=m.status_at(now).label,
                                          components=tuple(c for c in m.components if c in names.values()))
                    for m in sorted(windows, key=lambda m: m.start) if m.status_at(now) in upcoming]
    return PublicView(name=name, now=now, incidents=incidents, components=component_rows,
                      maintenances=maintenances, public_url=str(public_url or ""))


BOARD_COLUMNS = ["reference", "title", "severity", "status", "private", "accountable", "next_update_due",
                 "overdue", "last_update_at", "last_update_audience", "last_update", "last_update_parts"]
# ``last_update_parts``: the newest update's parts as a dict, for a surface that lays them out itself (the app's
# Status page shows the first lines and the rest on request, in its own date format); ``last_update`` is the
# same update as plain text.
UPDATE_PARTS = ["status", "impact", "doing", "message", "next_update_at"]


BOARD_PARTS = ("ongoing", "resolved")


def board_counts(db, *, viewer: str | None = None, now=None) -> dict[str, int]:
    """``{"ongoing", "overdue", "resolved"}``: the board's totals, counted in SQL with the list's filters."""
    now = to_utc(now, field="now") or utcnow()
    ongoing = incidents_service.incident_counts(db, viewer=viewer, active=True, now=now)
    resolved = incidents_service.incident_counts(db, viewer=viewer, now=now,
                                                 resolved_since=now - dt.timedelta(days=BOARD_RESOLVED_DAYS))
    return {"ongoing": ongoing["active"], "overdue": ongoing["overdue"], "resolved": resolved["total"]}


def board(db, *, viewer: str | None = None, now=None, part: str | None = None,
          limit: int | None = None) -> pd.DataFrame:
    """The incidents the viewer may see that are active (``part="ongoing"``) or resolved in the last week
    (``"resolved"``), or both (None), each with its newest update; at most ``limit`` of each part, chosen in SQL."""
    import pandas as pd

    from ..frames import utc_columns

    if part is not None and part not in BOARD_PARTS:
        raise IncidentKitError(f"The status board has two parts, {' and '.join(BOARD_PARTS)}; not "
                               f"'{str(part)[:30]}'.")
    now = to_utc(now, field="now") or utcnow()
    horizon = now - dt.timedelta(days=BOARD_RESOLVED_DAYS)
    chosen = [incidents_service.incidents(db, viewer=viewer, active=True, limit=limit) if part != "resolved" else None,
             incidents_service.incidents(db, viewer=viewer, resolved_since=horizon, limit=limit)
             if part != "ongoing" else None]
    frames = [f for f in chosen if f is not None]
    frame = pd.concat([f for f in frames if not f.empty] or frames[:1], ignore_index=True)
    latest = db.read(lambda tx: utc_columns(store.latest_updates(tx, [int(i) for i in frame["id"]])))
    by_incident = {int(r.incident_id): r for r in latest.itertuples()}
    texts: list[str] = []
    parts: list[dict | None] = []
    audiences: list[str | None] = []
    last_at: list = []
    for row in frame.itertuples():
        u = by_incident.get(int(row.id))
        if u is None:
            texts.append("")
            parts.append(None)
            audiences.append(None)
            last_at.append(pd.NaT)
            continue
        nxt = None if pd.isna(u.next_update_at) else u.next_update_at.to_pydatetime()
        if nxt is None and not pd.isna(row.next_update_due):
            nxt = row.next_update_due.to_pydatetime()  # the newest update: what the incident promises now
        texts.append(render_update(reference=row.reference, title=row.title, status=u.status or row.status,
                                   message=u.message, impact=u.impact or "", doing=u.doing or "",
                                   next_update_at=nxt, severity=row.severity, audience=u.audience))
        parts.append(dict(zip(UPDATE_PARTS, (u.status or row.status, u.impact or "", u.doing or "", u.message, nxt))))
        audiences.append(u.audience)
        last_at.append(u.posted_at)
    frame["last_update"] = texts
    frame["last_update_parts"] = pd.Series(parts, index=frame.index, dtype=object)
    frame["last_update_audience"] = audiences
    frame["last_update_at"] = pd.to_datetime(pd.Series(last_at, index=frame.index, dtype=object), utc=True)
    frame["overdue"] = frame["next_update_due"].notna() & (frame["next_update_due"] < pd.Timestamp(now))
    return frame[BOARD_COLUMNS].reset_index(drop=True)
