"""``export`` writes every table; ``restore`` loads an export into a fresh store, losing nothing.

Formats: Parquet (typed), CSV (one file per table, spreadsheet-safe) and JSON (one
array of records per table). ``manifest.json`` lists the tables, their columns and
DuckDB types, row counts and the schema migrations, so CSV and JSON come back typed.

CSV conventions: an empty cell is "no value" (NULL) and ``""`` is empty text; lists
are JSON arrays; times are ISO 8601 with ``+00:00``. Cells are written by the one
CSV writer, ``incident_kit.safe_output``: a text cell that a spreadsheet would run
as a formula gets a leading ``'`` (OWASP's advice); a cell that already starts with
``'`` gets one more, so ``restore`` can take exactly one away and get the original back.

Private incidents, and every row that belongs to one (found through ``<table>_id``
columns, e.g. ``incident_id`` -> incidents, ``review_id`` -> reviews), are left out
unless ``include_private``; so are related links to them, and the timeline events that name them.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from ..clock import iso, utcnow
from ..errors import IncidentKitError
from ..words import count
from ..identity import is_checked
from ..incident import facts as update_facts
from ..incident import store as incident_store
from ..incident.visibility import RELATED_FIELD
from ..safe_output import neutralise, unneutralise  # noqa: F401 (both stay importable from here)
from ..safe_output import csv_lines, os_error_sentence, output_dir, write_file
from . import FORMATS, store

MANIFEST = "manifest.json"
EXPORT_VERSION = 1
_SEQUENCE = re.compile(r"nextval\('([^']+)'")
_INT_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT")
_FLOAT_TYPES = ("FLOAT", "DOUBLE", "REAL")
TIMESTAMPTZ = "TIMESTAMP WITH TIME ZONE"


def _format(fmt: str) -> str:
    f = str(fmt or "").strip().lower()
    if f not in FORMATS:
        raise IncidentKitError(f"Export format '{fmt}' is not one of: {', '.join(FORMATS)}.")
    return f


# -- export ----------------------------------------------------------------------
def require_operator(db, by, doing: str) -> None:
    """Exports and restores hold every table: a checked actor (the app, the HTTP API) must be an admin."""
    from ..catalog import access

    if is_checked(by):
        db.read(lambda tx: access.require_admin(tx, by, doing))


def export(db, out_dir, *, format: str = "parquet", include_private: bool = False, by=None) -> dict:
    """Write every table to ``out_dir`` (created if needed); return the manifest."""
    require_operator(db, by, "export the database")
    fmt = _format(format)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():  # before reading anything: the cheap check first
        raise IncidentKitError(f"{out} is a file; give a directory for the export.")

    def work(tx):
        names = store.tables(tx)
        return ({t: store.columns(tx, t) for t in names}, {t: store.read_table(tx, t) for t in names},
                store.migrations(tx))

    meta, frames, migrations = db.read(work)
    left_out = 0
    if not include_private:
        frames, left_out = without_private(frames)
    out = output_dir(out, what="the export")
    manifest = {"incident_kit_export": EXPORT_VERSION, "format": fmt, "exported_at": iso(utcnow()),
                "include_private": bool(include_private), "private_incidents_left_out": left_out,
                "migrations": migrations, "tables": {}}
    path = out / MANIFEST
    try:
        # The manifest goes last: a folder without one is never taken for a finished export.
        path.unlink(missing_ok=True)
        for table, frame in frames.items():
            types = {name: typ for name, typ, _ in meta[table]}
            path = out / f"{table}.{fmt}"
            if fmt == "parquet":
                _typed_for_parquet(frame, types).to_parquet(path, index=False)
            elif fmt == "csv":
                _write_csv(path, frame, types)
            else:
                _write_json(path, frame, types)
            manifest["tables"][table] = {"file": path.name, "rows": len(frame),
                                         "columns": [{"name": n, "type": t} for n, t, _ in meta[table]]}
    except OSError as exc:
        raise IncidentKitError(os_error_sentence(exc, path)) from None
    write_file(out / MANIFEST, json.dumps(manifest, indent=2) + "\n")
    return manifest


def without_private(frames: dict[str, pd.DataFrame]) -> tuple[dict[str, pd.DataFrame], int]:
    """Drop private incidents and, transitively, every row that points at a dropped row."""
    frames = dict(frames)
    if "incidents" not in frames:
        return frames, 0
    inc = frames["incidents"]
    private = inc["private"].astype(bool)
    excluded: dict[str, set] = {"incidents": set(inc.loc[private, "id"].tolist())}
    frames["incidents"] = inc[~private].copy()
    if "merged_into" in frames["incidents"]:
        mi = frames["incidents"]["merged_into"]
        frames["incidents"]["merged_into"] = mi.where(~mi.isin(excluded["incidents"]), None)
    refs_of = {t: [c for c in f.columns if c.endswith("_id") and f"{c[:-3]}s" in frames and f"{c[:-3]}s" != t]
               for t, f in frames.items()}
    done = {"incidents"} | {t for t, refs in refs_of.items() if not refs}
    pending = [t for t in frames if t not in done]
    while pending:
        ready = [t for t in pending if all(f"{c[:-3]}s" in done for c in refs_of[t])] or pending[:1]
        for table in ready:  # (a reference cycle is broken by taking the first table as it stands)
            frame = frames[table]
            drop = np.zeros(len(frame), dtype=bool)
            for c in refs_of[table]:
                drop |= frame[c].isin(excluded.get(f"{c[:-3]}s", set())).to_numpy()
            if "id" in frame.columns:
                excluded[table] = set(frame.loc[drop, "id"].tolist())
            frames[table] = frame[~drop].copy()
            done.add(table)
            pending.remove(table)
    # A related link names the other incident (by id, and by reference on the timeline): a link to a
    # left-out incident is left out on the side that stays too.
    if "related_incidents" in frames:
        links = frames["related_incidents"]
        frames["related_incidents"] = links[~links["related_id"].isin(excluded["incidents"])].copy()
    if "events" in frames:
        events, refs = frames["events"], set(inc.loc[private, "reference"].tolist())
        about = events["field"].eq(RELATED_FIELD) & (events["new_value"].isin(refs) | events["old_value"].isin(refs))
        frames["events"] = events[~about].copy()
    return frames, len(excluded["incidents"])


def _is_int(typ: str) -> bool:
    return typ in _INT_TYPES


def _typed_for_parquet(frame: pd.DataFrame, types: dict[str, str]) -> pd.DataFrame:
    frame = frame.copy()
    for col, typ in types.items():
        if _is_int(typ):
            frame[col] = frame[col].astype("Int64")
        elif typ == "BOOLEAN":
            frame[col] = frame[col].astype("boolean")
        elif typ == TIMESTAMPTZ:
            frame[col] = pd.to_datetime(frame[col], utc=True).astype("datetime64[us, UTC]")
        elif typ.endswith("[]"):
            frame[col] = frame[col].map(lambda v: None if v is None or (isinstance(v, float) and math.isnan(v))
                                        else [str(x) for x in v])
    return frame


def _plain(value, typ: str):
    """A JSON-friendly Python value."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return pd.Timestamp(value).tz_convert("UTC").isoformat() if pd.Timestamp(value).tzinfo else \
            pd.Timestamp(value).isoformat()
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_plain(v, "") for v in value]
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return int(value) if _is_int(typ) else float(value)
    if _is_int(typ) and isinstance(value, float):
        return int(value)
    return value


