"""The rules for follow-ups. Each public function is one atomic change with its timeline event."""

from __future__ import annotations

from typing import TYPE_CHECKING

import datetime as dt
from urllib.parse import urlparse

if TYPE_CHECKING:  # pandas loads only where a frame is built, so write commands start fast
    import pandas as pd

from .. import bounds
from ..catalog import store as catalog
from ..clock import UTC, to_utc, utcnow
from ..errors import IncidentKitError, NotFound
from ..identity import clean_person, is_checked
from ..incident import service as incidents
from ..incident import store as incident_store
from ..incident.models import Incident, Status
from ..incident.visibility import can_see, scope
from . import store
from .models import (FINISHED, FollowUp, FollowUpStatus, Priority, default_due_days, parse_id, parse_priority,
                     parse_status, reference)

TITLE_MAX = 200  # a tracker issue title, not an essay: detail goes in the description


def _clean_title(title) -> str:
    text = " ".join(bounds.without_nul(str(title or "")).split())
    if not text:
        raise IncidentKitError("A follow-up needs a title: say in a few words what will be done.")
    if len(text) > TITLE_MAX:
        raise IncidentKitError(f"The title is {len(text)} characters; keep it under {TITLE_MAX} and put detail "
                               "in the description.")
    return text


def _clean_url(url) -> str | None:
    text = str(url or "").strip()
    if not text:
        return None
    parsed = urlparse(text)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise IncidentKitError(f"Tracker link '{text}' is not an http(s) URL; paste the issue's address.")
    return text


def parse_due(value) -> dt.datetime | None:
    """A date means the end of that day in UTC; a datetime must carry its offset."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return bounds.when(dt.datetime.combine(value, dt.time(23, 59, 59), tzinfo=UTC), field="due date",
                           allow_future=True)
    if hasattr(value, "to_pydatetime"):  # a pandas Timestamp
        value = value.to_pydatetime()
    if isinstance(value, str) and len(value.strip()) == 10:
        try:
            return parse_due(dt.date.fromisoformat(value.strip()))
        except ValueError:
            raise IncidentKitError(f"Due date '{value}' is not a date; use YYYY-MM-DD.") from None
    return bounds.when(value, field="due date", allow_future=True)


FOLLOW_UP_NOT_FOUND = "There is no follow-up {reference}; check the reference (e.g. FU-12)."


def _load_follow_up(tx, follow_up_id, viewer=None) -> FollowUp:
    """The follow-up if ``viewer`` may see its incident; one of a hidden incident is refused like a missing one."""
    fid = parse_id(follow_up_id)
    item = store.get(tx, fid)
    if item is None or not can_see(tx, incident_store.get_by_id(tx, item.incident_id), viewer):
        raise NotFound(FOLLOW_UP_NOT_FOUND.format(reference=reference(fid)))
    return item


def _written(item: FollowUp | None) -> FollowUp:
    """A follow-up this transaction just wrote (read back with its stored values); it exists."""
    assert item is not None  # written above, in the same transaction; nothing is hard-deleted
    return item


def _load_for_change(tx, follow_up_id, by) -> FollowUp:
    """A checked actor changes only follow-ups of incidents they may see; a plain ``str`` is trusted."""
    return _load_follow_up(tx, follow_up_id, by if is_checked(by) else None)


def default_due(tx, incident: Incident, now: dt.datetime) -> dt.datetime:
    levels = catalog.severities(tx)
    rank = next((s.rank for s in levels if s.name == incident.severity), 1)
    return now + dt.timedelta(days=default_due_days(rank, len(levels)))


def add(db, reference_: str, title: str, *, by: str, owner: str | None = None, due=None,
        priority: str = "medium", description: str = "", tracker_url: str | None = None,
        source: str | None = None) -> FollowUp:
    """Owner defaults to the person adding it; the due date defaults by the incident's severity."""
    by = clean_person(by, "Added by")
    title = _clean_title(title)
    owner_ = clean_person(owner, "Owner") if str(owner or "").strip() else by
    description = bounds.text(description, what="The description", limit=bounds.SUMMARY_MAX)
    prio = parse_priority(priority)
    due_at = parse_due(due)
    url = _clean_url(tracker_url)

    def work(tx) -> FollowUp:
        incident = incidents.load_for_change(tx, reference_, by)
        if incident.status == Status.MERGED:
            raise IncidentKitError(f"{incident.reference} was merged into {incident.merged_into}; "
                                   "add the follow-up there.")
        now = utcnow()
        due_final = due_at or default_due(tx, incident, now)
        fid = store.insert(tx, incident_id=incident.id, title=title, description=description,
                           owner=owner_, priority=prio, due_at=due_final, tracker_url=url, created_at=now,
                           created_by=by)
        detail = f"{reference(fid)} · owner {owner_} · due {due_final:%Y-%m-%d}"
        if source:
            detail += f" · from the {source}"
        incident_store.record_event(tx, incident.id, actor=by, kind="follow_up_added", occurred_at=now,
                                    field="follow_up", new=title, detail=detail)
        return _written(store.get(tx, fid))

    return db.write(work)


