"""Maintenance routes: list (``incidents:read``), schedule, cancel and complete (``incidents:write``).

Thin handlers: each calls one Kit method with the token's identity as ``by=``; the rules (dates, names,
who may change a window) are the maintenance service's.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from ..clock import utcnow
from ..maintenance.records import record
from .deps import Caller, kit, require
from .schemas import Request as Strict

router = APIRouter(tags=["maintenance"])

READ, WRITE = "incidents:read", "incidents:write"


class ScheduleIn(Strict):
    title: str = Field(description="What work is planned, in a line")
    start: str = Field(description="When it starts, ISO 8601 with an offset")
    end: str = Field(description="When it should end, ISO 8601 with an offset")
    components: list[str] = Field(default_factory=list, description="Names of the components it covers")
    message: str = Field("", description="What customers should know")


class MaintenanceOut(BaseModel):
    id: int
    title: str
    message: str
    start: str
    end: str
    components: list[str]
    status: str = Field(description="scheduled, in_progress, completed or cancelled (follows the clock)")
    ended_at: str | None
    ended_by: str | None
    created_at: str
    created_by: str


class MaintenanceList(BaseModel):
    maintenances: list[MaintenanceOut]


@router.get("/maintenances", response_model=MaintenanceList, summary="List maintenance windows, latest first")
def list_maintenances(k=Depends(kit), caller: Caller = require(READ)):
    now = utcnow()
    return {"maintenances": [record(m, now) for m in k.maintenances()]}


@router.post("/maintenances", response_model=MaintenanceOut, status_code=201, summary="Schedule maintenance")
def schedule(body: ScheduleIn, request: Request, response: Response, k=Depends(kit),
             caller: Caller = require(WRITE)):
    made = k.schedule_maintenance(body.title, start=body.start, end=body.end, components=body.components,
                                  message=body.message, by=caller.identity)
    response.headers["Location"] = f"{request.scope.get('root_path', '')}/maintenances/{made.id}"
    return record(made, utcnow())


@router.post("/maintenances/{maintenance_id}/cancel", response_model=MaintenanceOut, summary="Cancel maintenance")
def cancel(maintenance_id: str, k=Depends(kit), caller: Caller = require(WRITE)):
    return record(k.cancel_maintenance(maintenance_id, by=caller.identity), utcnow())


@router.post("/maintenances/{maintenance_id}/complete", response_model=MaintenanceOut,
             summary="End ongoing maintenance early")
def complete(maintenance_id: str, k=Depends(kit), caller: Caller = require(WRITE)):
    return record(k.complete_maintenance(maintenance_id, by=caller.identity), utcnow())
