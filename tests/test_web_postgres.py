"""On PostgreSQL any number of app processes serve the API: two of them here, against one database."""

from __future__ import annotations

import concurrent.futures
import json
import subprocess
import sys

import pytest

import incident_kit as ik

from web_support import ALL_SCOPES, error_of, served, strict_json, tokens

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def two_apps(pg_server, tmp_path_factory):
    url = pg_server.fresh_database()
    logs = tmp_path_factory.mktemp("pg-apps")
    secrets = tokens(url, {"bot": ALL_SCOPES, "doomed": ["incidents:read"]})
    with ik.open(url, user="admin") as kit:
        kit.declare("Payroll leak", declared_by="ana", private=True)  # INC-1
    with served(url, log=logs / "a.log") as a, served(url, log=logs / "b.log") as b:
        yield url, a, b, secrets
    pg_server.drop_database(url)


def cli(url, *args):
    done = subprocess.run([sys.executable, "-m", "incident_kit", "--db", url, *args], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_what_one_app_declares_the_other_serves_and_changes(two_apps):
    url, a, b, secrets = two_apps
    with a.client(secrets["bot"]) as ca, b.client(secrets["bot"]) as cb:
        ref = ca.post("/incidents", json={"title": "Replica lag", "severity": "Major"}).json()["reference"]
        assert cb.post(f"/incidents/{ref}/updates", json={"message": "Failing over"}).status_code == 201
        assert cb.post(f"/incidents/{ref}/resolve", json={"final_update": "Done"}).json()["status"] == "resolved"
        timeline = ca.get(f"/incidents/{ref}").json()["timeline"]
        assert [e["text"] for e in timeline if e["kind"] == "update_posted"] == ["Failing over", "Done"]
        for client in (ca, cb):
            private, missing = client.get("/incidents/INC-1"), client.get("/incidents/INC-9")
            assert private.status_code == 404 and private.text.replace("INC-1", "INC-9", 1) == missing.text
    assert json.loads(cli(url, "show", ref, "--json"))["status"] == "resolved"  # and the CLI, beside both


def test_one_idempotency_key_sent_to_both_apps_at_once_declares_once(two_apps):
    url, a, b, secrets = two_apps
    clients = [a.client(secrets["bot"]), b.client(secrets["bot"])]

    def send(n):
        return clients[n % 2].post("/incidents", json={"title": "Disk full on db-7"},
                                   headers={"Idempotency-Key": "am-group-42"})

    with concurrent.futures.ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(send, range(20)))
    for c in clients:
        c.close()
    # one transaction claims, declares and records: a racing retry waits and gets the same incident
    assert sorted(r.status_code for r in answers) == [200] * 19 + [201]
    assert len({r.json()["reference"] for r in answers}) == 1
    listed = json.loads(cli(url, "list", "--json", "--search", "db-7"))
    assert len(listed) == 1


def test_metrics_over_the_api_equal_metrics_json_from_the_cli(two_apps):
    url, a, b, secrets = two_apps
    with a.client(secrets["bot"]) as ca:
        over_api = strict_json(ca.get("/metrics").text)
    with ik.open(url, user="admin") as kit:  # the CLI sees the private incident too; the token does not
        assert kit.follow_ups().empty
    local = json.loads(cli(url, "metrics", "--json"))
    assert set(over_api) == set(local)
    assert over_api["incidents"] == local["incidents"] - 1  # INC-1 is private
    assert over_api["follow_ups"] == local["follow_ups"]


def test_a_token_revoked_with_the_cli_is_refused_by_both_running_apps(two_apps):
    url, a, b, secrets = two_apps
    with a.client(secrets["doomed"]) as ca, b.client(secrets["doomed"]) as cb:
        assert ca.get("/incidents").status_code == cb.get("/incidents").status_code == 200
        assert "Revoked the token doomed" in cli(url, "api-token", "revoke", "doomed")
        assert ca.get("/incidents").status_code == cb.get("/incidents").status_code == 401