def _csv_value(value):
    return json.dumps(value, ensure_ascii=False) if isinstance(value, list) else value


def _write_csv(path: Path, frame: pd.DataFrame, types: dict[str, str]) -> None:
    cols = list(frame.columns)
    rows = ([_csv_value(_plain(v, types.get(c, ""))) for c, v in zip(cols, row)]
            for row in frame.itertuples(index=False, name=None))
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.writelines(csv_lines(cols, rows, quote_text=True))


def _write_json(path: Path, frame: pd.DataFrame, types: dict[str, str]) -> None:
    cols = list(frame.columns)
    records = [{c: _plain(v, types.get(c, "")) for c, v in zip(cols, row)}
               for row in frame.itertuples(index=False, name=None)]
    path.write_text(json.dumps(records, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


# -- restore ---------------------------------------------------------------------
def read_manifest(in_dir) -> dict:
    path = Path(in_dir) / MANIFEST
    if not path.is_file():
        raise IncidentKitError(f"{in_dir} is not an incident-kit export: it has no {MANIFEST}.")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise IncidentKitError(f"{path} is damaged ({str(exc)[:120]}); export again.") from None
    problem = _manifest_problem(manifest)
    if problem:
        raise IncidentKitError(f"{path} does not describe an incident-kit export ({problem}); export again.")
    return manifest


def _manifest_problem(manifest) -> str | None:
    """What is wrong with the manifest's shape, or None; checked before any of it is used."""
    if not isinstance(manifest, dict) or manifest.get("format") not in FORMATS:
        return "no known format"
    if not isinstance(manifest.get("tables"), dict):
        return "no table list"
    migrations = manifest.get("migrations", [])
    if not isinstance(migrations, list) or not all(isinstance(m, int) and not isinstance(m, bool) for m in migrations):
        return "migrations is not a list of numbers"
    for table, info in manifest["tables"].items():
        if not isinstance(info, dict) or not isinstance(info.get("file"), str) \
                or Path(info["file"]).name != info["file"] or info["file"] in ("", ".", ".."):
            return f"table {str(table)[:40]} names no file in the export's folder"
        rows = info.get("rows", 0)
        if not isinstance(rows, int) or isinstance(rows, bool) or rows < 0:
            return f"table {str(table)[:40]} has no row count"
        columns = info.get("columns")
        if not isinstance(columns, list) or not all(isinstance(c, dict) and isinstance(c.get("name"), str)
                                                     for c in columns):
            return f"table {str(table)[:40]} has no column list"
    return None


def _from_text(series: pd.Series, typ: str, fmt: str) -> pd.Series:
    """Turn the CSV/JSON values of one column back into the store's type."""
    if fmt == "csv" and not (typ == TIMESTAMPTZ or _is_int(typ) or typ in _FLOAT_TYPES or typ == "BOOLEAN"):
        series = series.map(lambda v: unneutralise(v) if isinstance(v, str) else v)
    if typ == TIMESTAMPTZ:
        return pd.to_datetime(series, utc=True, format="ISO8601").astype("datetime64[us, UTC]")
    if _is_int(typ):
        return pd.array([None if v is None or (isinstance(v, float) and math.isnan(v)) else int(v) for v in series],
                        dtype="Int64")
    if typ in _FLOAT_TYPES:
        return series.map(lambda v: None if v is None else float(v))
    if typ == "BOOLEAN":
        return series.map(lambda v: None if v is None else (v if isinstance(v, bool) else str(v).lower() == "true"))
    if typ.endswith("[]"):
        return series.map(lambda v: None if v is None else (json.loads(v) if isinstance(v, str) else list(v)))
    return series


def _load(tx, in_dir: Path, table: str, info: dict, fmt: str, types: dict[str, str]) -> pd.DataFrame:
    path = in_dir / info["file"]
    names = [c["name"] for c in info["columns"]]
    if not path.is_file():
        raise IncidentKitError(f"The export lacks {path.name}; export again.")
    try:
        if fmt == "parquet":
            frame = pd.read_parquet(path)
            for col, typ in types.items():
                if col in frame and typ.endswith("[]"):
                    frame[col] = frame[col].map(lambda v: None if v is None else [str(x) for x in v])
            return frame
        if info.get("rows", 0) == 0:
            return pd.DataFrame(columns=names)
        if fmt == "csv":
            frame = store.read_csv(tx, str(path))
            frame = frame.astype(object).where(frame.notna(), None)
        else:
            frame = pd.DataFrame(json.loads(path.read_text(encoding="utf-8")), columns=names, dtype=object)
        for col in frame.columns:
            frame[col] = _from_text(frame[col], types.get(col, "VARCHAR"), fmt)
    except IncidentKitError:
        raise
    except Exception as exc:  # pyarrow, DuckDB's CSV reader, json and pandas each fail in their own way
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:120]
        raise IncidentKitError(f"The export's {path.name} is damaged or incomplete ({first}); export again.") from None
    return frame


def restore(db, in_dir, *, by=None) -> dict[str, int]:
    """Load an export into a store that holds no incidents yet; one transaction, rows per table returned."""
    require_operator(db, by, "restore a database")
    in_dir = Path(in_dir)
    manifest = read_manifest(in_dir)
    fmt = manifest["format"]

    def work(tx):
        if store.incident_count(tx):
            raise IncidentKitError(f"The database already holds {count(store.incident_count(tx), 'incident')}; "
                                   "restore an "
                                   "export into a new --db file.")
        newer = sorted(set(manifest.get("migrations", [])) - set(store.migrations(tx)))
        if newer:
            raise IncidentKitError(f"The export was made with schema migrations {newer} this version lacks; "
                                   "upgrade incident-kit first.")
        known = set(store.tables(tx))
        unknown = sorted(t for t in manifest["tables"] if t not in known and t not in store.SKIP_ON_RESTORE)
        if unknown:
            raise IncidentKitError(f"The export holds tables this version does not know: {', '.join(unknown)}; "
                                   "upgrade incident-kit first.")
        counts: dict[str, int] = {}
        for table, info in manifest["tables"].items():
            if table in store.SKIP_ON_RESTORE:
                continue
            cols = store.columns(tx, table)
            types = {n: t for n, t, _ in cols}
            frame = _load(tx, in_dir, table, info, fmt, types)
            extra = [c for c in frame.columns if c not in types]
            if extra:
                raise IncidentKitError(f"{info['file']} has columns this version does not know: {', '.join(extra)}.")
            if len(frame) != info.get("rows", len(frame)):
                raise IncidentKitError(f"{info['file']} holds {len(frame)} rows, the manifest says {info['rows']}; "
                                       "the export is incomplete, export again.")
            if store.count_rows(tx, table):
                store.clear_table(tx, table)  # seeded catalog rows of the fresh store
            tx.insert_frame(table, frame)
            if table == "incidents":
                incident_store.sync_incident_counter(tx)
            counts[table] = len(frame)
            for name, _, default in cols:
                m = _SEQUENCE.search(default or "")
                if m:
                    top = store.max_of(tx, table, name)
                    if top:
                        store.advance_sequence(tx, m.group(1), int(top))
        update_facts.rebuild(tx)  # derived from updates: recomputed, whatever the export held (older ones lack it)
        return counts

    return db.write(work)


# -- copy ------------------------------------------------------------------------
def copy_from(db, source, *, by=None) -> dict[str, int]:
    """Load another store (a DuckDB file or a PostgreSQL URL) into this empty one, private incidents included.

    An export to Parquet (typed, every table) and a restore of it: the same path a
    person can take by hand, so one set of rules decides what "nothing lost" means.
    """
    from ..config import is_url
    from ..db import open_database

    require_operator(db, by, "copy a database in")
    if not is_url(source) and not Path(source).is_file():
        raise IncidentKitError(f"{source} is neither an export directory, a DuckDB file nor a postgresql:// URL.")
    if str(source) == db.target or (not is_url(source) and not is_url(db.path)
                                                          and Path(source).resolve() == Path(db.path).resolve()):
        raise IncidentKitError("The source and the target are the same store; give --db a new, empty database.")
    with tempfile.TemporaryDirectory(prefix="ik-copy-") as tmp:
        src = open_database(source, read_only=True)
        try:
            export(src, tmp, format="parquet", include_private=True)
        finally:
            src.close()
        return restore(db, tmp, by=by)

