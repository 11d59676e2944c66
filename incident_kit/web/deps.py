"""What every route module depends on: the process's Kit and the caller a token proves.

A routes module (``web/<domain>.py``) writes::

    from fastapi import APIRouter, Depends
    from ..kit import Kit
    from .deps import Caller, kit, require

    router = APIRouter(tags=["alerts"])

    @router.post("/alerts", status_code=202)
    def receive(event: AlertEvent, k: Kit = Depends(kit), caller: Caller = require("alerts")):
        return k.receive_alert(..., by=caller.identity)   # one Kit call, the token's identity as by=/viewer=

and is listed in ``web.app.ROUTERS``. ``require(scope)`` answers 401 for a missing, unknown, expired or
revoked token, 403 when the token lacks ``scope``, and 429 when the token is over its rate.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi import Security

from ..identity import Person

if TYPE_CHECKING:
    from ..kit import Kit
    from ..tokens.models import ApiToken

_KITS: dict[str, Kit] = {}
_LOCK = threading.Lock()


def open_shared(target=None) -> Kit:
    """The process's Kit for the configured store, opened once WITHOUT a local operator (it fails closed:
    every call names ``by=``/``viewer=``). On DuckDB it is the same connection the pages use (``ik.open``
    shares one per process and file). The first opening also starts what the app's pages start: the
    notification worker and the snapshot publisher (each once per process and file).

    A store that cannot be opened raises ``StoreUnavailable`` (503) and is tried again on the next request.
    """
    import incident_kit as ik
    from ..config import resolve_db_path

    key = str(resolve_db_path(target))
    with _LOCK:
        shared = _KITS.get(key)
        if shared is None:
            from ..notify.worker import start_background
            from ..snapshot import start_publisher

            shared = ik.open(key)
            start_background(shared)
            start_publisher(shared)
            _KITS[key] = shared
    return shared


def kit() -> Kit:
    """FastAPI dependency: the shared Kit."""
    return open_shared()


@dataclass(frozen=True)
class Caller:
    """Who is calling: the live token that authenticated the request."""

    token: ApiToken

    @property
    def identity(self) -> Person:
        """``token:NAME``, a machine: pass it as ``by=`` and ``viewer=`` to every Kit call."""
        return self.token.identity

    @property
    def name(self) -> str:
        return self.token.name


def require(scope: str):
    """A route parameter default: the authenticated ``Caller``, whose token must hold ``scope``."""
    from .auth import authenticated

    return Security(authenticated, scopes=[scope])
