"""Incident routes: list, declare (once per Idempotency-Key), read with the timeline, and change.

Each handler reads the request, calls one Kit method with the token's identity as ``by=``/``viewer=``,
and answers; the rules (visibility, transitions, limits) are the services'. A private incident answers
404 with the words of a missing one: a token never sees one.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json

from fastapi import APIRouter, Depends, Header, Query, Request, Response

from ..incident.records import list_record, timeline_record
from .deps import Caller, kit, require
from .errors import Refusal
from .schemas import (DeclareIn, FollowUpIn, FollowUpOut, IncidentDetail, IncidentList, IncidentOut,
                      ResolveIn, StatusIn, UpdateIn, UpdateOut)

router = APIRouter(tags=["incidents"])

READ, WRITE = "incidents:read", "incidents:write"
PAGE_MAX = 500  # per request; next_cursor continues


# -- the list's cursor: opaque to clients, tied to the filters it was made for -----------------------------
def _filters_key(filters: dict) -> str:
    return hashlib.sha256(json.dumps(filters, sort_keys=True).encode()).hexdigest()[:16]


def make_cursor(offset: int, filters: dict) -> str:
    raw = json.dumps({"o": offset, "f": _filters_key(filters)}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def read_cursor(cursor: str | None, filters: dict) -> int:
    """The offset a cursor stands for; a cursor from other filters, or not ours, is refused."""
    if not cursor:
        return 0
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        offset, made_for = data["o"], data["f"]
        valid = isinstance(offset, int) and not isinstance(offset, bool) and 0 <= offset <= 1_000_000
    except (ValueError, TypeError, KeyError, binascii.Error):
        valid = False
    if not valid:
        raise Refusal("This cursor is not one this server gave out; start again without it.")
    if made_for != _filters_key(filters):
        raise Refusal("This cursor belongs to a list with other filters; start again without it or use "
                      "the filters it was made with.")
    return offset


def _location(request: Request, reference: str) -> str:
    return f"{request.scope.get('root_path', '')}/incidents/{reference}"


# -- routes ---------------------------------------------------------------------------------------------------
@router.get("/incidents", response_model=IncidentList, summary="List incidents, active first, then newest")
def list_incidents(active: bool = False, severity: str | None = None, type: str | None = None,
                   search: str | None = None, since: str | None = Query(None, description="ISO 8601 with offset"),
                   until: str | None = Query(None, description="ISO 8601 with offset"),
                   limit: int = Query(50, ge=1, le=PAGE_MAX), cursor: str | None = None,
                   k=Depends(kit), caller: Caller = require(READ)):
    """A page of the incidents the token may see (never a private one). ``next_cursor`` fetches the next page
    with the same filters; it is null on the last page. Incidents declared meanwhile can shift a page by
    as many rows."""
    filters = {"active": active, "severity": severity, "type": type, "search": search, "since": since,
               "until": until}
    offset = read_cursor(cursor, filters)
    frame = k.incidents(viewer=caller.identity, limit=offset + limit + 1, **filters)
    rows = frame.iloc[offset:offset + limit + 1].to_dict(orient="records")
    more = len(rows) > limit
    return {"incidents": [list_record(r) for r in rows[:limit]],
            "next_cursor": make_cursor(offset + limit, filters) if more else None}


@router.post("/incidents", response_model=IncidentOut, status_code=201,
             summary="Declare an incident (once per Idempotency-Key)",
             responses={200: {"description": "A retry with the same Idempotency-Key: the incident it declared"}})
def declare(body: DeclareIn, request: Request, response: Response, k=Depends(kit), caller: Caller = require(WRITE),
            idempotency_key: str | None = Header(None, description="Retry-safe: the same key returns the "
                                                                   "same incident (200 instead of 201)")):
    fields = body.model_dump()
    title = fields.pop("title")
    if not fields["components"]:  # none named: the same request (and Idempotency-Key hash) as before components
        del fields["components"]
    if idempotency_key is None:
        incident = k.declare(title, declared_by=caller.identity, **fields)
    else:
        incident, created = k.declare_once(idempotency_key, title, declared_by=caller.identity, **fields)
        if not created:
            response.status_code = 200
    response.headers["Location"] = _location(request, incident.reference)
    return incident.to_dict()


@router.get("/incidents/{ref}", response_model=IncidentDetail, summary="One incident with its timeline")
def show(ref: str, k=Depends(kit), caller: Caller = require(READ)):
    data = k.get(ref, viewer=caller.identity).to_dict()
    data["components"] = {a.component.name: a.impact.value for a in k.incident_components(ref, viewer=caller.identity)}
    data["timeline"] = [timeline_record(r) for r in k.timeline(ref, viewer=caller.identity).itertuples()]
    return data


@router.post("/incidents/{ref}/updates", response_model=UpdateOut, status_code=201, summary="Post an update")
def post_update(ref: str, body: UpdateIn, k=Depends(kit), caller: Caller = require(WRITE)):
    fields = body.model_dump()
    return k.post_update(ref, fields.pop("message"), by=caller.identity, **fields).to_dict()


@router.post("/incidents/{ref}/status", response_model=IncidentOut, summary="Move to another status")
def change_status(ref: str, body: StatusIn, k=Depends(kit), caller: Caller = require(WRITE)):
    if body.status.strip().lower() == "declined":  # as `incident-kit status REF declined --note ...`
        return k.decline(ref, by=caller.identity, reason=body.note or "").to_dict()
    return k.change_status(ref, body.status, by=caller.identity, note=body.note).to_dict()


@router.post("/incidents/{ref}/resolve", response_model=IncidentOut, summary="Resolve, with the final update")
def resolve(ref: str, body: ResolveIn | None = None, k=Depends(kit), caller: Caller = require(WRITE)):
    return k.resolve(ref, by=caller.identity, **(body or ResolveIn()).model_dump()).to_dict()


@router.post("/incidents/{ref}/follow-ups", response_model=FollowUpOut, status_code=201, summary="Add a follow-up")
def add_follow_up(ref: str, body: FollowUpIn, k=Depends(kit), caller: Caller = require(WRITE)):
    fields = body.model_dump()
    return k.add_follow_up(ref, fields.pop("title"), by=caller.identity, **fields).to_dict()


