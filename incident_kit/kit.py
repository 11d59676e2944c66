"""``Kit``: the public Python API, and ``open`` which hands one out.

Each domain contributes a mixin; ``Kit`` only holds the database and, for the
trusted local operator only, the default actor (``kit_part``). One DuckDB
connection is shared per process and file.
"""

from __future__ import annotations

import getpass
import os
import sys
import threading
from pathlib import Path

from .alerts.api import AlertAPI
from .analytics.api import AnalyticsAPI
from .catalog.api import CatalogAPI
from .components.api import ComponentsAPI
from .config import is_url, resolve_db_path
from .db import open_database
from .errors import StoreUnavailable
from .export.api import ExportAPI
from .follow_up.api import FollowUpAPI
from .importers.api import ImportAPI
from .incident.api import IncidentAPI
from .maintenance.api import MaintenanceAPI
from .notify.api import NotifyAPI
from .review.api import ReviewAPI
from .similar.api import SimilarAPI
from .statuspage.api import StatusPageAPI
from .subscribers.api import SubscribersAPI
from .tokens.api import TokensAPI

_OPEN: dict[tuple[str, bool], list] = {}  # (path, read_only) -> [database, users]
_OPEN_LOCK = threading.Lock()


def local_user() -> str:
    """The trusted local operator's name: ``$INCIDENT_KIT_USER``, else the OS account.

    Only the CLI, notebooks and scripts pass it (``open(path, user=local_user())``): whoever
    runs them holds the database file anyway. The app and the HTTP API never do.
    """
    try:
        return os.environ.get("INCIDENT_KIT_USER") or getpass.getuser()
    except Exception:  # no passwd entry in some containers
        return "unknown"


CLOSE_WAIT_SECONDS = 60  # a rebuild's read is seconds at 1M incidents; the indexing after it uses no connection


class Kit(IncidentAPI, CatalogAPI, ImportAPI, ExportAPI, NotifyAPI, StatusPageAPI, FollowUpAPI, ReviewAPI,
          SimilarAPI, AlertAPI, AnalyticsAPI, TokensAPI, ComponentsAPI, MaintenanceAPI,
          SubscribersAPI):
    """Open with ``incident_kit.open(path, user=...)``; every method is one atomic change or one read.

    ``user`` is the trusted local operator, who acts and views when a call names nobody. Without
    it (the app, the HTTP API) every call must pass ``by=`` or ``viewer=``, or it raises
    ``MissingActor``.
    """

    snapshot_time = None  # when reading a published snapshot (see incident_kit.snapshot): when it was taken
    source_path = None  # ... and the live file it was copied from

    def __init__(self, db, *, user: str | None = None, _key=None):
        self.db = db
        self.user = user or None
        self._key = _key

    @property
    def path(self) -> str:
        return self.db.path

    def close(self) -> None:
        if self._key is None:
            return
        with _OPEN_LOCK:
            entry = _OPEN.get(self._key)
            if entry is not None:
                entry[1] -= 1
                if entry[1] <= 0:
                    # A background rebuild of the similar index may be reading through this connection;
                    # DuckDB refuses to close a connection another thread is using ("connection is busy").
                    # (Only if the index module was ever loaded: importing it costs numpy, and a CLI call that
                    # never looked for similar incidents has no rebuild to wait for.)
                    index = sys.modules.get("incident_kit.similar.index")
                    if index is not None:
                        index.wait_for_rebuild(entry[0], timeout=CLOSE_WAIT_SECONDS)
                    entry[0].close()
                    del _OPEN[self._key]
        self._key = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self) -> str:
        return f"<incident_kit.Kit {self.path}>"


def open(path: str | os.PathLike | None = None, *, read_only: bool = False, user: str | None = None,
         write_strategy: str = "lock", snapshot: bool = True) -> Kit:
    """Open (creating and migrating if needed) the store at ``path``.

    ``path`` defaults to ``$INCIDENT_KIT_DB`` or ``data/incident_kit.duckdb``.
    ``user`` makes this the trusted local operator's Kit (``incident_kit.local_user()`` for
    the CLI and notebooks): calls without ``by=``/``viewer=`` act as, and see as, that user.
    Without ``user``, the Kit fails closed: such calls raise ``MissingActor``.
    Opening the same file twice in one process shares one connection.
    ``read_only=True`` while another process (the app) holds the file opens the
    app's latest published snapshot instead (``kit.snapshot_time`` says when it
    was taken); ``snapshot=False`` turns that off.
    """
    try:
        return _open(path, read_only=read_only, user=user, write_strategy=write_strategy)
    except StoreUnavailable as exc:
        if not (read_only and snapshot) or is_url(resolve_db_path(path)):  # PostgreSQL has no snapshots
            raise
        from .snapshot import fallback

        return fallback(resolve_db_path(path), exc, user=user)


def _open(path, *, read_only: bool, user: str | None, write_strategy: str) -> Kit:
    resolved = resolve_db_path(path)
    plain = isinstance(resolved, str) or str(resolved) == ":memory:"  # a URL or memory: no file to resolve
    key = (str(resolved) if plain else str(Path(resolved).resolve()), read_only)
    with _OPEN_LOCK:
        if read_only and (key[0], False) in _OPEN:  # this process holds it read-write already: share that
            key = (key[0], False)
        entry = _OPEN.get(key)
        if entry is None or key[0] == ":memory:":
            db = open_database(resolved, read_only=read_only, write_strategy=write_strategy)
            if key[0] == ":memory:":
                return Kit(db, user=user)
            entry = _OPEN[key] = [db, 0]
        entry[1] += 1
        return Kit(entry[0], user=user, _key=key)
