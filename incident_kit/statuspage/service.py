"""Build the static public status page, and the app's internal status board."""

from __future__ import annotations

from typing import TYPE_CHECKING

import datetime as dt
import os
import tempfile
from pathlib import Path

if TYPE_CHECKING:  # pandas loads only where a frame is built, so write commands start fast
    import pandas as pd

from ..catalog import store as catalog
from ..clock import to_utc, utcnow
from ..errors import IncidentKitError
from ..incident import service as incidents_service
from ..incident.format import render_update
from ..incident.models import ACTIVE_ORDER
from . import store

BOARD_RESOLVED_DAYS = 7  # the internal board keeps recently resolved incidents in view for a week


def _write_atomically(path: Path, text: str) -> None:
    """Readers (a web server) see the old file or the new one, never half of one."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def build(db, out_dir, *, base_url: str | None = None, now=None) -> list[Path]:
    """Write index.html and feed.xml into ``out_dir``; return their paths."""
    now = to_utc(now, field="now") or utcnow()
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise IncidentKitError(f"{out} is a file; give a directory for the status page.")
    out.mkdir(parents=True, exist_ok=True)

    from ..frames import utc_columns
    from . import render  # Jinja2 loads only to publish

    def work(tx):
        return utc_columns(store.public_updates(tx)), catalog.get_setting(tx, "public_name", "Our services")

    rows, name = db.read(work)
    incidents = render.public_incidents(rows, now)
    files = {"index.html": render.html_page(incidents, name=name, now=now),
             "feed.xml": render.atom_feed(incidents, name=name, now=now, base_url=base_url)}
    paths = []
    for filename, text in files.items():
        path = out / filename
        _write_atomically(path, text)
        paths.append(path)
    return paths


BOARD_COLUMNS = ["reference", "title", "severity", "status", "private", "accountable", "next_update_due",
                 "overdue", "last_update_at", "last_update_audience", "last_update"]


def board(db, *, viewer: str | None = None, now=None) -> pd.DataFrame:
    """Every incident the viewer may see that is active or resolved in the last week, with its newest update."""
    import pandas as pd

    from ..frames import utc_columns

    now = to_utc(now, field="now") or utcnow()
    frame = incidents_service.incidents(db, viewer=viewer, since=now - dt.timedelta(days=365))
    horizon = pd.Timestamp(now - dt.timedelta(days=BOARD_RESOLVED_DAYS))
    active = frame["status"].isin([s.value for s in ACTIVE_ORDER])
    recent = frame["resolved_at"].notna() & (frame["resolved_at"] >= horizon)
    frame = frame[active | recent].copy()
    latest = db.read(lambda tx: utc_columns(store.latest_updates(tx, [int(i) for i in frame["id"]])))
    by_incident = {int(r.incident_id): r for r in latest.itertuples()}
    texts, audiences, last_at = [], [], []
    for row in frame.itertuples():
        u = by_incident.get(int(row.id))
        if u is None:
            texts.append("")
            audiences.append(None)
            last_at.append(pd.NaT)
            continue
        nxt = None if pd.isna(u.next_update_at) else u.next_update_at.to_pydatetime()
        if nxt is None and not pd.isna(row.next_update_due):
            nxt = row.next_update_due.to_pydatetime()  # the newest update: what the incident promises now
        texts.append(render_update(reference=row.reference, title=row.title, status=u.status or row.status,
                                   message=u.message, impact=u.impact or "", doing=u.doing or "",
                                   next_update_at=nxt, severity=row.severity, audience=u.audience))
        audiences.append(u.audience)
        last_at.append(u.posted_at)
    frame["last_update"] = texts
    frame["last_update_audience"] = audiences
    frame["last_update_at"] = pd.to_datetime(pd.Series(last_at, index=frame.index, dtype=object), utc=True)
    frame["overdue"] = frame["next_update_due"].notna() & (frame["next_update_due"] < pd.Timestamp(now))
    return frame[BOARD_COLUMNS].reset_index(drop=True)
