"""``GET /metrics``: the same JSON object as ``incident-kit metrics --json``, over what the token may see."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from .deps import Caller, kit, require

router = APIRouter(tags=["metrics"])


@router.get("/metrics", summary="Response, cadence and follow-up metrics (as metrics --json)")
def metrics(since: str | None = Query(None, description="Incidents declared on or after this UTC day (YYYY-MM-DD)"),
            until: str | None = Query(None, description="Incidents declared on or before this UTC day (YYYY-MM-DD)"),
            k=Depends(kit), caller: Caller = require("metrics:read")):
    from .. import analytics  # the function the command uses: one definition of every figure

    return analytics.metrics_summary(k, since=since, until=until, viewer=caller.identity)
