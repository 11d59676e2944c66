"""``incident-kit --server URL``: the commands that can, go through a running app's HTTP API.

``RemoteKit`` answers the few Kit methods those commands call (declare, post_update, change_status,
decline, resolve, incidents, get, timeline, and the metrics) with the same types a local Kit returns,
so each command prints exactly what it prints locally. The token (``INCIDENT_KIT_TOKEN``) acts, as
``token:NAME``; ``--by`` and ``--private`` are refused rather than silently dropped. A declaration
carries an ``Idempotency-Key`` and is retried once on a lost connection, so a shell hook that fires
while the network blips declares once.
"""

from __future__ import annotations

import os
import uuid
from urllib.parse import quote, urlsplit

from ..clock import to_utc
from ..errors import IncidentKitError, InvalidTransition, NotAllowed, NotFound
from ..incident.models import Audience, Incident, Mode, Status, Update

SERVER_ENV_VAR = "INCIDENT_KIT_SERVER"
TOKEN_ENV_VAR = "INCIDENT_KIT_TOKEN"
API_PATH = "/api/v1"
TIMEOUT_S = 10.0  # an app under load answers in milliseconds; 10 s means it is not answering
PAGE = 500  # the API's largest page
SUPPORTED = "declare, update, status, resolve, list, show and metrics"
ERRORS = {404: NotFound, 403: NotAllowed, 409: InvalidTransition}


def base_url(server: str) -> str:
    text = str(server).strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise IncidentKitError(f"--server {text[:60]} is not an http(s) address; give the app's address, "
                               "e.g. http://localhost:8501.")
    return text if text.endswith(API_PATH) else text + API_PATH


def _time(value):
    return to_utc(value) if value else None


def incident_from(data: dict) -> Incident:
    return Incident(
        id=data["id"], reference=data["reference"], title=data["title"], summary=data["summary"],
        severity=data["severity"], type=data["type"], status=Status(data["status"]), mode=Mode(data["mode"]),
        private=data["private"], declared_by=data["declared_by"], declared_at=_time(data["declared_at"]),
        started_at=_time(data["started_at"]), resolved_at=_time(data["resolved_at"]),
        closed_at=_time(data["closed_at"]), tags=tuple(data["tags"]), source=data["source"],
        external_id=data["external_id"], merged_into=data["merged_into"], roles=dict(data["roles"]))


def update_from(data: dict) -> Update:
    return Update(id=data["id"], incident_id=data["incident_id"], posted_at=_time(data["posted_at"]),
                  author=data["author"], audience=Audience(data["audience"]), message=data["message"],
                  status=Status(data["status"]) if data["status"] else None, impact=data["impact"],
                  doing=data["doing"], next_update_at=_time(data["next_update_at"]))


