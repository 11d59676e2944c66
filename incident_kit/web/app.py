"""The HTTP API's FastAPI app, which ``app.py`` mounts at ``/api/v1`` inside the Streamlit server.

One routes module per domain (``ROUTERS``); auth in dependencies (``deps.require``); one JSON error
shape (``errors``); the body cap, nesting limit and last-resort error answer around it all (``guard``).
The OpenAPI document is at ``/api/v1/openapi.json`` and a plain, offline docs page at ``/api/v1/docs``.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware import Middleware
from starlette.routing import Mount

from .. import __version__
from . import alerts, docs, errors, health, incidents, maintenance, metrics, statuspage
from .auth import RateLimit
from .guard import Guard, JsonAtTheEdge
from .schemas import Error

PREFIX = "/api/v1"  # where app.py mounts it; the OpenAPI document's server URL
ROUTERS = [health.router, incidents.router, alerts.router, metrics.router, maintenance.router]
DESCRIPTION = ("Declare, update and read incidents, take alerts (Alertmanager, Grafana, generic events), and "
               "read metrics, from other tools. Every request but "
               "`/health` needs an API token with the right scope (`incident-kit api-token create`, or Settings "
               "in the app); a token acts as `token:NAME` and never sees a private incident.")
# Every route may answer these; listed once so the OpenAPI document shows the error shape.
ERRORS = {status: {"model": Error, "description": text} for status, text in (
    (400, "Malformed request"), (401, "Missing, unknown, expired or revoked token"), (403, "Token lacks the scope"),
    (404, "No such incident (or one the token may not see)"), (409, "Conflicts with the incident's state"),
    (413, "Body over 1 MB"), (422, "Refused: the sentence says why"), (429, "Over the token's rate; see Retry-After"),
    (503, "The store cannot be opened"))}


def create_app(*, rate: str | None = None) -> FastAPI:
    """A new API app. ``rate`` (e.g. ``"600/minute"``) defaults to ``$INCIDENT_KIT_API_RATE_LIMIT``."""
    api = FastAPI(title="incident-kit API", version=__version__, description=DESCRIPTION,
                  openapi_url="/openapi.json", docs_url=None, redoc_url=None, servers=[{"url": PREFIX}],
                  root_path_in_servers=False)
    api.state.rate_limit = RateLimit(rate)
    errors.install(api)
    for router in ROUTERS:
        api.include_router(router, responses=ERRORS)
    api.include_router(docs.router)
    api.add_middleware(Guard)
    return api


def routes() -> list:
    """What ``app.py`` adds to Streamlit's server: the API mounted at ``/api/v1`` and the public status page
    at ``/status-page/`` (no sign-in)."""
    send_small_answers_at_once()
    return [Mount(PREFIX, app=create_app()), *statuspage.routes()]


def send_small_answers_at_once() -> None:
    """Turn Nagle's algorithm off on the connections Streamlit's server accepts, as asyncio means to.

    asyncio sets TCP_NODELAY on every accepted TCP connection, but only when the socket says its protocol
    is TCP (``proto == IPPROTO_TCP``). Streamlit 1.67 binds its listening socket itself with
    ``socket.socket(family)``, whose ``proto`` is 0, so its connections keep Nagle on: uvicorn writes an
    answer's headers and body separately, the body waits for the client's delayed ACK, and every request on
    a kept-alive connection (Alertmanager's, httpx's) took 44 ms instead of 1 ms on loopback
    (``benchmarks/bench_api.py``). This widens asyncio's check to ``proto == 0`` for TCP stream sockets, in
    this process only; it changes nothing once Streamlit binds with ``IPPROTO_TCP``.
    """
    import asyncio.base_events as base_events
    import socket

    original = base_events._set_nodelay
    if getattr(original, "incident_kit", False):
        return

    def set_nodelay(sock):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM and sock.proto == 0:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return
        original(sock)

    set_nodelay.incident_kit = True
    base_events._set_nodelay = set_nodelay


def middleware() -> list:
    """Around Streamlit's server: errors it answers itself under ``/api/v1`` are JSON sentences too."""
    return [Middleware(JsonAtTheEdge, prefix=PREFIX)]
