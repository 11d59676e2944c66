"""The API's request and answer shapes (pydantic), which the OpenAPI document describes.

Requests are strict: a field of the wrong JSON type (a number for a title) and an unknown field (such as
``private``: a token never declares a private incident) are refused with one sentence. Lengths, dates
and names are checked by the services, which say what the limit is.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..alerts.models import Outcome


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class DeclareIn(Request):
    title: str = Field(description="What is happening, in a line")
    severity: str | None = Field(None, description="A severity name (case-insensitive); default: the lowest")
    type: str | None = Field(None, description="An incident type, e.g. engineering")
    summary: str = ""
    lead: str | None = Field(None, description="The incident lead's name")
    tags: list[str] = Field(default_factory=list)
    started_at: str | None = Field(None, description="When impact began, ISO 8601 with an offset")
    mode: str = Field("live", description="live, retrospective or test")
    components: dict[str, str] = Field(default_factory=dict, description="Components it affects and how, e.g. "
                                       '{"Checkout": "partial_outage"}; impacts: degraded_performance, '
                                       "partial_outage, major_outage")


class UpdateIn(Request):
    message: str
    audience: str = Field("internal", description="internal, or external (for customers)")
    status: str | None = Field(None, description="Move the incident to this status with the update")
    impact: str = ""
    doing: str = ""
    next_update_at: str | None = Field(None, description="ISO 8601 with an offset")


class StatusIn(Request):
    status: str = Field(description="investigating, fixing, monitoring, resolved, post_incident, closed or declined")
    note: str | None = Field(None, description="Why (required when declining)")


class ResolveIn(Request):
    note: str | None = None
    final_update: str | None = Field(None, description="The final update, posted with the resolution")
    external_update: str | None = Field(None, description="Its version for customers (the status page)")


class FollowUpIn(Request):
    title: str
    owner: str | None = None
    due: str | None = Field(None, description="A date (YYYY-MM-DD) or ISO 8601 time; default by severity")
    priority: str = Field("medium", description="low, medium, high or urgent")
    description: str = ""
    tracker_url: str | None = None


# -- answers -----------------------------------------------------------------------------------------------
class IncidentOut(BaseModel):
    id: int
    reference: str
    title: str
    summary: str
    severity: str
    type: str | None
    status: str
    mode: str
    private: bool
    declared_by: str
    declared_at: str
    started_at: str
    resolved_at: str | None
    closed_at: str | None
    tags: list[str]
    source: str | None
    external_id: str | None
    merged_into: str | None
    roles: dict[str, str]
    accountable_for_updates: str


class TimelineEntry(BaseModel):
    occurred_at: str
    kind: str
    actor: str
    text: str
    audience: str | None


class IncidentDetail(IncidentOut):
    components: dict[str, str] = Field(default_factory=dict, description="Components it affects and how, e.g. "
                                       '{"Checkout": "partial_outage"}')
    timeline: list[TimelineEntry]


class ListItem(BaseModel):
    reference: str
    title: str
    severity: str
    type: str | None
    status: str
    mode: str
    private: bool
    declared_by: str
    declared_at: str
    started_at: str
    resolved_at: str | None
    lead: str | None
    comms_lead: str | None
    accountable_for_updates: str
    next_update_due: str | None
    tags: list[str]


class IncidentList(BaseModel):
    incidents: list[ListItem]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null on the last page")


class UpdateOut(BaseModel):
    id: int
    incident_id: int
    posted_at: str
    author: str
    audience: str
    message: str
    status: str | None
    impact: str
    doing: str
    next_update_at: str | None


class FollowUpOut(BaseModel):
    id: str
    incident: str
    title: str
    description: str
    owner: str | None
    priority: str
    status: str
    wont_do_reason: str | None
    due_at: str | None
    tracker_url: str | None
    created_at: str
    created_by: str
    completed_at: str | None


class AlertOut(BaseModel):
    outcome: Outcome = Field(description="What the delivery did: declared, unchanged (a repeat), alert_added, "
                                         "resolved_noted, resolved, reopened_as_new, or accepted (about an "
                                         "incident the token may not see, which is not named), or "
                                         "held_for_maintenance (its component label names a component "
                                         "under maintenance: noted there, nothing declared)")
    incident: str | None = Field(description="The group's incident, e.g. INC-12; null when not named")
    previous_incident: str | None = Field(None, description="With reopened_as_new: the earlier incident it "
                                                            "is linked to")


class Health(BaseModel):
    status: Literal["ok"]
    version: str


class Error(BaseModel):
    error: str = Field(description="One sentence saying what is wrong and what to do")
