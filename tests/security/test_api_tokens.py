"""API tokens against the running app: 401 for every bad token alike, 403 for a missing scope, 429 with
Retry-After over the rate, and the token never stored in plain text."""

from __future__ import annotations

import datetime as dt
import os

import pytest

import incident_kit as ik
from incident_kit.clock import utcnow
from incident_kit.tokens import service

from web_support import ALL_SCOPES, error_of, served, tokens

RATE = 20  # per minute, for this module's app

# One request per route (every route but /health needs a token).
ROUTES = [("GET", "/incidents", None), ("POST", "/incidents", {"title": "x"}), ("GET", "/incidents/INC-1", None),
          ("POST", "/incidents/INC-1/updates", {"message": "x"}), ("POST", "/incidents/INC-1/status",
                                                                   {"status": "fixing"}),
          ("POST", "/incidents/INC-1/resolve", {}), ("POST", "/incidents/INC-1/follow-ups", {"title": "x"}),
          ("POST", "/alerts/alertmanager", {"groupKey": "g", "status": "firing", "alerts": [{"status": "firing"}]}),
          ("POST", "/alerts", {"status": "firing", "title": "x", "dedup_key": "k"}),
          ("GET", "/metrics", None), ("GET", "/maintenances", None),
          ("POST", "/maintenances", {"title": "x", "start": "2030-01-01T02:00Z", "end": "2030-01-01T03:00Z"}),
          ("POST", "/maintenances/1/cancel", None), ("POST", "/maintenances/1/complete", None)]


def scope_of(method: str, path: str) -> str:
    if path.startswith("/alerts"):
        return "alerts"
    if path.startswith("/metrics"):
        return "metrics:read"
    return "incidents:read" if method == "GET" else "incidents:write"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    db = tmp_path_factory.mktemp("tokens") / "kit.duckdb"
    secrets = tokens(db, {"full": ALL_SCOPES, "reader": ["incidents:read"], "metrics": ["metrics:read"],
                          "revoked": ALL_SCOPES, "limited": ["incidents:read"]})
    with ik.open(db, user="admin") as kit:
        kit.revoke_api_token("revoked")
        secrets["expired"] = service.create(kit.db, "expired", ALL_SCOPES, by="admin", expires="1h",
                                            now=utcnow() - dt.timedelta(hours=2)).secret
        kit.declare("Public one", declared_by="ana")
    env = {**os.environ, "INCIDENT_KIT_API_RATE_LIMIT": f"{RATE}/minute"}
    with served(db, env=env, log=db.parent / "app.log") as api:
        yield api, secrets


def test_every_route_but_health_refuses_a_request_without_a_token(app):
    api, _ = app
    with api.client() as c:
        for method, path, body in ROUTES:
            answer = c.request(method, path, json=body)
            assert answer.status_code == 401, (method, path)
            assert answer.headers["www-authenticate"] == "Bearer"
            assert "Send an API token" in error_of(answer)


@pytest.mark.parametrize("header", [
    "Bearer ik_" + "A" * 40, "Bearer not-a-token", "Bearer ik_", "Bearer " + "ik_" + "9" * 5000,
    "Basic YWRtaW46YWRtaW4=", "Bearer", "bearer x", "Token ik_abc",
])
def test_unknown_and_malformed_tokens_get_401(app, header):
    api, _ = app
    with api.client(Authorization=header) as c:
        answer = c.get("/incidents")
    assert answer.status_code == 401 and answer.headers["www-authenticate"].startswith("Bearer")
    error_of(answer)


def test_revoked_expired_and_forged_tokens_get_the_same_401_as_an_unknown_one(app):
    api, secrets = app
    full = secrets["full"]
    forged = full[:11] + ("A" if full[11] != "A" else "B") + full[12:]  # right lookup prefix, wrong secret
    answers = []
    for token in (secrets["revoked"], secrets["expired"], forged, "ik_" + "Z" * 40):
        with api.client(token) as c:
            answers.append(c.get("/incidents"))
    assert {a.status_code for a in answers} == {401}
    assert len({(a.text, a.headers["www-authenticate"]) for a in answers}) == 1
    assert "unknown, expired or revoked" in error_of(answers[0])


def test_a_token_without_the_scope_gets_403_naming_it(app):
    api, secrets = app
    with api.client(secrets["reader"]) as c:
        assert c.get("/incidents").status_code == 200
        for method, path, body in ROUTES:
            if method == "POST":
                answer = c.request(method, path, json=body)
                scope = scope_of(method, path)
                assert answer.status_code == 403 and f"needs the {scope} scope" in error_of(answer), path
                assert f'error="insufficient_scope", scope="{scope}"' in answer.headers["www-authenticate"]
        assert c.get("/metrics").status_code == 403
    with api.client(secrets["metrics"]) as c:
        assert c.get("/metrics").status_code == 200
        assert c.get("/incidents").status_code == 403 and c.get("/incidents/INC-1").status_code == 403


def test_each_token_is_limited_to_its_rate_with_retry_after(app):
    api, secrets = app
    with api.client(secrets["limited"]) as c:
        answers = [c.get("/incidents") for _ in range(RATE + 1)]
    assert [a.status_code for a in answers[:RATE]] == [200] * RATE
    refused = answers[-1]
    assert refused.status_code == 429 and 1 <= int(refused.headers["retry-after"]) <= 60
    assert "Too many requests with the token limited" in error_of(refused)
    with api.client(secrets["full"]) as c:  # another token is not held back
        assert c.get("/incidents").status_code == 200


@pytest.mark.both_stores
def test_the_store_keeps_a_prefix_and_a_digest_never_the_token(db_path, store):
    with ik.open(db_path, user="admin") as kit:
        secret = kit.create_api_token("alertmanager", ["alerts"]).secret
        kit.revoke_api_token("alertmanager")
        kit.create_api_token("ci", ["incidents:read"])
        rows = kit.db.read(lambda tx: tx.fetchall("SELECT * FROM api_tokens"))
        audit = kit.db.read(lambda tx: tx.fetchall("SELECT * FROM api_token_events"))
    body = secret[3:]
    cells = [str(cell) for row in rows + audit for cell in row]
    assert not [c for c in cells if body in c or body[8:] in c]
    assert body[:8] in cells  # the lookup prefix, and nothing more of the secret
    if store == "duckdb":  # the file itself (and any write-ahead log) holds no copy either
        for path in (db_path, db_path.with_name(db_path.name + ".wal")):
            if path.exists():
                data = path.read_bytes()
                assert body.encode() not in data and body[8:].encode() not in data