class RemoteKit:
    """The Kit methods the remote commands call, over HTTP (httpx)."""

    def __init__(self, server: str, token: str | None = None):
        self.url = base_url(server)
        self.token = token if token is not None else os.environ.get(TOKEN_ENV_VAR, "")
        if not self.token.strip():
            raise IncidentKitError(f"--server needs an API token in {TOKEN_ENV_VAR}; an admin creates one with "
                                   "`incident-kit api-token create` or in the app's Settings.")
        self._client = None
        self._shown: dict[str, dict] = {}  # show reads the incident and its timeline: one request

    # -- HTTP -----------------------------------------------------------------------------------------
    def _request(self, method: str, path: str, *, json=None, params=None, headers=None, retries: int = 0) -> dict:
        import httpx

        if self._client is None:
            self._client = httpx.Client(timeout=TIMEOUT_S, headers={"Authorization": f"Bearer {self.token.strip()}"})
        for attempt in range(retries + 1):
            try:
                response = self._client.request(method, self.url + path, json=json, params=params, headers=headers)
                break
            except httpx.TransportError as exc:
                if attempt == retries:
                    raise IncidentKitError(f"Cannot reach incident-kit at {self.url} ({type(exc).__name__}); check "
                                           "--server and that the app is running.") from None
        try:
            data = response.json()
        except ValueError:
            data = None
        if response.is_success and isinstance(data, dict):
            return data
        if isinstance(data, dict) and isinstance(data.get("error"), str):
            raise ERRORS.get(response.status_code, IncidentKitError)(data["error"])
        raise IncidentKitError(f"The server at {self.url} did not answer as incident-kit does (HTTP "
                               f"{response.status_code}); check --server.")

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    @staticmethod
    def _no_person(by) -> None:
        if by:
            raise IncidentKitError("With --server the API token acts (as token:NAME); leave out --by.")

    # -- what the commands call -------------------------------------------------------------------------
    def declare(self, title, *, declared_by=None, private=False, **fields) -> Incident:
        self._no_person(declared_by)
        if private:
            raise IncidentKitError("An API token cannot declare a private incident; declare it in the app.")
        body = {"title": title, **{k: v for k, v in fields.items() if v not in (None, [], ())}}
        key = {"Idempotency-Key": str(uuid.uuid4())}  # the retry below declares once
        return incident_from(self._request("POST", "/incidents", json=body, headers=key, retries=1))

    def post_update(self, reference, message, *, by=None, **fields) -> Update:
        self._no_person(by)
        body = {"message": message, **{k: v for k, v in fields.items() if v is not None}}
        return update_from(self._request("POST", f"/incidents/{quote(str(reference), safe='')}/updates", json=body))

    def change_status(self, reference, status, *, by=None, note=None) -> Incident:
        self._no_person(by)
        return incident_from(self._request("POST", f"/incidents/{quote(str(reference), safe='')}/status",
                                           json={"status": status, "note": note}))

    def decline(self, reference, *, reason, by=None) -> Incident:
        return self.change_status(reference, "declined", by=by, note=reason)

    def resolve(self, reference, *, by=None, note=None) -> Incident:
        self._no_person(by)
        return incident_from(self._request("POST", f"/incidents/{quote(str(reference), safe='')}/resolve",
                                           json={"note": note}))

    def _detail(self, reference) -> dict:
        key = str(reference)
        if key not in self._shown:
            self._shown[key] = self._request("GET", f"/incidents/{quote(key, safe='')}")
        return self._shown[key]

    def get(self, reference) -> Incident:
        return incident_from(self._detail(reference))

    def incident_components(self, reference) -> list:
        """The components the incident affects, as ``kit.incident_components`` gives them (what the API shows:
        names and impacts; the API does not say which are internal or their ids)."""
        from ..components.models import Affected, Component, Impact

        return [Affected(Component(id=0, name=name, slug="", group=None, description="", internal=False), Impact(impact))
                for name, impact in self._detail(reference).get("components", {}).items()]

    def timeline(self, reference):
        import pandas as pd

        rows = [{**r, "occurred_at": pd.Timestamp(r["occurred_at"]).tz_convert("UTC")}
                for r in self._detail(reference)["timeline"]]
        return pd.DataFrame(rows, columns=["occurred_at", "kind", "actor", "text", "audience"])

    def incidents(self, *, mine=None, limit=50, **filters):
        import pandas as pd

        if mine:
            raise IncidentKitError("--mine does not go through --server (the token is not a person); leave it out.")
        params = {k: v for k, v in filters.items() if v not in (None, False, "")}
        rows, cursor = [], None
        while len(rows) < limit:
            page = self._request("GET", "/incidents", params={**params, "limit": min(PAGE, limit - len(rows)),
                                                              **({"cursor": cursor} if cursor else {})})
            rows += page["incidents"]
            cursor = page["next_cursor"]
            if not cursor:
                break
        times = ("declared_at", "started_at", "resolved_at", "next_update_due")
        records = [{**r, **{t: pd.Timestamp(r[t]).tz_convert("UTC") if r[t] else None for t in times},
                    "accountable": r["accountable_for_updates"]} for r in rows]
        columns = ["reference", "title", "severity", "type", "status", "mode", "private", "declared_by",
                   "declared_at", "started_at", "resolved_at", "lead", "comms_lead", "accountable",
                   "next_update_due", "tags"]
        return pd.DataFrame(records, columns=columns)

    def metrics(self, *, since=None, until=None) -> dict:
        return self._request("GET", "/metrics", params={k: v for k, v in (("since", since), ("until", until)) if v})

    def __getattr__(self, name: str):
        raise IncidentKitError(f"This command does not go through --server ({SUPPORTED} do); run it where the "
                               "database is, or use the app.")
