"""Helpers for the HTTP API tests: the real app started as users start it, and httpx clients with tokens.

``served(db)`` runs ``streamlit run app.py`` (``tests/e2e/harness.py``) on a free loopback port and yields
an ``Api`` that makes httpx clients for ``/api/v1``. Tokens are made beforehand through a local Kit
(DuckDB lets one process hold the file; the app holds it while it runs).
"""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path

import httpx

import incident_kit as ik

sys.path.insert(0, str(Path(__file__).resolve().parent / "e2e"))
import harness  # noqa: E402  (tests/e2e/harness.py: starts the real app)

ALL_SCOPES = ["alerts", "incidents:read", "incidents:write", "metrics:read"]


class Api:
    def __init__(self, url: str):
        self.url = url
        self.base = url + "/api/v1"

    def client(self, token: str | None = None, **headers) -> httpx.Client:
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return httpx.Client(base_url=self.base, headers=headers, timeout=30)


@contextlib.contextmanager
def served(db, *, env: dict | None = None, log: Path | None = None):
    """The real app on ``db`` (a DuckDB path or PostgreSQL URL); the first API call opens the store."""
    with harness.streamlit_app(db, env=env, log=log) as url:
        api = Api(url)
        with api.client() as c:
            assert c.get("/health").status_code == 200  # the store is open: the app holds the file from here
        yield api


def tokens(db, specs: dict[str, list[str]], *, expires: dict | None = None) -> dict[str, str]:
    """Create tokens ``{name: scopes}`` through a local Kit (before the app holds the file); name -> secret."""
    with ik.open(db, user="admin") as kit:
        return {name: kit.create_api_token(name, scopes, expires=(expires or {}).get(name)).secret
                for name, scopes in specs.items()}


def strict_json(text: str):
    """JSON as the standard defines it: NaN and Infinity are refused."""
    def refuse(name):
        raise ValueError(f"{name} is not JSON")

    return json.loads(text, parse_constant=refuse)


def error_of(response: httpx.Response) -> str:
    """The one sentence of an error answer; fails unless the answer is exactly ``{"error": "..."}``."""
    assert response.headers["content-type"].startswith("application/json"), response.text[:200]
    body = strict_json(response.text)
    assert list(body) == ["error"] and isinstance(body["error"], str) and body["error"], body
    assert "Traceback" not in body["error"] and "\n" not in body["error"]
    return body["error"]
