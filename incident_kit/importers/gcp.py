"""Google Cloud status ``incidents.json``, current schema and the 2019–2021 schema.

The current schema has an ``id``. The old one has none, spells the latest update
``most-recent-update`` and numbers incidents per service, so its stable external
id is ``<service_key>/<number>`` (e.g. ``storage/20008``). Updates have no id in
either schema; theirs is ``<incident external id>@<created>``.
"""

from __future__ import annotations

import pandas as pd

from ..incident.models import Audience, Status
from . import mapping, schemas
from .models import GCP_AUTHOR, GCP_SEVERITIES, GCP_STATUS, Batch, ImportFile
from .reading import Context, nested_list, objects, problem, read_json, usable_files, validation_report

SOURCE = "gcp"
SHAPE_HINT = "expected Google Cloud's incidents.json: a list of incident objects"
INCIDENT_KEYS = ("external_desc", "severity", "begin", "created", "end")
UPDATE_KEYS = ("text", "created", "status")


def external_id(inc: dict) -> str | None:
    if inc.get("id") not in (None, ""):
        return str(inc["id"])
    key, number = inc.get("service_key"), inc.get("number")
    if key in (None, "") or number in (None, ""):
        return None
    return f"{key}/{number}"


def _products(inc: dict) -> list[str]:
    products = inc.get("affected_products")
    if isinstance(products, list):
        return [str(p["title"]) for p in products if isinstance(p, dict) and p.get("title")]
    # The old schema names one service per incident.
    return [str(inc["service_name"])] if inc.get("service_name") else []


def read(files: list[ImportFile], ctx: Context, progress=None) -> tuple[Batch | None, pd.DataFrame]:
    problems: list[dict] = []
    inc_rows: list[dict] = []
    upd_rows: list[dict] = []
    for file, data in usable_files(files, ctx, problems, progress, parse=read_json):
        if not isinstance(data, list):
            problems.append(problem(file.name, f"is not a Google Cloud file; {SHAPE_HINT}."))
            continue
        if not data:
            problems.append(problem(file.name, "contains no incidents; choose a file that holds some."))
            continue
        for where, inc in objects(data, file.name, problems, what="an incident", path=""):
            ext = external_id(inc)
            row = {k: inc.get(k) for k in INCIDENT_KEYS}
            row.update(external_id=ext, _file=file.name, _where=where, _id=ext, products=_products(inc))
            inc_rows.append(row)
            ups = nested_list(inc, "updates", file.name, problems, where=where, id=str(ext))
            for uwhere, upd in objects(ups, file.name, problems, what="an update", path=f"{where}.updates"):
                urow = {k: upd.get(k) for k in UPDATE_KEYS}
                uid = None if ext is None or not isinstance(upd.get("created"), str) else f"{ext}@{upd['created']}"
                urow.update(external_id=uid, incident_id=ext, _file=file.name, _where=uwhere, _id=uid)
                upd_rows.append(urow)

    raw_inc = pd.DataFrame(inc_rows, columns=[*INCIDENT_KEYS, "external_id", "_file", "_where", "_id", "products"],
                           dtype=object)
    raw_upd = pd.DataFrame(upd_rows, columns=[*UPDATE_KEYS, "external_id", "incident_id", "_file", "_where", "_id"],
                           dtype=object)
    found = validation_report(problems, raw_inc, raw_upd[raw_upd["incident_id"].notna()],
                              incident_schema=schemas.GcpIncidentRaw, update_schema=schemas.GcpUpdateRaw,
                              id_column="external_id", what="This incident", incident_times=("begin", "created", "end"),
                              update_times=("created",), now=ctx.now)
    if not found.empty or raw_inc.empty:
        return None, found
    return _normalise(raw_inc, raw_upd, ctx), found


def _normalise(raw_inc: pd.DataFrame, raw_upd: pd.DataFrame, ctx: Context) -> Batch:
    ended = raw_inc["end"].notna()
    inc = mapping.public_incidents(
        SOURCE, raw_inc["external_id"], raw_inc["external_desc"],
        raw_inc["severity"].map(lambda v: mapping.severity_by_rank(v, GCP_SEVERITIES, ctx.severities)),
        declared_by=GCP_AUTHOR,
        declared_at=mapping.to_utc(raw_inc["created"]),
        started_at=mapping.to_utc(raw_inc["begin"]),
        resolved_at=mapping.to_utc(raw_inc["end"]),
        closed_at=pd.Series(pd.NaT, index=raw_inc.index, dtype="datetime64[us, UTC]"),
        tags=raw_inc["products"].map(mapping.tags),
        # Without update statuses (old schema) an incident with an end is resolved.
        fallback_status=ended.map({True: Status.RESOLVED.value, False: Status.INVESTIGATING.value}),
    )
    upd = pd.DataFrame({
        "source": SOURCE,
        "incident_external_id": raw_upd["incident_id"].astype(str),
        "external_id": raw_upd["external_id"].astype(str),
        "posted_at": mapping.to_utc(raw_upd["created"]),
        "author": GCP_AUTHOR,
        "audience": Audience.EXTERNAL.value,
        "status": raw_upd["status"].map(lambda s: None if s is None else GCP_STATUS[s].value),
        "message": raw_upd["text"].astype(str),
    })
    return Batch(mapping.derive(inc, upd), upd)
