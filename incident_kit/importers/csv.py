"""CSV: one row per incident, with the columns documented in docs/importing.md (and the template).

Times must be UTC ISO 8601 (``2024-01-31T14:05:00Z`` or ``+00:00``). A time with
another offset is refused rather than converted: spreadsheet times with offsets
usually come from a local-time export, where a daylight-saving slip is easy to
miss, and the person fixing the row knows which time was meant.
"""

from __future__ import annotations

import csv as _csv
import io

import pandas as pd
import pandera.pandas as pa

from ..incident.models import Mode
from ..words import plural
from . import mapping, schemas
from .models import Batch, ImportFile
from .reading import Context, cross_file_duplicates, problem, report, time_bounds, usable_files

SOURCE = "csv"
# (column, required, meaning) — the docs/importing.md table and the template are generated from this.
COLUMNS: list[tuple[str, bool, str]] = [
    ("external_id", True, "Your id for the incident; importing the same id again updates it."),
    ("title", True, "What happened, in a few words."),
    ("status", True, "investigating, fixing, monitoring, resolved, post_incident, closed or declined."),
    ("declared_at", True, "When it was declared, UTC ISO 8601: 2024-01-31T14:05:00Z."),
    ("started_at", False, "When impact began (UTC); empty means declared_at; not after declared_at."),
    ("resolved_at", False, "When it was resolved (UTC); required for resolved, post_incident and closed."),
    ("closed_at", False, "When it was closed (UTC); empty means resolved_at for closed rows."),
    ("severity", False, "A configured severity name; empty means the lowest."),
    ("type", False, "A configured incident type (name or label); may be empty."),
    ("summary", False, "A sentence or two of context."),
    ("tags", False, "Tags separated by semicolons: database; deploy."),
    ("declared_by", False, "Who declared it; empty means the person importing."),
    ("mode", False, "live, retrospective or test; empty means detected (see the mapping rules)."),
    ("private", False, "true or false (empty means false)."),
]
NAMES = [c for c, _, _ in COLUMNS]
REQUIRED = [c for c, req, _ in COLUMNS if req]

TEMPLATE_ROWS = [
    {"external_id": "OLD-101", "title": "Checkout returning 500s", "status": "closed",
     "declared_at": "2024-01-31T14:05:00Z", "started_at": "2024-01-31T13:50:00Z",
     "resolved_at": "2024-01-31T15:20:00Z", "closed_at": "2024-02-07T10:00:00Z", "severity": "Major",
     "type": "engineering", "summary": "A bad deploy broke payments for 90 minutes.", "tags": "deploy; checkout",
     "declared_by": "ana", "mode": "", "private": "false"},
    {"external_id": "OLD-102", "title": "Leaked API key in a public repository", "status": "resolved",
     "declared_at": "2024-03-02T09:00:00Z", "started_at": "", "resolved_at": "2024-03-02T11:30:00Z",
     "closed_at": "", "severity": "Moderate", "type": "security", "summary": "", "tags": "security",
     "declared_by": "bao", "mode": "", "private": "true"},
]


def template() -> bytes:
    """The downloadable template: the header and two example rows."""
    buf = io.StringIO()
    writer = _csv.DictWriter(buf, fieldnames=NAMES, lineterminator="\n")
    writer.writeheader()
    writer.writerows(TEMPLATE_ROWS)
    return buf.getvalue().encode("utf-8")


def _header(name: str) -> str:
    return "_".join(str(name or "").strip().lower().replace("-", " ").split())