def add_imported(tx, incident_id: int, title: str, *, description: str, done: bool, by: str,
                 now: dt.datetime) -> int:
    """Inside a caller's transaction: an action item from an imported document, done or open as it says.

    No due date (the document gives none); one done at import counts as completed at import time.
    """
    fid = store.insert(tx, incident_id=incident_id, title=_clean_title(title), description=description.strip(),
                       owner=by, priority=Priority.MEDIUM, due_at=None, tracker_url=None, created_at=now,
                       created_by=by)
    if done:
        store.set_status(tx, fid, FollowUpStatus.DONE, reason=None, completed_at=now)
    incident_store.record_event(tx, incident_id, actor=by, kind="follow_up_added", occurred_at=now,
                                field="follow_up", new=_clean_title(title),
                                detail=f"{reference(fid)} · imported" + (" as done" if done else ""))
    return fid


def set_status(db, follow_up_id, status: str, *, by: str, reason: str | None = None) -> FollowUp:
    """open, in_progress, done, or wont_do (with a one-line reason); finished items may be reopened."""
    by = clean_person(by, "Changed by")
    target = parse_status(status)
    why = bounds.note(" ".join(str(reason or "").split()), what="The reason")
    if target == FollowUpStatus.WONT_DO and not why:
        raise IncidentKitError("Say in one line why this follow-up won't be done (e.g. 'Superseded by the "
                               "platform migration').")

    def work(tx) -> FollowUp:
        item = _load_for_change(tx, follow_up_id, by)
        if item.status == target:
            raise IncidentKitError(f"{item.reference} is already {target.label.lower()}.")
        now = utcnow()
        completed = now if target in FINISHED else None
        store.set_status(tx, item.id, target, reason=why if target == FollowUpStatus.WONT_DO else None,
                         completed_at=completed)
        incident_store.record_event(tx, item.incident_id, actor=by, kind="follow_up_status_changed",
                                    occurred_at=now, field=item.reference, old=item.status.value,
                                    new=target.value, detail=f"{item.title}" + (f": {why}" if why else ""))
        return _written(store.get(tx, item.id))

    return db.write(work)


def complete(db, follow_up_id, *, by: str) -> FollowUp:
    return set_status(db, follow_up_id, FollowUpStatus.DONE.value, by=by)


def edit(db, follow_up_id, *, by: str, title=None, description=None, owner=None, priority=None, due=None,
         tracker_url=None) -> FollowUp:
    """Change any of title, description, owner, priority, due date or tracker link; one event per change."""
    by = clean_person(by, "Edited by")
    changes: dict[str, object] = {}
    if title is not None:
        changes["title"] = _clean_title(title)
    if description is not None:
        changes["description"] = bounds.text(description, what="The description", limit=bounds.SUMMARY_MAX)
    if owner is not None:
        changes["owner"] = clean_person(owner, "Owner")
    if priority is not None:
        changes["priority"] = parse_priority(priority).value
    if due is not None:
        changes["due_at"] = parse_due(due)
    if tracker_url is not None:
        changes["tracker_url"] = _clean_url(tracker_url)

    def work(tx) -> FollowUp:
        item = _load_for_change(tx, follow_up_id, by)
        current = {"title": item.title, "description": item.description, "owner": item.owner,
                   "priority": item.priority.value, "due_at": item.due_at, "tracker_url": item.tracker_url}
        changed = {k: v for k, v in changes.items() if v != current[k]}
        if not changed:
            raise IncidentKitError(f"Nothing to change on {item.reference}: the new values match the current ones.")
        now = utcnow()
        for column, new in changed.items():
            store.set_column(tx, item.id, column, new)
            old = current[column]
            fmt = (lambda v: v.isoformat() if isinstance(v, dt.datetime) else v)
            incident_store.record_event(
                tx, item.incident_id, actor=by, kind="follow_up_edited", occurred_at=now, field=column,
                old=None if column == "description" else fmt(old),
                new=None if column == "description" else fmt(new), detail=f"{item.reference} {item.title}")
        return _written(store.get(tx, item.id))

    return db.write(work)


