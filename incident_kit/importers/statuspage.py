"""Atlassian Statuspage API JSON: ``incidents.json`` pages and single-incident files.

Shapes accepted: ``{"page": {...}, "incidents": [...]}`` (a page of incidents),
``{"page": {...}, "incident": {...}}`` (one incident) and a bare list of incidents.
Updates are listed newest first in the API; order does not matter here.
"""

from __future__ import annotations

import pandas as pd

from ..incident.models import Audience
from . import mapping, schemas
from .models import STATUSPAGE_IMPACTS, STATUSPAGE_STATUS, Batch, ImportFile
from .reading import Context, nested_list, objects, problem, read_json, usable_files, validation_report

SOURCE = "statuspage"
SHAPE_HINT = ('expected a Statuspage export: {"page": {...}, "incidents": [...]} or '
              '{"page": {...}, "incident": {...}}')
INCIDENT_KEYS = ("id", "name", "status", "impact", "created_at", "started_at", "resolved_at")
UPDATE_KEYS = ("id", "status", "body", "created_at")


def _incidents_of(data, name: str, problems: list[dict]) -> tuple[list, str, str] | None:
    """(incidents, page name, path prefix) or None after recording the problem."""
    if isinstance(data, list):
        return data, "", "incidents"
    if not isinstance(data, dict):
        problems.append(problem(name, f"is not a Statuspage file; {SHAPE_HINT}."))
        return None
    page = data.get("page") if isinstance(data.get("page"), dict) else {}
    page_name = str(page.get("name") or "").strip()
    if isinstance(data.get("incidents"), list):
        return data["incidents"], page_name, "incidents"
    if isinstance(data.get("incident"), dict):
        return [data["incident"]], page_name, "incident"
    problems.append(problem(name, f"is not a Statuspage file; {SHAPE_HINT}."))
    return None


def _components(inc: dict) -> list[str]:
    out = []
    for comp in inc.get("components") or ():
        if isinstance(comp, dict) and comp.get("name"):
            out.append(str(comp["name"]))
    return out


def read(files: list[ImportFile], ctx: Context, progress=None) -> tuple[Batch | None, pd.DataFrame]:
    problems: list[dict] = []
    inc_rows: list[dict] = []
    upd_rows: list[dict] = []
    for file, data in usable_files(files, ctx, problems, progress, parse=read_json):
        found = _incidents_of(data, file.name, problems)
        if found is None:
            continue
        incidents, page_name, prefix = found
        if not incidents:
            problems.append(problem(file.name, "contains no incidents; choose a file that holds some."))
            continue
        for where, inc in objects(incidents, file.name, problems, what="an incident", path=prefix,
                                  indexed=prefix != "incident"):
            row = {k: inc.get(k) for k in INCIDENT_KEYS}
            row.update(_file=file.name, _where=where, _id=inc.get("id"), page=page_name,
                       components=_components(inc))
            inc_rows.append(row)
            ups = nested_list(inc, "incident_updates", file.name, problems, where=where, id=str(inc.get("id")))
            for uwhere, upd in objects(ups, file.name, problems, what="an update", path=f"{where}.incident_updates"):
                urow = {k: upd.get(k) for k in UPDATE_KEYS}
                urow.update(_file=file.name, _where=uwhere, _id=upd.get("id"), incident_id=inc.get("id"))
                upd_rows.append(urow)

    raw_inc = pd.DataFrame(inc_rows, columns=[*INCIDENT_KEYS, "_file", "_where", "_id", "page", "components"],
                           dtype=object)
    raw_upd = pd.DataFrame(upd_rows, columns=[*UPDATE_KEYS, "_file", "_where", "_id", "incident_id"], dtype=object)
    found = validation_report(problems, raw_inc, raw_upd, incident_schema=schemas.StatuspageIncidentRaw,
                              update_schema=schemas.StatuspageUpdateRaw, id_column="id", what="This incident id",
                              incident_times=("created_at", "started_at", "resolved_at"), update_times=("created_at",),
                              now=ctx.now)
    if not found.empty or raw_inc.empty:
        return None, found
    return _normalise(raw_inc, raw_upd, ctx), found


def _normalise(raw_inc: pd.DataFrame, raw_upd: pd.DataFrame, ctx: Context) -> Batch:
    authors = raw_inc["page"].where(raw_inc["page"] != "", "Statuspage")
    inc = mapping.public_incidents(
        SOURCE, raw_inc["id"], raw_inc["name"],
        raw_inc["impact"].map(lambda v: mapping.severity_by_rank(v, STATUSPAGE_IMPACTS, ctx.severities)),
        declared_by=authors.astype(str),
        declared_at=mapping.to_utc(raw_inc["created_at"]),
        started_at=mapping.to_utc(raw_inc["started_at"]),
        resolved_at=mapping.to_utc(raw_inc["resolved_at"]),
        closed_at=pd.Series(pd.NaT, index=raw_inc.index, dtype="datetime64[us, UTC]"),
        tags=raw_inc["components"].map(mapping.tags),
        fallback_status=raw_inc["status"].map(lambda s: STATUSPAGE_STATUS[s].value),
    )
    author_by_incident = dict(zip(inc["external_id"], inc["declared_by"]))
    upd = pd.DataFrame({
        "source": SOURCE,
        "incident_external_id": raw_upd["incident_id"].astype(str),
        "external_id": raw_upd["id"].astype(str),
        "posted_at": mapping.to_utc(raw_upd["created_at"]),
        "author": raw_upd["incident_id"].astype(str).map(author_by_incident),
        "audience": Audience.EXTERNAL.value,
        "status": raw_upd["status"].map(lambda s: STATUSPAGE_STATUS[s].value),
        "message": raw_upd["body"].astype(str),
    })
    return Batch(mapping.derive(inc, upd), upd)
