"""Read-only snapshots, so notebooks and the CLI can read while the app is running.

DuckDB lets one process open a file read-write, and then no other process may
open it at all. The app therefore *publishes* a copy now and then:

* ``start_publisher(kit, every_seconds=60)`` (called once by the app) starts a
  daemon thread that copies the database with ``COPY FROM DATABASE`` into a
  temporary file next to ``data/snapshots/<name>.duckdb``, records the time in a
  ``snapshot_info`` table inside the copy, and atomically renames it into place.
  It skips a round when nothing changed (and republishes at least every
  ``max_age_seconds``).
* ``incident_kit.open(path, read_only=True)`` falls back to that snapshot when the
  file is locked by another process; ``kit.snapshot_time`` then says how old the
  data is (``None`` when reading the live file). ``open_snapshot()`` opens the
  snapshot explicitly.

A reader that holds a snapshot keeps seeing the file it opened; the rename
swaps in the new one for the next open.

The snapshot is a full copy, private incidents included (the local operator's notebooks
are trusted callers and read everything), so it is readable by its owner only: the file
is 0600 and ``data/snapshots/`` 0700, set explicitly on every publish whatever the
process's umask (and tightened if an older version left them 0644/0755).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from .clock import utcnow
from .config import resolve_db_path
from .db.duckdb import quote_ident
from .errors import IncidentKitError, StoreUnavailable

log = logging.getLogger(__name__)

SNAPSHOT_DIR = "snapshots"
FILE_MODE = 0o600  # the copy holds private incidents: its owner (the operator) only
DIR_MODE = 0o700
DEFAULT_EVERY_SECONDS = 60.0  # a minute-old view is fresh enough for learning, cheap enough to copy
EVERY_ENV_VAR = "INCIDENT_KIT_SNAPSHOT_EVERY"  # seconds between snapshots; 0 turns publishing off
DEFAULT_MAX_AGE_SECONDS = 900.0  # republish at least this often even if nothing seems to have changed
_ALIAS = "ik_snapshot"  # the attached copy's catalog name (fixed, never user input)

CURRENT_DATABASE = "SELECT current_database()"
ATTACH_TARGET = f"ATTACH ? AS {_ALIAS}"
DETACH_TARGET = f"DETACH {_ALIAS}"
CREATE_INFO = f"CREATE TABLE {_ALIAS}.snapshot_info (taken_at TIMESTAMPTZ NOT NULL, source VARCHAR NOT NULL)"
INSERT_INFO = f"INSERT INTO {_ALIAS}.snapshot_info VALUES (?, ?)"
SELECT_INFO = "SELECT taken_at, source FROM snapshot_info"

_LOCK_MARK = "in use by another process"  # the phrase db.duckdb uses when another process holds the file


@dataclass(frozen=True)
class Snapshot:
    path: Path
    taken_at: dt.datetime


def snapshot_path(db_path: str | os.PathLike | None = None) -> Path:
    """``data/incident_kit.duckdb`` -> ``data/snapshots/incident_kit.duckdb``."""
    p = Path(resolve_db_path(db_path))
    return p.parent / SNAPSHOT_DIR / p.name


def _db(source):
    return getattr(source, "db", source)


_PUBLISH_LOCKS: dict[str, threading.Lock] = {}
_REGISTRY_LOCK = threading.Lock()


def _publish_lock(path: str) -> threading.Lock:
    with _REGISTRY_LOCK:
        return _PUBLISH_LOCKS.setdefault(path, threading.Lock())


def publish(source) -> Snapshot:
    """Copy the open database to its snapshot file, atomically. Call it from the process holding the file."""
    db = _db(source)
    if db.path == ":memory:":
        raise IncidentKitError("An in-memory database has no file to snapshot; open a .duckdb file.")
    target = snapshot_path(db.path)
    target.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    os.chmod(target.parent, DIR_MODE)  # mkdir's mode is cut by the umask, and an older folder may be 0755
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")

    def work(tx) -> dt.datetime:
        name = tx.fetchone(CURRENT_DATABASE)[0]
        taken = utcnow()
        tx.execute(ATTACH_TARGET, [str(tmp)])
        try:
            tx.execute(f"COPY FROM DATABASE {quote_ident(name)} TO {_ALIAS}")
            tx.execute(CREATE_INFO)
            tx.execute(INSERT_INFO, [taken, str(Path(db.path).resolve())])
        finally:
            tx.execute(DETACH_TARGET)
        return taken

    with _publish_lock(str(target)):
        for leftover in (tmp, Path(f"{tmp}.wal")):
            leftover.unlink(missing_ok=True)
        try:
            taken = db.read(work)
            os.chmod(tmp, FILE_MODE)  # DuckDB created it with the umask's mode; nobody else could reach it yet
            os.replace(tmp, target)  # atomic: a reader sees the old copy or the new one, never half
        finally:
            for leftover in (tmp, Path(f"{tmp}.wal")):
                leftover.unlink(missing_ok=True)
    return Snapshot(target, taken)


def latest(db_path: str | os.PathLike | None = None) -> Snapshot | None:
    """The published snapshot of ``db_path`` and its time, or None if there is none yet."""
    target = snapshot_path(db_path)
    if not target.exists():
        return None
    from . import open as open_kit

    with open_kit(target, read_only=True, snapshot=False) as kit:
        return Snapshot(target, snapshot_time(kit))


def snapshot_time(kit) -> dt.datetime | None:
    """When the data ``kit`` reads was copied from the live file (None for a live file)."""
    row = kit.db.read(lambda tx: tx.fetchone(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'snapshot_info'"))
    if not row[0]:
        return None
    taken = kit.db.read(lambda tx: tx.fetchone(SELECT_INFO))[0]
    return taken.astimezone(dt.timezone.utc)


def open_snapshot(db_path: str | os.PathLike | None = None, *, user: str | None = None):
    """Open the latest snapshot of ``db_path`` read-only (``kit.snapshot_time`` says when it was taken)."""
    from . import open as open_kit

    target = snapshot_path(db_path)
    if not target.exists():
        raise StoreUnavailable(
            f"No snapshot of {resolve_db_path(db_path)} has been published yet (expected {target}); the app "
            "publishes one every minute while it runs, or call incident_kit.snapshot.publish(kit) where the "
            "database is open.")
    kit = open_kit(target, read_only=True, user=user, snapshot=False)
    kit.snapshot_time = snapshot_time(kit)
    kit.source_path = str(resolve_db_path(db_path))
    return kit


def is_locked(exc: Exception) -> bool:
    return isinstance(exc, StoreUnavailable) and _LOCK_MARK in str(exc)


def fallback(db_path, exc: StoreUnavailable, *, user: str | None = None):
    """Used by ``open(read_only=True)``: the file is locked, so read the app's snapshot instead."""
    if not is_locked(exc):
        raise exc
    if not snapshot_path(db_path).exists():
        raise StoreUnavailable(
            f"{exc} No snapshot has been published yet at {snapshot_path(db_path)}; the app publishes one "
            "every minute (incident_kit.snapshot.start_publisher).") from None
    kit = open_snapshot(db_path, user=user)
    log.info("%s is in use; reading the snapshot taken %s", db_path, kit.snapshot_time)
    return kit


