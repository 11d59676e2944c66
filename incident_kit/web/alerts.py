"""Alert intake routes: Prometheus Alertmanager's webhook (and Grafana's), and the generic alert event.

Each handler makes one Kit call (``receive_alertmanager`` / ``receive_alert``) as the token: a repeat is one
read, a change that read and one short write transaction, and nothing is sent inline (a final update
reaches subscribers through the outbox). Alertmanager times out slow receivers, so nothing else happens
here. The rules (grouping, repeats, resolution, privacy) are the alerts service's.

The body is handed to the domain as parsed JSON: the alerts models check it and say what is wrong in one
sentence naming the field (``alerts[1].labels.region must be text``), which a pydantic body model checked by
FastAPI would not. The OpenAPI document still describes the body by those same models
(``json_schema_input_type``), so there is one definition of each payload.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends
from pydantic import PlainValidator

from ..alerts.models import AlertmanagerWebhook, GenericEvent
from .deps import Caller, kit, require
from .errors import Refusal
from .schemas import AlertOut

router = APIRouter(tags=["alerts"])

SCOPE = "alerts"
NOT_JSON = "Send the alert as JSON with the header Content-Type: application/json."


def _as_sent(value):
    return value


# Bodies passed on as parsed JSON (any JSON value: the domain says what is wrong), documented as the models.
AlertmanagerBody = Annotated[Any, Body(), PlainValidator(_as_sent, json_schema_input_type=AlertmanagerWebhook)]
EventBody = Annotated[Any, Body(), PlainValidator(_as_sent, json_schema_input_type=GenericEvent)]


def _json(payload):
    """FastAPI hands over the raw bytes when the Content-Type is not JSON: refuse them with one sentence."""
    if isinstance(payload, (bytes, bytearray)):
        raise Refusal(NOT_JSON)
    return payload


@router.post("/alerts/alertmanager", response_model=AlertOut, status_code=202,
             summary="Alertmanager or Grafana webhook: one incident per alert group")
def receive_alertmanager(payload: AlertmanagerBody, k=Depends(kit), caller: Caller = require(SCOPE)):
    """Prometheus Alertmanager's webhook (version 4) or Grafana's webhook contact point. The first firing of
    a group (its ``groupKey``) declares an incident; repeats change nothing; new alerts and resolutions go on
    its timeline."""
    return k.receive_alertmanager(_json(payload), by=caller.identity)


@router.post("/alerts", response_model=AlertOut, status_code=202,
             summary="A generic alert event: one incident per dedup_key")
def receive(event: EventBody, k=Depends(kit), caller: Caller = require(SCOPE)):
    """``{"status": "firing" | "resolved", "title", "dedup_key", ...}``: the first firing of a ``dedup_key``
    declares an incident; repeats change nothing; ``resolved`` goes on its timeline."""
    return k.receive_alert(_json(event), by=caller.identity)
