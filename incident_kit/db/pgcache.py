"""Where a PostgreSQL store's analytics copy (``db/pgcopy.py``) is kept between processes: a DuckDB file.

Why: a fresh process (``incident-kit metrics --json``, an app start) took the whole copy, ~12 s at a million
incidents, every time. A file remembers the copy, the snapshot it was read in and its shape, so the next
process refreshes only the incidents changed since, through the change log (migration 19), as a running
process does after each change. A file DuckDB also caps the copy's memory (``memory_limit``: DuckDB keeps
the rest on disk), where an in-memory copy held every row in the process.

* **Where**: ``$INCIDENT_KIT_ANALYTICS_CACHE`` (a directory; ``off`` keeps the copy in memory as before),
  else ``$XDG_CACHE_HOME/incident-kit/analytics`` (``~/.cache/...``): never in the repository or beside the
  store. One file per server and database, named by a digest of the server's system identifier and the
  database's name.
* **Private**: it holds private incidents' rows, so the directory is made ``0700`` and every file in it
  ``0600``; a directory that others can read is not used (one log line, the copy stays in memory).
* **What the file must match**, else it is emptied and copied whole (``identity``): this code's file
  format, DuckDB version and migrations, the store's migrations, the server's system identifier, the
  database's name and OID (a database dropped and created again under its name is another one). A log
  pruned past the file's snapshot, or a server whose transaction ids went back (a restore), also mean a
  whole copy (``pgcopy``).
* **One process per file**: DuckDB lets one process open a file read-write, and refuses the others at
  once (a file lock: nobody waits). The app holds its file while it runs, so there are ``SLOTS`` files per
  database: a command line run meanwhile takes the next one. When every slot is held, the copy is taken in
  memory for that process, with one log line. Within a process each file is held by one copy at a time.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import stat
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import StoreUnavailable

if TYPE_CHECKING:
    from .duckdb import DuckDBDatabase
    from .postgres import PostgresDatabase

log = logging.getLogger(__name__)

CACHE_ENV = "INCIDENT_KIT_ANALYTICS_CACHE"  # a directory, or "off"
MEMORY_ENV = "INCIDENT_KIT_ANALYTICS_MEMORY"  # DuckDB's memory_limit for the file copy, e.g. "2GB"
# The copy at a million incidents is ~0.5 GiB on disk; the Insights queries' hash tables and sorts come on
# top. 1 GiB keeps a PostgreSQL app's process under its 2 GiB goal (docs/scale.md); DuckDB spills beyond it.
MEMORY_LIMIT = "1GB"
_MEMORY = re.compile(r"^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$", re.IGNORECASE)
SLOTS = 2  # the app's file, and one for a command line run while the app holds the first
FORMAT = 1  # what the file holds and how: a change makes every existing file a whole copy
PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600

IDENTITY = """
SELECT s.system_identifier::text, current_database(), d.oid::text
FROM pg_control_system() AS s, pg_database AS d WHERE d.datname = current_database()"""
STORE_MIGRATIONS = "SELECT coalesce(max(version), 0) FROM schema_migrations"
META_SCHEMA = "CREATE SCHEMA IF NOT EXISTS incident_kit_copy"
META_TABLE = "CREATE TABLE IF NOT EXISTS incident_kit_copy.meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)"
META_READ = "SELECT key, value FROM incident_kit_copy.meta"
META_WRITE = "INSERT OR REPLACE INTO incident_kit_copy.meta (key, value) VALUES (?, ?)"
META_CLEAR = "DELETE FROM incident_kit_copy.meta"
META_EXISTS = ("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'incident_kit_copy' "
               "AND table_name = 'meta'")

_HELD: set[str] = set()  # files a copy in this process holds (DuckDB would share one instance between them)
_HELD_LOCK = threading.Lock()


def directory() -> Path | None:
    """The cache directory, or None when the copy is kept in memory (``INCIDENT_KIT_ANALYTICS_CACHE=off``)."""
    chosen = os.environ.get(CACHE_ENV, "").strip()
    if chosen.lower() == "off":
        return None
    if chosen:
        return Path(chosen).expanduser()
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or Path.home() / ".cache"
    return Path(base) / "incident-kit" / "analytics"


def memory_limit() -> str:
    chosen = os.environ.get(MEMORY_ENV, "").strip()
    if chosen and not _MEMORY.match(chosen):
        log.warning("%s=%r is not a size such as 2GB; the analytics copy uses %s.", MEMORY_ENV, chosen,
                    MEMORY_LIMIT)
        return MEMORY_LIMIT
    return chosen or MEMORY_LIMIT


def identity(source: PostgresDatabase) -> dict:
    """What a kept copy must match to be refreshed rather than copied whole (see the module's docstring)."""
    from .migrate import versions

    def work(tx) -> tuple:
        server = tx.fetchone(IDENTITY)
        migrated = tx.fetchone(STORE_MIGRATIONS)
        assert server is not None and migrated is not None
        return (*server, int(migrated[0]))

    import duckdb

    system, database, oid, migrated = source.read(work)
    return {"format": FORMAT, "duckdb": duckdb.__version__, "system_identifier": system, "database": database,
            "database_oid": oid, "store_migrations": migrated, "code_migrations": max(versions())}


def file_name(ident: dict, slot: int) -> str:
    digest = hashlib.blake2b(f"{ident['system_identifier']}\0{ident['database']}".encode(), digest_size=12)
    return f"{digest.hexdigest()}{'' if slot == 0 else f'-{slot}'}.duckdb"


def _private_directory(where: Path) -> bool:
    """Make ``where`` (0700 when this creates it); False, with a log line, when others may read it."""
    try:
        where.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
        mode = where.stat().st_mode
    except OSError as exc:
        log.warning("The analytics copy stays in memory: cannot use %s (%s).", where, exc)
        return False
    if stat.S_IMODE(mode) & 0o077:
        log.warning("The analytics copy stays in memory: %s can be read by other users (mode %o); make it "
                    "private (chmod 700) or set %s to another directory.", where, stat.S_IMODE(mode), CACHE_ENV)
        return False
    return True


def make_private(path: Path) -> None:
    """The file and DuckDB's companions (its write-ahead log, spill directory) readable by the owner only."""
    for p in (path, path.with_name(path.name + ".wal"), path.with_name(path.name + ".tmp")):
        try:
            if p.exists():
                os.chmod(p, PRIVATE_DIR if p.is_dir() else PRIVATE_FILE)
        except OSError:
            pass


def _remove(path: Path) -> None:
    for p in (path, path.with_name(path.name + ".wal")):
        p.unlink(missing_ok=True)


def _busy(exc: Exception) -> bool:
    return isinstance(exc, StoreUnavailable) and "in use by another process" in str(exc)


class KeptCopy:
    """A cache file opened read-write by this process: ``db`` and what it remembers (``meta``: empty when it
    must be copied whole). ``release`` closes it and lets another copy in this process take it."""

    def __init__(self, path: Path, db: DuckDBDatabase, meta: dict[str, str]):
        self.path, self.db, self.meta = path, db, meta

    def remember(self, tx, **values: str) -> None:
        """Note ``values`` in the transaction that loads the rows they describe (both or neither persist)."""
        for key, value in values.items():
            tx.execute(META_WRITE, [key, value])

    def release(self) -> None:
        try:
            self.db.close()
        finally:
            make_private(self.path)
            with _HELD_LOCK:
                _HELD.discard(str(self.path))


def open_kept(source: PostgresDatabase, build) -> KeptCopy | None:
    """This store's kept copy, opened read-write, or None (kept in memory: off, busy, not private, failing).

    ``build(db)`` makes an empty file's schema. A file that does not match ``identity(source)`` (or cannot be
    read as one) is replaced by an empty one.
    """
    where = directory()
    if where is None or not _private_directory(where):
        return None
    try:
        ident = identity(source)
    except Exception as exc:  # e.g. a server without pg_control_system: the copy is still right in memory
        log.warning("The analytics copy stays in memory: cannot tell which server this is (%s).", exc)
        return None
    expected = json.dumps(ident, sort_keys=True)
    for slot in range(SLOTS):
        path = where / file_name(ident, slot)
        with _HELD_LOCK:
            if str(path) in _HELD:
                continue
            _HELD.add(str(path))
        try:
            kept = _open(path, expected, build)
        except Exception as exc:
            with _HELD_LOCK:
                _HELD.discard(str(path))
            if _busy(exc):
                continue  # another process holds this slot
            log.warning("The analytics copy stays in memory: cannot use %s (%s).", path, exc)
            return None
        return kept
    log.warning("The analytics copy stays in memory for this process: every kept copy of this database in %s "
                "is in use by another process.", where)
    return None


def _open(path: Path, expected: str, build) -> KeptCopy:
    from .duckdb import DuckDBDatabase

    old_mask = os.umask(0o077)  # DuckDB creates the file (and later its log) with the process's mask
    try:
        db = DuckDBDatabase(path)
    except StoreUnavailable as exc:
        if _busy(exc) or not path.exists():
            raise
        _remove(path)  # not a DuckDB file we can read (damaged, another version): a new one
        db = DuckDBDatabase(path)
    finally:
        os.umask(old_mask)
    try:
        db.write(lambda tx: tx.execute(f"SET GLOBAL memory_limit = '{memory_limit()}'"))
        meta = db.read(lambda tx: dict(tx.fetchall(META_READ)) if _count(tx, META_EXISTS) else {})
        if meta.get("identity") != expected:
            if meta or _has_tables(db):
                db.close()
                _remove(path)
                db = DuckDBDatabase(path)
                db.write(lambda tx: tx.execute(f"SET GLOBAL memory_limit = '{memory_limit()}'"))
            build(db)

            def start(tx) -> None:
                tx.execute(META_SCHEMA)
                tx.execute(META_TABLE)
                tx.execute(META_WRITE, ["identity", expected])

            db.write(start)
            meta = {}
    except BaseException:
        db.close()
        raise
    make_private(path)
    return KeptCopy(path, db, meta)


def _count(tx, sql: str) -> int:
    row = tx.fetchone(sql)
    return int(row[0]) if row else 0


def _has_tables(db: DuckDBDatabase) -> bool:
    return bool(db.read(lambda tx: _count(tx, "SELECT count(*) FROM information_schema.tables")))