class Publisher:
    """Publishes a snapshot now and then, from a daemon thread, while the app runs."""

    def __init__(self, kit, *, every_seconds: float = DEFAULT_EVERY_SECONDS,
                 max_age_seconds: float = DEFAULT_MAX_AGE_SECONDS):
        if every_seconds <= 0:
            raise IncidentKitError("Publish snapshots every positive number of seconds.")
        self.kit = kit
        self.every_seconds = every_seconds
        self.max_age_seconds = max_age_seconds
        self.last: Snapshot | None = None
        self.failures = 0
        self._fingerprint = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="incident-kit-snapshots", daemon=True)

    def start(self) -> Publisher:
        self._thread.start()
        return self

    def publish_if_changed(self) -> Snapshot | None:
        fingerprint = _db(self.kit).data_version()  # "changed?": the one rule (incident_kit.db)
        fresh = self.last is not None and (utcnow() - self.last.taken_at).total_seconds() < self.max_age_seconds
        if fresh and fingerprint == self._fingerprint and snapshot_path(_db(self.kit).path).exists():
            return None
        self.last = publish(self.kit)
        self._fingerprint = fingerprint
        return self.last

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.publish_if_changed()
            except Exception:  # keep the app running; the next round tries again
                self.failures += 1
                log.exception("Publishing the read-only snapshot failed")
            self._stop.wait(self.every_seconds)

    def stop(self, timeout: float | None = 10.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        with _REGISTRY_LOCK:
            if _PUBLISHERS.get(_db(self.kit).path) is self:
                del _PUBLISHERS[_db(self.kit).path]


_PUBLISHERS: dict[str, Publisher] = {}


def start_publisher(kit, *, every_seconds: float | None = None,
                    max_age_seconds: float = DEFAULT_MAX_AGE_SECONDS) -> Publisher | None:
    """Start publishing snapshots of ``kit``'s database (once per process and file; later calls reuse it).

    ``every_seconds`` defaults to ``$INCIDENT_KIT_SNAPSHOT_EVERY`` or 60; 0 (or an
    in-memory database) publishes nothing and returns None.
    """
    if every_seconds is None:
        try:
            every_seconds = float(os.environ.get(EVERY_ENV_VAR) or DEFAULT_EVERY_SECONDS)
        except ValueError:
            raise IncidentKitError(f"{EVERY_ENV_VAR} must be a number of seconds (0 turns snapshots off).") from None
    db = _db(kit)
    if every_seconds <= 0 or db.path == ":memory:" or db.dialect != "duckdb":
        return None
    if db.read_only:
        raise IncidentKitError("Snapshots are published by the process that holds the database read-write.")
    with _REGISTRY_LOCK:
        running = _PUBLISHERS.get(db.path)
        if running is not None:
            return running
        publisher = _PUBLISHERS[db.path] = Publisher(kit, every_seconds=every_seconds,
                                                     max_age_seconds=max_age_seconds)
    return publisher.start()
