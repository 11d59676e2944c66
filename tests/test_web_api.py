"""The HTTP API of the running app (``streamlit run app.py``) on the DuckDB default, driven with httpx and curl."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from fastapi.routing import APIRoute

from incident_kit.web.app import ROUTERS

from web_support import ALL_SCOPES, error_of, served, strict_json, tokens

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    db = tmp_path_factory.mktemp("api") / "kit.duckdb"
    secrets = tokens(db, {"bot": ALL_SCOPES, "reader": ["incidents:read"], "curl": ["incidents:write", "incidents:read"]})
    with served(db, log=db.parent / "app.log") as api:
        yield api, secrets


@pytest.fixture
def bot(app):
    api, secrets = app
    with api.client(secrets["bot"]) as client:
        yield client


def test_health_needs_no_token_and_says_nothing_about_the_data(app):
    api, _ = app
    with api.client() as c:
        answer = c.get("/health")
    assert answer.status_code == 200 and strict_json(answer.text) == {"status": "ok", "version": "0.1.0"}


def test_declare_update_status_resolve_and_follow_up_reach_the_timeline_as_the_token(bot):
    made = bot.post("/incidents", json={"title": "Checkout failing", "severity": "major", "type": "engineering",
                                        "summary": "500s on pay", "tags": ["checkout"], "lead": "ana"})
    assert made.status_code == 201, made.text
    inc = made.json()
    ref = inc["reference"]
    assert made.headers["location"] == f"/api/v1/incidents/{ref}"
    assert (inc["severity"], inc["declared_by"], inc["roles"]) == ("Major", "token:bot", {"lead": "ana"})
    update = bot.post(f"/incidents/{ref}/updates", json={"message": "Rolling back", "audience": "external",
                                                        "status": "fixing"})
    assert update.status_code == 201 and update.json()["author"] == "token:bot"
    assert bot.post(f"/incidents/{ref}/status", json={"status": "monitoring"}).json()["status"] == "monitoring"
    resolved = bot.post(f"/incidents/{ref}/resolve", json={"final_update": "Fixed by the rollback"})
    assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"
    follow_up = bot.post(f"/incidents/{ref}/follow-ups", json={"title": "Alert on 500s", "owner": "ana"})
    assert follow_up.status_code == 201 and follow_up.json()["id"].startswith("FU-")
    shown = bot.get(f"/incidents/{ref}").json()
    assert [(e["kind"], e["actor"]) for e in shown["timeline"]] == [
        ("declared", "token:bot"), ("role_assigned", "token:bot"), ("status_changed", "token:bot"),
        ("update_posted", "token:bot"), ("status_changed", "token:bot"), ("status_changed", "token:bot"),
        ("update_posted", "token:bot"), ("follow_up_added", "token:bot")]
    assert shown["timeline"][3]["audience"] == "external"
    again = bot.post(f"/incidents/{ref}/resolve")
    assert again.status_code == 409 and error_of(again) == "The incident is already resolved."


def test_declining_goes_through_the_status_route(bot):
    ref = bot.post("/incidents", json={"title": "False alarm"}).json()["reference"]
    refused = bot.post(f"/incidents/{ref}/status", json={"status": "declined"})
    assert refused.status_code == 422 and "reason" in error_of(refused).lower()
    declined = bot.post(f"/incidents/{ref}/status", json={"status": "declined", "note": "Not an incident"})
    assert declined.json()["status"] == "declined"


def test_the_list_pages_with_an_opaque_cursor_and_filters(bot):
    refs = [bot.post("/incidents", json={"title": f"Paging {n}", "tags": ["paging"]}).json()["reference"]
            for n in range(5)]
    seen, cursor, pages = [], None, 0
    while True:
        page = bot.get("/incidents", params={"search": "paging", "limit": 2, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200
        body = strict_json(page.text)
        seen += [i["reference"] for i in body["incidents"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 3 and seen == list(reversed(refs))  # newest first, each once
    first = bot.get("/incidents", params={"search": "paging", "limit": 2}).json()["next_cursor"]
    other = bot.get("/incidents", params={"search": "other", "cursor": first})
    assert other.status_code == 400 and "other filters" in error_of(other)
    forged = bot.get("/incidents", params={"cursor": "eyJvIjogLTF9"})
    assert forged.status_code == 400 and "not one this server gave out" in error_of(forged)
    assert bot.get("/incidents", params={"active": "true", "severity": "Minor", "limit": 500}).status_code == 200
    assert bot.get("/incidents", params={"limit": 501}).status_code == 422


def test_an_idempotency_key_declares_once(bot):
    key = {"Idempotency-Key": "alert-7f3c"}
    first = bot.post("/incidents", json={"title": "Queue backlog"}, headers=key)
    retry = bot.post("/incidents", json={"title": "Queue backlog"}, headers=key)
    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json() == first.json()
    changed = bot.post("/incidents", json={"title": "Another thing"}, headers=key)
    assert changed.status_code == 422 and "different declaration" in error_of(changed)
    assert len(bot.get("/incidents", params={"search": "Queue backlog"}).json()["incidents"]) == 1


def test_metrics_is_the_metrics_json_object_and_strictly_valid(bot):
    answer = bot.get("/metrics")
    assert answer.status_code == 200
    data = strict_json(answer.text)
    assert {"incidents", "live", "time_to_resolve_minutes", "cadence_adherence", "follow_ups"} <= set(data)
    assert bot.get("/metrics", params={"since": "yesterday"}).status_code == 422


def test_the_openapi_document_lists_every_route_and_the_docs_page_needs_no_cdn(app):
    api, _ = app
    with api.client() as c:
        spec = strict_json(c.get("/openapi.json").text)
        docs = c.get("/docs")
    routes = {(r.path, m.lower()) for router in ROUTERS for r in router.routes
              if isinstance(r, APIRoute) and r.include_in_schema for m in r.methods}
    documented = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    assert documented == routes and len(routes) >= 8
    assert spec["servers"] == [{"url": "/api/v1"}]
    assert docs.status_code == 200 and docs.headers["content-type"].startswith("text/html")
    assert all(f"/api/v1{path}" in docs.text for path, _ in routes)
    assert "<script" not in docs.text and "cdn" not in docs.text.lower() and "src=" not in docs.text


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_declares_and_updates_while_the_app_holds_the_duckdb_file(app):
    api, secrets = app
    auth = ["-H", f"Authorization: Bearer {secrets['curl']}", "-H", "Content-Type: application/json"]
    declared = subprocess.run(["curl", "-sS", "--fail-with-body", *auth, "-d", '{"title": "Disk full on db-3"}',
                               f"{api.base}/incidents"], capture_output=True, text=True, timeout=30)
    assert declared.returncode == 0, declared.stderr + declared.stdout
    ref = json.loads(declared.stdout)["reference"]
    updated = subprocess.run(["curl", "-sS", "--fail-with-body", *auth, "-d", '{"message": "Cleared old logs"}',
                              f"{api.base}/incidents/{ref}/updates"], capture_output=True, text=True, timeout=30)
    assert updated.returncode == 0 and json.loads(updated.stdout)["author"] == "token:curl"
    shown = subprocess.run(["curl", "-sS", *auth, f"{api.base}/incidents/{ref}"], capture_output=True, text=True,
                           timeout=30)
    assert [e["text"] for e in json.loads(shown.stdout)["timeline"]][-1] == "Cleared old logs"
