"""Bearer tokens, scopes and the per-token rate limit, as one FastAPI security dependency.

The token is checked by the tokens service (``kit.authenticate_api_token``: lookup prefix, SHA-512,
constant-time compare); every bad token gets the same 401, so a caller cannot tell an unknown token
from a revoked one. The rate limit is a moving window per token (the ``limits`` package, in this
process's memory: with several app processes on PostgreSQL, each allows the rate).
"""

from __future__ import annotations

import math
import os
import time

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer, SecurityScopes

from ..errors import IncidentKitError
from .deps import Caller, kit
from .errors import Forbidden, TooMany, Unauthorized

RATE_ENV_VAR = "INCIDENT_KIT_API_RATE_LIMIT"
# Per token and process. Alertmanager posts at most a few times a minute per group; a script declaring
# and updating stays far below 10 a second. The limit stops a runaway loop, not normal use.
DEFAULT_RATE = "600/minute"

bearer = HTTPBearer(auto_error=False, scheme_name="token",
                    description="An API token (`incident-kit api-token create`), sent as `Authorization: Bearer ik_...`.")

NO_TOKEN = "Send an API token in the Authorization header (Authorization: Bearer ik_...); an admin creates one."
BAD_TOKEN = "This API token is not valid (unknown, expired or revoked); ask an admin for a new one."


class RateLimit:
    """One moving-window limit per token, e.g. ``600/minute`` (the ``limits`` notation); ``namespace`` keeps
    another limiter's names apart (the status page's per-client and per-address subscription limits)."""

    def __init__(self, rate: str | None = None, *, namespace: str = "token"):
        from limits import parse, storage, strategies

        text = rate or os.environ.get(RATE_ENV_VAR) or DEFAULT_RATE
        try:
            self.item = parse(text)
        except ValueError:
            raise IncidentKitError(f"{RATE_ENV_VAR}={text[:40]} is not a rate like 600/minute or 10/second.") from None
        self.limiter = strategies.MovingWindowRateLimiter(storage.MemoryStorage())
        self.namespace = namespace

    def wait_seconds(self, name: str) -> int:
        """0 when this request may go ahead (it is counted); else the seconds until it may."""
        if self.limiter.hit(self.item, self.namespace, name):
            return 0
        reset = self.limiter.get_window_stats(self.item, self.namespace, name).reset_time
        return max(1, math.ceil(reset - time.time()))


def authenticated(security_scopes: SecurityScopes, request: Request,
                  credentials: HTTPAuthorizationCredentials | None = Depends(bearer), k=Depends(kit)) -> Caller:
    if credentials is None:
        raise Unauthorized(NO_TOKEN, headers={"WWW-Authenticate": "Bearer"})
    token = k.authenticate_api_token(credentials.credentials)
    if token is None:
        raise Unauthorized(BAD_TOKEN, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    wait = request.app.state.rate_limit.wait_seconds(token.name)
    if wait:
        raise TooMany(f"Too many requests with the token {token.name}; wait {wait} s and try again.",
                      headers={"Retry-After": str(wait)})
    missing = [scope for scope in security_scopes.scopes if not token.allows(scope)]
    if missing:
        raise Forbidden(f"The token {token.name} may not do this: it needs the {missing[0]} scope.",
                        headers={"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{missing[0]}"'})
    return Caller(token)
