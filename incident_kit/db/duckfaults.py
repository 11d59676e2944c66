"""A failure of a DuckDB file as one sentence a person can act on (disk full, damage, a newer or other format).

DuckDB reports these as exceptions whose text names the cause; ``explain_failure`` maps each to a
``StoreUnavailable`` naming the file and what to do, and leaves anything else (a conflict to retry, a
bug in SQL) as it is. ``db/duckdb.py`` uses it when opening a file and around every unit of work.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

import duckdb

from ..errors import StoreUnavailable

F = TypeVar("F", bound=Callable[..., Any])

_LOCK_RE = re.compile(r"Conflicting lock is held in (?P<prog>\S+) \(PID (?P<pid>\d+)\)")
_FULL_RE = re.compile(r"No space left on device|File too large|Disk quota exceeded", re.I)
_NOT_DUCKDB_RE = re.compile(r"not a valid DuckDB database file", re.I)
_DAMAGED_RE = re.compile(r"Corrupt database file|Could not read enough bytes"
                         r"|checksum|Failed to read database header|database file is truncated", re.I)
_NEWER_RE = re.compile(r"Trying to read a database file with version number", re.I)
# DuckDB recognises some other files (SQLite) and reaches for the extension that reads them; with
# ``duckdb.CONFIG`` it fails instead ("Extension ... not found ... Install it first"): the file is not DuckDB's.
_OTHER_FORMAT_RE = re.compile(r"\bextension\b", re.I)
_SQLITE_HEADER = b"SQLite format 3\x00"  # the first 16 bytes of every SQLite 3 database file
_INVALIDATED_RE = re.compile(r"invalidated")
# Failures of the file itself, tried in order: the first whose pattern (or exception type) matches names it.
# {path} is the file, {detail} the first line of DuckDB's own message. A sentence whose advice only works at a
# command line has its app wording in _IN_APP (the app never names a flag or a pip command).
_FILE_FAILURES: list[tuple[tuple, str]] = [
    ((_FULL_RE,), "The disk holding the database {path} is full (or the file hit its size limit), "
                  "so nothing was saved; free some space and try again."),
    ((_NEWER_RE,), "The database {path} was written by a newer DuckDB than this incident-kit uses; "
                   "upgrade incident-kit (pip install -U incident-kit) to open it."),
    ((_NOT_DUCKDB_RE,), "{path} is not a DuckDB database file; check the --db path (or INCIDENT_KIT_DB), "
                        "or restore the file from a backup if it was one."),
    ((_DAMAGED_RE,), "The database {path} is damaged ({detail}); restore it from a backup, "
                     "or restore an `incident-kit export` into a new --db file."),
    ((duckdb.FatalException, _INVALIDATED_RE), "The database {path} stopped after an earlier failure ({detail}); "
                                               "close the app or command and open it again."),
    ((duckdb.IOException,), "Cannot read or write the database {path} ({detail}); check the disk "
                            "and the file's permissions, then try again."),
]
_IN_APP = {
    _NEWER_RE: "The database {path} was written by a newer version of incident-kit; ask whoever runs this app "
               "to upgrade it.",
    _NOT_DUCKDB_RE: "{path} is not a database incident-kit can open; ask whoever runs this app to check which "
                    "file it uses, or to restore it from a backup.",
    _DAMAGED_RE: "The database {path} is damaged ({detail}); ask whoever runs this app to restore it from a "
                 "backup or an export.",
}


def explain_failure(path: str | Path, exc: BaseException) -> StoreUnavailable | None:
    """One sentence naming the file and what to do, for a failure of the file itself (disk full,
    damage, I/O); None for anything else (a conflict to retry, a bug in SQL), which stays as it is."""
    if not isinstance(exc, duckdb.Error):
        return None
    text = str(exc)
    for signs, sentence in _FILE_FAILURES:
        if any(isinstance(exc, sign) if isinstance(sign, type) else sign.search(text) for sign in signs):
            words = {"path": path, "detail": _first_line(text)}
            in_app = _IN_APP.get(signs[0])
            return StoreUnavailable(sentence.format(**words), in_app=in_app.format(**words) if in_app else None)
    return None


def _first_line(text: str, width: int = 160) -> str:
    line = (text.strip().splitlines() or [""])[0]
    return line if len(line) <= width else line[:width - 1] + "…"


def maps_file_failures(method: F) -> F:
    """Turn a failure of the database file inside ``method`` into one ``StoreUnavailable`` sentence."""

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except duckdb.Error as exc:
            explained = explain_failure(self.path, exc)
            if explained is None:
                raise
            raise explained from None

    return cast(F, wrapper)  # same signature: it only translates the exception


def explain_open_error(path: Path, exc: Exception) -> StoreUnavailable:
    text = str(exc)
    if _OTHER_FORMAT_RE.search(text) and path.is_file():
        kind = " (it is a SQLite database)" if _header(path).startswith(_SQLITE_HEADER) else ""
        return StoreUnavailable(f"{path} is not a DuckDB database file{kind}; check the --db path "
                                "(or INCIDENT_KIT_DB), or restore the file from a backup if it was one.",
                                in_app=_IN_APP[_NOT_DUCKDB_RE].format(path=path))
    match = _LOCK_RE.search(text)
    if match or "Could not set lock" in text:
        who = f" (PID {match['pid']})" if match else ""
        return StoreUnavailable(
            f"The database {path} is in use by another process{who}, probably the running app; "
            "stop it, point --db/INCIDENT_KIT_DB at another file, or read from the app's snapshot.",
            in_app=f"The database {path} is in use by another program{who}; ask whoever runs this app to stop "
                   "that program, then reload this page.",
        )
    if isinstance(exc, duckdb.IOException) and path.is_dir():
        return StoreUnavailable(f"{path} is a directory; give the path of a .duckdb file.")
    explained = explain_failure(path, exc)
    if explained is not None:
        return explained
    return StoreUnavailable(f"Cannot open the database {path}: {text.splitlines()[0]}")


def _header(path: Path) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read(len(_SQLITE_HEADER))
    except OSError:
        return b""
