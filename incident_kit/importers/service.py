"""Read, validate and write an import: one ``db.write`` for the whole import, or nothing.

``prepare`` reads and validates (no writes) so the app can show a preview and the
validation report first; ``apply`` writes a valid ``Prepared`` in one transaction;
``import_files`` does both and raises ``ImportRejected`` (with the report) when any
file or row has a problem.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

import pandas as pd

from ..catalog import access
from ..catalog import service as catalog_service
from ..catalog import store as catalog
from ..clock import utcnow
from ..config import SETTINGS
from ..identity import clean_person
from ..errors import IncidentKitError
from ..words import count
from ..incident import facts as incidents_facts
from ..incident import hooks
from ..incident import store as incidents_store
from ..incident.models import Status
from . import csv as csv_importer
from . import gcp, mapping, postmortems, statuspage
from . import store
from .models import (EXTENSIONS, KINDS, SYNCED_FIELDS, ImportFile, ImportRejected, ImportSummary, Prepared,
                     empty_report, max_file_bytes)
from .reading import WHOLE_FILE, Context

READERS = {"statuspage": statuspage.read, "gcp": gcp.read, "csv": csv_importer.read,
           "postmortems": postmortems.read}
# A source that says "resolved" does not undo the team's own later phases.
LATER_LOCAL_PHASES = frozenset({Status.POST_INCIDENT.value, Status.CLOSED.value})
Progress = Callable[[str, int, int], None]  # (stage, done, total)


def _kind(kind: str) -> str:
    k = str(kind or "").strip().lower()
    if k not in KINDS:
        raise IncidentKitError(f"Import kind '{kind}' is not one of: {', '.join(KINDS)}.")
    return k


def collect_files(kind: str, paths: Iterable[str | os.PathLike]) -> list[ImportFile]:
    """Files as given, and every matching file under a directory (sorted, recursive)."""
    kind = _kind(kind)
    out: list[ImportFile] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in EXTENSIONS[kind]
                           and not (kind == "postmortems" and postmortems.skip_in_directory(f.name)))
            if not found:
                raise IncidentKitError(f"{p} holds no {' or '.join(EXTENSIONS[kind])} files to import.")
            out.extend(ImportFile.from_path(f) for f in found)
        elif p.is_file():
            out.append(ImportFile.from_path(p))
        else:
            raise IncidentKitError(f"There is no file or directory {p}; check the path.")
    if not out:
        raise IncidentKitError("Give at least one file or directory to import.")
    seen: set[Path] = set()
    unique = []
    for f in out:  # the same file named twice (a file and its directory) is read once
        key = Path(f.name).resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


OPEN_MAX_SETTING = "imported_open_max_days"


def _context(db, by: str, max_file_mb: float | None, now: dt.datetime) -> tuple[Context, float]:
    limit = max_file_bytes(max_file_mb)
    default = next(s.default for s in SETTINGS if s.name == OPEN_MAX_SETTING)

    def work(tx):
        severities = [s.name for s in catalog.severities(tx)]
        types: dict[str, str] = {}
        for t in catalog.types(tx):
            types[t.name.lower()] = t.name
            types[t.label.lower()] = t.name
        days = catalog_service.open_max_days_value(catalog.get_setting(tx, OPEN_MAX_SETTING, default))
        return Context(severities=severities, types=types, by=by, max_bytes=limit, now=now), days

    return db.read(work)


def prepare(db, kind: str, files: list[ImportFile], *, by: str, max_file_mb: float | None = None,
            skip_invalid: bool = False, progress: Progress | None = None) -> Prepared:
    """Read and validate without writing anything.

    ``skip_invalid``: files with problems are left out (``Prepared.skipped``, their problems in the report) and
    the others prepared, so a folder in which some documents are unusable still brings in the rest.
    """
    kind = _kind(kind)
    if not files:
        raise IncidentKitError("Give at least one file to import.")
    by = clean_person(by, "Imported by")
    now = utcnow()
    ctx, open_max_days = _context(db, by, max_file_mb, now)
    total = sum(f.size for f in files)
    done = [0]

    def on_file(size: int) -> None:
        done[0] += size
        if progress:
            progress("read", done[0], total)

    batch, report = READERS[kind](files, ctx, on_file)
    report = _in_file_order(report, files)
    skipped: list[str] = []
    if not report.empty and skip_invalid and set(report["file"]) <= {f.name for f in files}:
        bad = set(report["file"])
        good = [f for f in files if f.name not in bad]
        skipped = [f.name for f in files if f.name in bad]
        if good:  # read again without them: every problem names its file, so the rest reads clean
            batch, again = READERS[kind](good, ctx, None)
            if not again.empty:  # cannot happen for file-level problems; refuse rather than guess
                batch, report, skipped = None, pd.concat([report, _in_file_order(again, good)], ignore_index=True), []
        else:
            batch = None
    elif not report.empty:
        batch = None
    ended = 0
    if batch is not None:
        incidents, ended = mapping.end_quiet(batch.incidents, batch.updates, now=now,
                                             quiet_for=dt.timedelta(days=open_max_days))
        batch = replace(batch, incidents=incidents)
    return Prepared(kind=kind, files=[f.name for f in files], batch=batch,
                    report=report if not report.empty else empty_report(), skipped=skipped, ended_quiet=ended,
                    open_max_days=open_max_days)


def _in_file_order(report: pd.DataFrame, files: list[ImportFile]) -> pd.DataFrame:
    if report.empty:
        return report
    order = {f.name: i for i, f in enumerate(files)}
    report = report.assign(_o=report["file"].map(order).fillna(-1)).sort_values("_o", kind="stable")
    return report.drop(columns="_o").reset_index(drop=True)


def rejected_message(prepared: Prepared) -> str:
    places = prepared.report[["file", "where"]].drop_duplicates()
    files = int((places["where"] == WHOLE_FILE).sum())  # a file that could not be read as a whole
    where = " and ".join(count(n, unit) for n, unit in ((len(places) - files, "record"), (files, "file")) if n)
    return (f"{count(len(prepared.report), 'problem')} in {where}; nothing was imported. "
            "Fix the rows listed and import again.")


def import_files(db, kind: str, files: list[ImportFile], *, by: str, max_file_mb: float | None = None,
                 skip_invalid: bool = False, progress: Progress | None = None) -> ImportSummary:
    prepared = prepare(db, kind, files, by=by, max_file_mb=max_file_mb, skip_invalid=skip_invalid,
                       progress=progress)
    if not prepared.ok:
        summary = ImportSummary(kind=prepared.kind, files=len(files), rejected=prepared.rejected)
        raise ImportRejected(rejected_message(prepared), prepared.report, summary)
    return apply(db, prepared, by=by, progress=progress)


# -- writing -------------------------------------------------------------------
def _ts(value):
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    ts = pd.Timestamp(value)
    if ts is pd.NaT:
        return None
    return ts.tz_convert("UTC") if ts.tzinfo else ts.tz_localize("UTC")


def _py(value):
    ts = _ts(value) if isinstance(value, (pd.Timestamp, dt.datetime)) or value is pd.NaT else value
    if isinstance(ts, pd.Timestamp):
        return ts.to_pydatetime()
    return ts


def _norm(field: str, value):
    if field in ("declared_at", "started_at", "resolved_at", "closed_at"):
        return _ts(value)
    if field == "tags":
        return tuple(value) if value is not None and not isinstance(value, float) else ()
    if value is None or (isinstance(value, float) and value != value):
        return None
    return value


def _fmt(field: str, value) -> str | None:
    v = _norm(field, value)
    if v is None:
        return None
    if field == "tags":
        return ", ".join(v)
    if isinstance(v, pd.Timestamp):
        return v.isoformat()
    return str(v)


def apply(db, prepared: Prepared, *, by: str, progress: Progress | None = None) -> ImportSummary:
    """Write a validated import in ONE transaction: new incidents, changed ones, new and changed updates."""
    by = clean_person(by, "Imported by")
    if not prepared.ok:
        raise ImportRejected(rejected_message(prepared), prepared.report,
                             ImportSummary(kind=prepared.kind, files=len(prepared.files), rejected=prepared.rejected))
    batch = prepared.batch
    assert batch is not None  # ``prepared.ok`` says there is one
    inc = batch.incidents.reset_index(drop=True)
    upd = batch.updates.reset_index(drop=True)
    source = inc["source"].iat[0]
    ids = inc["external_id"].tolist()
    summary = ImportSummary(kind=prepared.kind, files=len(prepared.files),
                            retrospective=int((inc["mode"] == "retrospective").sum()), rejected=prepared.rejected,
                            skipped=list(prepared.skipped), ended_quiet=prepared.ended_quiet,
                            open_max_days=prepared.open_max_days, report=prepared.report)

    def work(tx) -> ImportSummary:
        # Imports rewrite history in bulk: once admins are named, only they import.
        access.require_admin(tx, by, "import incidents")
        now = utcnow()
        old = store.existing(tx, source, ids)
        old_by_ext = {row.external_id: row for row in old.itertuples(index=False)}
        is_new = ~inc["external_id"].isin(set(old_by_ext))
        fresh = inc[is_new].copy()
        first_id = incidents_store.take_incident_ids(tx, len(fresh)) if len(fresh) else 0
        fresh["id"] = range(first_id, first_id + len(fresh))
        fresh["reference"] = [f"INC-{i}" for i in fresh["id"]]
        fresh["updated_at"] = now
        id_by_ext = dict(zip(fresh["external_id"], fresh["id"]))
        id_by_ext.update({ext: int(row.id) for ext, row in old_by_ext.items()})

        # Updates: new ones (by external id) are inserted; known ones are compared.
        old_upd = store.existing_updates(tx, source, ids)
        upd_new = upd[~upd["external_id"].isin(set(old_upd["external_id"]))].copy()
        upd_new["incident_id"] = upd_new["incident_external_id"].map(id_by_ext).astype("int64")
        upd_new["id"] = store.allocate_update_ids(tx, len(upd_new))
        known = upd.merge(old_upd, on="external_id", how="inner", suffixes=("", "_old"))
        differs = (_differs_time(known["posted_at"], known["posted_at_old"])
                   | (known["status"].fillna("") != known["status_old"].fillna(""))
                   | (known["message"] != known["message_old"]))
        changed_updates = [(int(r.id), int(r.incident_id), r) for r in known[differs].itertuples(index=False)]

        tx.insert_frame("incidents", fresh[["id", "reference", "title", "summary", "severity", "type", "status",
                                            "mode", "private", "declared_by", "declared_at", "started_at",
                                            "resolved_at", "closed_at", "tags", "source", "external_id",
                                            "updated_at"]])
        tx.insert_frame("updates", upd_new[["id", "incident_id", "posted_at", "author", "audience", "status",
                                            "message", "external_id"]])
        tx.insert_frame("events", _history_events(fresh, upd_new))
        _record_imported(tx, fresh, by=by, now=now, progress=progress)
        if batch.learning is not None:
            summary.reviews_new, summary.follow_ups_new = postmortems.write_learning(
                tx, fresh, batch.learning, by=by, now=now)
        summary.new = len(fresh)
        summary.references = fresh["reference"].tolist()

        # Re-imported incidents: overwrite what changed, one event per changed field.
        updated_ids: set[int] = set()
        rows = []
        for row in inc[~is_new & inc["external_id"].isin(_maybe_changed(inc[~is_new], old))].itertuples(index=False):
            have = old_by_ext[row.external_id]
            want = {f: getattr(row, f) for f in SYNCED_FIELDS}
            if want["status"] == Status.RESOLVED.value and have.status in LATER_LOCAL_PHASES:
                want["status"] = have.status
            if _ts(want["closed_at"]) is None:
                want["closed_at"] = have.closed_at
            changes = [(f, getattr(have, f), want[f]) for f in SYNCED_FIELDS
                       if _norm(f, getattr(have, f)) != _norm(f, want[f])]
            if not changes:
                continue
            updated_ids.add(int(have.id))
            rows.append([want["title"], want["summary"], want["severity"], want["status"], want["mode"],
                         _py(want["declared_at"]), _py(want["started_at"]), _py(want["resolved_at"]),
                         _py(want["closed_at"]), list(want["tags"]), now, int(have.id)])
            for field, before, after in changes:
                incidents_store.record_event(tx, int(have.id), actor=by, kind="import_updated", occurred_at=now,
                                             field=field, old=_fmt(field, before), new=_fmt(field, after))
        store.update_incidents(tx, rows)
        store.update_updates(tx, [[_py(r.posted_at), r.status, r.message, uid] for uid, _, r in changed_updates])
        for uid, iid, r in changed_updates:
            updated_ids.add(iid)
            incidents_store.record_event(tx, iid, actor=by, kind="import_updated", occurred_at=now, field="update",
                                         new=uid, detail=f"update {r.external_id} changed at the source")
        for iid, group in upd_new[~upd_new["incident_id"].isin(set(fresh["id"]))].groupby("incident_id"):
            updated_ids.add(int(iid))
            incidents_store.record_event(tx, int(iid), actor=by, kind="import_updated", occurred_at=now,
                                         field="updates", new=len(group),
                                         detail=f"{count(len(group), 'new update')} from the source")
        incidents_facts.refresh(tx, [*fresh["id"], *upd_new["incident_id"], *(iid for _, iid, _ in changed_updates)])
        summary.updated = len(updated_ids)
        summary.unchanged = int((~is_new).sum()) - len(updated_ids)
        summary.updates_new = len(upd_new)
        summary.updates_changed = len(changed_updates)
        if progress:
            progress("write", len(fresh), len(fresh))
        return summary

    return db.write(work)


def _differs_time(new: pd.Series, old: pd.Series) -> pd.Series:
    a = pd.to_datetime(new, utc=True).astype("datetime64[us, UTC]")
    b = pd.to_datetime(old, utc=True).astype("datetime64[us, UTC]")
    return ~((a == b) | (a.isna() & b.isna()))


def _maybe_changed(incoming: pd.DataFrame, old: pd.DataFrame) -> set[str]:
    """External ids whose synced fields may differ (a vectorised first pass; the loop decides exactly)."""
    m = incoming.merge(old, on="external_id", how="inner", suffixes=("", "_old"))
    if m.empty:
        return set()
    mask = pd.Series(False, index=m.index)
    for f in SYNCED_FIELDS:
        if f.endswith("_at"):
            mask |= _differs_time(m[f], m[f + "_old"])
        elif f == "tags":
            mask |= m[f].map(lambda v: tuple(v)) != m[f + "_old"].map(lambda v: () if v is None else tuple(v))
        else:
            mask |= m[f].fillna("").astype(str) != m[f + "_old"].fillna("").astype(str)
    return set(m.loc[mask, "external_id"])


def _record_imported(tx, fresh: pd.DataFrame, *, by: str, now: dt.datetime, progress: Progress | None) -> None:
    """One ``imported`` event per new incident: ``record_event``'s bulk twin.

    Same row and the same in-transaction hook call (``hooks.emit`` with the payload
    ``record_event`` builds), but the rows go in with one bulk insert: one
    ``record_event`` round trip per incident would cost ~13 s for 10k incidents.
    """
    if fresh.empty:
        return
    ids = store.allocate_event_ids(tx, len(fresh))
    detail = ("from " + fresh["source"] + " " + fresh["external_id"]
              + fresh["mode"].map(lambda m: " (posted after the fact: retrospective)" if m == "retrospective" else ""))
    frame = pd.DataFrame({"id": ids, "incident_id": fresh["id"].to_numpy(), "occurred_at": now, "actor": by,
                          "kind": "imported", "field": None, "old_value": None, "new_value": None,
                          "detail": detail.to_numpy()})
    frame["occurred_at"] = pd.to_datetime(frame["occurred_at"], utc=True)
    tx.insert_frame("events", frame)
    for n, (event_id, iid, text) in enumerate(zip(ids, frame["incident_id"], frame["detail"])):
        hooks.emit(tx, "imported", int(iid), {"event_id": event_id, "actor": by, "field": None, "old": None,
                                              "new": None, "detail": text, "occurred_at": now})
        if progress and n % 1000 == 0:
            progress("write", n, len(fresh))


def _history_events(fresh: pd.DataFrame, upd_new: pd.DataFrame) -> pd.DataFrame:
    """The timeline the source already tells: declared, each published update, status moves.

    Written through the bulk path at their original times and without hooks, so importing
    history notifies nobody; the ``imported`` event (recorded with hooks) marks the change.
    """
    rows: list[tuple] = []  # (incident_id, occurred_at, actor, kind, field, old_value, new_value, detail)
    fresh_ids = set(fresh["id"])
    for row in fresh.itertuples(index=False):
        rows.append((int(row.id), row.declared_at, row.declared_by, "declared", "status", None,
                     Status.INVESTIGATING.value, row.severity))
    mine = upd_new[upd_new["incident_id"].isin(fresh_ids)].sort_values(["incident_id", "posted_at", "id"])
    last_status: dict[int, str] = {}
    for u in mine.itertuples(index=False):
        iid = int(u.incident_id)
        current = last_status.get(iid, Status.INVESTIGATING.value)
        if u.status and u.status != current:
            rows.append((iid, u.posted_at, u.author, "status_changed", "status", current, u.status, None))
            last_status[iid] = u.status
        rows.append((iid, u.posted_at, u.author, "update_posted", "update", None, str(int(u.id)), u.audience))
    for row in fresh.itertuples(index=False):
        iid = int(row.id)
        current = last_status.get(iid, Status.INVESTIGATING.value)
        if row.status != current:
            when = row.closed_at if row.status == Status.CLOSED.value and _ts(row.closed_at) is not None else (
                row.resolved_at if _ts(row.resolved_at) is not None else row.declared_at)
            rows.append((iid, when, row.declared_by, "status_changed", "status", current, row.status, None))
    frame = pd.DataFrame(rows, columns=["incident_id", "occurred_at", "actor", "kind", "field", "old_value",
                                        "new_value", "detail"])
    frame["occurred_at"] = pd.to_datetime(frame["occurred_at"], utc=True)
    # Existing incidents: new updates get their update_posted events too.
    other = upd_new[~upd_new["incident_id"].isin(fresh_ids)]
    if len(other):
        extra = pd.DataFrame({"incident_id": other["incident_id"].astype(int), "occurred_at": other["posted_at"],
                              "actor": other["author"], "kind": "update_posted", "field": "update",
                              "old_value": None, "new_value": other["id"].astype(int).astype(str),
                              "detail": other["audience"]})
        frame = pd.concat([frame, extra], ignore_index=True)
    return frame
