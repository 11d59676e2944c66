"""``/api/v1/maintenances`` over the real app: schedule, list, cancel and complete with a token."""

from __future__ import annotations

import datetime as dt

import pytest
from web_support import error_of, served, strict_json, tokens

import incident_kit as ik

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    db = tmp_path_factory.mktemp("maint") / "kit.duckdb"
    secrets = tokens(db, {"writer": ["incidents:write", "incidents:read"], "reader": ["incidents:read"]})
    with ik.open(db, user="admin") as kit:
        kit.add_component("Checkout")
    with served(db, log=db.parent / "app.log") as api:
        yield api, secrets


def test_a_token_schedules_lists_completes_and_cancels_maintenance(app):
    api, secrets = app
    now = dt.datetime.now(dt.UTC)
    with api.client(secrets["writer"]) as c:
        made = c.post("/maintenances", json={"title": "<b>Upgrade</b>", "components": ["checkout"],
                                             "start": (now - dt.timedelta(minutes=1)).isoformat(),
                                             "end": (now + dt.timedelta(hours=1)).isoformat(), "message": "Slow"})
        assert made.status_code == 201, made.text
        body = strict_json(made.text)
        assert body["status"] == "in_progress" and body["components"] == ["Checkout"]
        assert body["created_by"] == "token:writer" and body["title"] == "<b>Upgrade</b>"
        later = c.post("/maintenances", json={"title": "Network", "start": "2030-01-01T02:00Z",
                                              "end": "2030-01-01T03:00Z"}).json()
        done = c.post(f"/maintenances/{body['id']}/complete")
        assert done.status_code == 200 and done.json()["status"] == "completed"
        cancelled = c.post(f"/maintenances/{later['id']}/cancel")
        assert cancelled.status_code == 200 and cancelled.json()["ended_by"] == "token:writer"
    with api.client(secrets["reader"]) as c:
        listed = c.get("/maintenances")
        assert listed.status_code == 200
        assert [(m["title"], m["status"]) for m in listed.json()["maintenances"]] == [
            ("Network", "cancelled"), ("<b>Upgrade</b>", "completed")]
        refused = c.post("/maintenances", json={"title": "x", "start": "2030-01-01T02:00Z",
                                                "end": "2030-01-01T03:00Z"})
        assert refused.status_code == 403


@pytest.mark.parametrize(("body", "status", "words"), [
    ({"title": "x", "start": "2030-01-01T03:00Z", "end": "2030-01-01T02:00Z"}, 422, "must be after the start"),
    ({"title": "x", "start": "2030-01-01T02:00Z", "end": "2030-01-01T03:00Z", "components": ["Nope"]}, 422,
     "There is no component Nope"),
    ({"title": "x", "start": "2030-01-01T02:00Z", "end": "2030-01-01T03:00Z", "private": True}, 422, ""),
])
def test_bad_requests_get_one_sentence(app, body, status, words):
    api, secrets = app
    with api.client(secrets["writer"]) as c:
        answer = c.post("/maintenances", json=body)
    assert answer.status_code == status and words in error_of(answer)


def test_an_unknown_maintenance_is_404(app):
    api, secrets = app
    with api.client(secrets["writer"]) as c:
        assert c.post("/maintenances/999/cancel").status_code == 404
        assert c.post("/maintenances/abc/complete").status_code == 404
