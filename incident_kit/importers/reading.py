"""File-level checks shared by every importer: size, emptiness, encoding, JSON syntax."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import pandas as pd

from .. import bounds
from ..errors import IncidentKitError
from .models import REPORT_COLUMNS, ImportFile

WHOLE_FILE = "(whole file)"
# Statuspage and Google Cloud exports nest about 4 levels; 64 leaves room for any real file while
# keeping every later step (pandas, pandera, str()) far from Python's recursion limit.
MAX_JSON_DEPTH = 64


@dataclass
class Context:
    """What an importer needs from the store, read once before parsing."""

    severities: list[str]          # configured names, lowest first
    types: dict[str, str]          # lower-case name or label -> type name
    by: str                        # who runs the import (the declarer of rows and documents that name none)
    max_bytes: int
    now: dt.datetime               # one "now" for every bound of this import


def time_problem(value: dt.datetime, *, now: dt.datetime, what: str = "the time") -> str | None:
    """Why the services would refuse this time (``bounds.when``: before 1990, or in the future), else None.

    Importers apply the services' one bound, so no stored date can break a page (year 9999 did)."""
    try:
        bounds.when(value, field=what, now=now)
    except IncidentKitError as exc:
        return str(exc)
    return None


def time_bounds(raw: pd.DataFrame, columns, *, now: dt.datetime) -> list[dict]:
    """A problem for each time in ``columns`` outside the services' bounds (values that are not aware ISO 8601
    times are the schema's to report)."""
    from .schemas import parse_time

    out = []
    for column in columns:
        for idx, value in raw[column].items():
            at = parse_time(value)
            if at is None or at.utcoffset() is None:
                continue
            text = time_problem(at, now=now)
            if text:
                row = raw.loc[idx]
                out.append(problem(row["_file"], text, where=row["_where"], id=_shown_id(row["_id"]), field=column,
                                   value=value))
    return out


def _shown_id(value) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)[:80]


def problem(file: str, text: str, *, where: str = WHOLE_FILE, id: str = "", field: str = "", value="") -> dict:
    return {"file": file, "where": where, "id": id, "field": field, "value": "" if value is None else str(value),
            "problem": text}


def report(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=REPORT_COLUMNS)


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def read_text(file: ImportFile, ctx: Context, problems: list[dict]) -> str | None:
    """The file's text, or None after recording why it cannot be used."""
    if file.size > ctx.max_bytes:
        problems.append(problem(file.name, f"is {_mb(file.size)}; the limit is {_mb(ctx.max_bytes)} per file. "
                                "Split it into smaller files, or ask whoever runs incident-kit to raise "
                                "the limit."))  # the limit's setting is in --help; the app names no flag
        return None
    data = file.read()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.append(problem(file.name, f"is not UTF-8 text (byte {exc.start}); save it as UTF-8 and retry."))
        return None
    if not text.strip():
        problems.append(problem(file.name, "is empty; choose the exported file that holds the incidents."))
        return None
    return text


def read_json(file: ImportFile, ctx: Context, problems: list[dict]):
    text = read_text(file, ctx, problems)
    if text is None:
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        problems.append(problem(file.name, f"is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}.",
                                where=f"line {exc.lineno}"))
        return None
    except RecursionError:  # Python's parser gives up near 1,000 levels; no export nests that deep
        problems.append(problem(file.name, "nests lists or objects too deeply to be an export; choose the "
                                "exported file that holds the incidents."))
        return None
    if data is None or isinstance(data, (str, int, float, bool)):
        problems.append(problem(file.name, f"holds only {json.dumps(data)[:40]}, not incidents; choose the "
                                "exported file that holds the incidents."))
        return None
    if _depth(data) > MAX_JSON_DEPTH:
        problems.append(problem(file.name, f"nests lists or objects more than {MAX_JSON_DEPTH} levels deep; "
                                "no export does, so choose the exported file that holds the incidents."))
        return None
    return data


def usable_files(files: Iterable[ImportFile], ctx: Context, problems: list[dict], progress=None, *,
                 parse: Callable = read_text) -> Iterator[tuple[ImportFile, object]]:
    """Each file with its content (``parse``: ``read_text``, or ``read_json``) once it passes the file-level
    checks; why any other file cannot be used is added to ``problems``. ``progress(size)`` is called once per
    file, used or not, so a progress bar reaches the end."""
    for file in files:
        content = parse(file, ctx, problems)
        if progress:
            progress(file.size)
        if content is not None:
            yield file, content