def link(db, follow_up_id, url: str, *, by: str) -> FollowUp:
    """Write back the link of the tracker issue this follow-up became."""
    if not str(url or "").strip():
        raise IncidentKitError("Give the tracker issue's URL to link.")
    return edit(db, follow_up_id, by=by, tracker_url=url)


def import_links(db, text: str, *, by: str) -> dict[str, int]:
    """Read (Follow up ID, Tracker URL) pairs from CSV text; link those that changed, in one transaction."""
    by = clean_person(by, "Linked by")
    from . import export

    pairs = [(parse_id(fid), _clean_url(url)) for fid, url in export.read_links(text)]

    def work(tx) -> dict[str, int]:
        linked = unchanged = 0
        now = utcnow()
        for fid, url in pairs:
            item = _load_for_change(tx, fid, by)
            if item.tracker_url == url:
                unchanged += 1
                continue
            store.set_column(tx, item.id, "tracker_url", url)
            incident_store.record_event(tx, item.incident_id, actor=by, kind="follow_up_edited", occurred_at=now,
                                        field="tracker_url", old=item.tracker_url, new=url,
                                        detail=f"{item.reference} {item.title}")
            linked += 1
        return {"linked": linked, "unchanged": unchanged}

    return db.write(work)


def get(db, follow_up_id, *, viewer: str | None = None) -> FollowUp:
    return db.read(lambda tx: _load_follow_up(tx, follow_up_id, viewer))


def still_open_count(db, reference_: str, *, viewer: str | None = None) -> int:
    """How many of the incident's follow-ups are open or in progress."""
    return db.read(lambda tx: store.count_still_open(tx, incidents.load_visible(tx, reference_, viewer).id))


def _filters(tx, *, viewer, incident, owner, status, still_open, overdue, now, include_private) -> dict:
    """The store's filters for ``follow_ups`` and ``follow_up_counts`` (one reading, so they never disagree)."""
    if isinstance(status, str):
        status = [status]
    statuses = [parse_status(s).value for s in status] if status else None
    if still_open:
        statuses = [s for s in (statuses or ["open", "in_progress"]) if s in ("open", "in_progress")] or ["-"]
    see_all, who = scope(tx, viewer)
    return dict(now=to_utc(now, field="now") or utcnow(), see_all=see_all, viewer=who,
                incident_id=incidents.load_visible(tx, incident, viewer).id if incident else None,
                owner=" ".join(str(owner or "").split()) or None, statuses=statuses,
                overdue_only=bounds.flag(overdue, what="Overdue"),
                include_private=bounds.flag(include_private, what="Include private"))


def follow_ups(db, *, viewer: str | None = None, incident: str | None = None, owner: str | None = None,
               status=None, still_open: bool = False, overdue: bool = False, now=None,
               include_private: bool = True, limit: int | None = None) -> pd.DataFrame:
    """One row per follow-up: still-open first, then by due date. ``overdue`` = open or in progress and past due.

    ``include_private=False`` leaves out every private incident's follow-ups, even those the viewer may see.
    ``limit``: the first that many rows (None: all).
    """
    limit_ = bounds.limit(limit)
    filters = dict(viewer=viewer, incident=incident, owner=owner, status=status, still_open=still_open,
                   overdue=overdue, now=now, include_private=include_private)
    frame = db.read(lambda tx: store.list_follow_ups(tx, limit=limit_, **_filters(tx, **filters)))

    from . import schemas  # pandera loads only for reads

    return schemas.validate(frame)


def counts(db, *, viewer: str | None = None, incident: str | None = None, owner: str | None = None,
           status=None, still_open: bool = False, overdue: bool = False, now=None,
           include_private: bool = True) -> dict[str, int]:
    """``{"total", "overdue"}`` for the same filters (and visibility) as ``follow_ups``, counted in SQL."""
    filters = dict(viewer=viewer, incident=incident, owner=owner, status=status, still_open=still_open,
                   overdue=overdue, now=now, include_private=include_private)
    return db.read(lambda tx: store.count_follow_ups(tx, **_filters(tx, **filters)))