def read(files: list[ImportFile], ctx: Context, progress=None) -> tuple[Batch | None, pd.DataFrame]:
    problems: list[dict] = []
    rows: list[dict] = []
    for file, text in usable_files(files, ctx, problems, progress):
        reader = _csv.reader(io.StringIO(text, newline=""))
        try:
            header = [_header(h) for h in next(reader)]
        except (StopIteration, _csv.Error) as exc:
            problems.append(problem(file.name, f"has no header row ({exc}); start from the template."))
            continue
        unknown = [h for h in header if h and h not in NAMES]
        missing = [c for c in REQUIRED if c not in header]
        if unknown:
            problems.append(problem(file.name, f"has unknown {plural(len(unknown), 'column')} {', '.join(unknown)}; the columns are: "
                                    f"{', '.join(NAMES)} (see the template).", field=", ".join(unknown)))
        if missing:
            problems.append(problem(file.name, f"lacks the required {plural(len(missing), 'column')} {', '.join(missing)}.",
                                    field=", ".join(missing)))
        if unknown or missing:
            continue
        count = 0
        try:
            for values in reader:
                if not any(v.strip() for v in values):
                    continue  # blank line
                count += 1
                line = reader.line_num
                if len(values) != len(header):
                    problems.append(problem(file.name, f"has {len(values)} cells; the header has {len(header)}.",
                                            where=f"line {line}"))
                    continue
                row = {c: None for c in NAMES}
                for col, value in zip(header, values):
                    if col:
                        value = value.strip()
                        row[col] = value if value != "" else None
                row.update(_file=file.name, _where=f"line {line}", _id=row["external_id"])
                rows.append(row)
        except _csv.Error as exc:
            problems.append(problem(file.name, f"is not valid CSV: {exc}.", where=f"line {reader.line_num}"))
            continue
        if count == 0:
            problems.append(problem(file.name, "has a header but no rows; add one row per incident."))

    raw = pd.DataFrame(rows, columns=[*NAMES, "_file", "_where", "_id"], dtype=object)
    for col in ("status", "mode", "private"):
        raw[col] = raw[col].map(lambda v: v.lower().replace("-", "_").replace(" ", "_") if isinstance(v, str) else v)
    raw = raw.astype(object).where(raw.notna(), None)
    schema = _schema(ctx)
    reports = [report(problems)]
    for _, group in raw.groupby("_file", sort=False):
        reports.append(schemas.validate(schema, group))
    reports.append(report(time_bounds(raw, schemas.TIME_COLUMNS, now=ctx.now)))
    reports.append(report(cross_file_duplicates(raw, "external_id", "This external_id")))
    found = [r for r in reports if not r.empty]
    found = pd.concat(found, ignore_index=True) if found else report([])
    if not found.empty or raw.empty:
        return None, found
    return _normalise(raw, ctx), found


def _schema(ctx: Context):
    lower_sev = [s.lower() for s in ctx.severities]
    base = schemas.CsvIncidentRaw.to_schema()
    sev_check = pa.Check(lambda v: str(v).strip().lower() in lower_sev, element_wise=True,
                         error=f"is not one of the configured severities: {', '.join(ctx.severities)}")
    type_check = pa.Check(lambda v: str(v).strip().lower() in ctx.types, element_wise=True,
                          error=f"is not one of the configured types: {', '.join(sorted(set(ctx.types.values())))}")
    return base.update_columns({"severity": {"checks": [sev_check]}, "type": {"checks": [type_check]}})


def _normalise(raw: pd.DataFrame, ctx: Context) -> Batch:
    by_lower = {s.lower(): s for s in ctx.severities}
    titles = raw["title"].map(mapping.clean_title)
    summary = raw["summary"].fillna("")
    summary = summary.where(titles.map(lambda t: t[1]) == "", titles.map(lambda t: t[1]))
    closed = mapping.to_utc(raw["closed_at"])
    resolved = mapping.to_utc(raw["resolved_at"])
    closed = closed.where(closed.notna() | (raw["status"] != "closed"), resolved)
    inc = pd.DataFrame({
        "source": SOURCE,
        "external_id": raw["external_id"].astype(str),
        "title": titles.map(lambda t: t[0]),
        "summary": summary,
        "severity": raw["severity"].map(lambda v: ctx.severities[0] if v is None else by_lower[v.lower()]),
        "type": raw["type"].map(lambda v: None if v is None else ctx.types[v.lower()]),
        "mode": raw["mode"].map(lambda v: None if v is None else Mode(v).value),
        "private": raw["private"].map(lambda v: v in ("true", "yes", "1")),
        "declared_by": raw["declared_by"].fillna(str(ctx.by)),
        "declared_at": mapping.to_utc(raw["declared_at"]),
        "started_at": mapping.to_utc(raw["started_at"]),
        "resolved_at": resolved,
        "closed_at": closed.astype("datetime64[us, UTC]"),
        "tags": raw["tags"].map(lambda v: mapping.tags((v or "").replace(";", ",").split(","))),
        "fallback_status": raw["status"],
    })
    empty_updates = pd.DataFrame({
        "source": pd.Series(dtype=object), "incident_external_id": pd.Series(dtype=object),
        "external_id": pd.Series(dtype=object), "posted_at": pd.Series(dtype="datetime64[us, UTC]"),
        "author": pd.Series(dtype=object), "audience": pd.Series(dtype=object),
        "status": pd.Series(dtype=object), "message": pd.Series(dtype=object)})
    return Batch(mapping.derive(inc, empty_updates), empty_updates)