def objects(items: list, file_name: str, problems: list[dict], *, what: str, path: str,
            indexed: bool = True) -> Iterator[tuple[str, dict]]:
    """Each item that is a JSON object, with its place in the file (``path[i]``, or ``path`` alone when not
    ``indexed``); any other item is reported as not being ``what`` (e.g. "an incident")."""
    for i, item in enumerate(items):
        place = f"{path}[{i}]" if indexed else path
        if not isinstance(item, dict):
            problems.append(problem(file_name, f"is not {what} object", where=place))
            continue
        yield place, item


def nested_list(obj: dict, key: str, file_name: str, problems: list[dict], *, where: str, id: str) -> list:
    """``obj[key]`` when it is a list (absent: empty); anything else is reported and read as empty."""
    items = obj.get(key)
    if items is None:
        return []
    if not isinstance(items, list):
        problems.append(problem(file_name, f"{key} is not a list", where=where, id=id))
        return []
    return items


def _depth(data) -> int:
    """How deeply lists and objects nest (iterative, so any depth json.loads accepted is safe to measure)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, dict):
            value = value.values()
        elif not isinstance(value, list):
            continue
        deepest = max(deepest, level)
        if level <= MAX_JSON_DEPTH:  # past the limit the answer is known
            stack.extend((v, level + 1) for v in value)
    return deepest


def cross_file_duplicates(frame: pd.DataFrame, id_column: str, what: str) -> list[dict]:
    """Ids that appear in more than one file (duplicates inside one file are the schema's job)."""
    if frame.empty:
        return []
    per_file = frame[[id_column, "_file"]].dropna().drop_duplicates()
    counts = per_file[id_column].value_counts()
    dup_ids = set(counts[counts > 1].index)
    out = []
    for row in frame[frame[id_column].isin(dup_ids)].to_dict("records"):
        value = row[id_column]
        others = sorted(set(per_file.loc[per_file[id_column] == value, "_file"]) - {row["_file"]})
        out.append(problem(row["_file"], f"{what} also appears in {', '.join(others)}; import those files one "
                           "after the other (a re-import updates) or remove the copy.",
                           where=row["_where"], id=str(value), field=id_column, value=value))
    return out


def validation_report(problems: list[dict], raw_incidents: pd.DataFrame, raw_updates: pd.DataFrame, *,
                      incident_schema, update_schema, id_column: str, what: str, incident_times=(),
                      update_times=(), now: dt.datetime) -> pd.DataFrame:
    """One table: what reading found, pandera's findings per file (ids must be unique within a file),
    times outside the services' bounds, and ids repeated across files. Empty when the batch may be imported."""
    from . import schemas

    raw_incidents = _hashable_ids(raw_incidents, incident_schema, problems)
    raw_updates = _hashable_ids(raw_updates, update_schema, problems)
    reports = [report(problems)]
    reports += [schemas.validate(incident_schema, group) for _, group in raw_incidents.groupby("_file", sort=False)]
    reports += [schemas.validate(update_schema, group) for _, group in raw_updates.groupby("_file", sort=False)]
    reports.append(report(time_bounds(raw_incidents, incident_times, now=now)
                          + time_bounds(raw_updates, update_times, now=now)))
    reports.append(report(cross_file_duplicates(raw_incidents, id_column, what)))
    found = [r for r in reports if not r.empty]
    return pd.concat(found, ignore_index=True) if found else report([])


def _hashable_ids(raw: pd.DataFrame, schema, problems: list[dict]) -> pd.DataFrame:
    """Report ids that are a list or an object (``"id": []``) and keep them as text, so the uniqueness
    checks (which hash every id) can run over the rest of the file instead of crashing."""
    unique = [name for name, col in schema.to_schema().columns.items() if col.unique and name in raw.columns]
    if raw.empty or not unique:
        return raw
    raw = raw.copy()
    for name in unique:
        bad = raw[name].map(lambda v: isinstance(v, (list, dict)))
        for idx in raw.index[bad]:
            row = raw.loc[idx]
            problems.append(problem(row["_file"], "is a list or an object; an id is one value (text or a number)",
                                    where=row["_where"], field=name, value=json.dumps(row[name])[:80]))
        raw.loc[bad, name] = raw.loc[bad, name].map(json.dumps)
    return raw
