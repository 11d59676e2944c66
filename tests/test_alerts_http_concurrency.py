"""Twenty simultaneous deliveries of one new alert group to the running app make one incident: on DuckDB
(one app, its thread pool sharing one connection) and on PostgreSQL (two app processes on one database).

Each delivery has its own kept-alive connection, opened beforehand, and all wait at one barrier, so the
twenty requests reach the server within a millisecond or so. The unique key of ``alert_groups`` decides; this
proves it through the server. The race is real here: with that key dropped, three runs of the PostgreSQL test
declared 2, 5 and 7 incidents.
"""

from __future__ import annotations

import json
import threading

import pytest

import incident_kit as ik
from conftest import FIXTURES

from web_support import served, tokens

pytestmark = pytest.mark.slow

DELIVERIES = 20
PAYLOAD = json.loads((FIXTURES / "alerts" / "alertmanager-firing.json").read_text())


def deliver_at_once(apis, secret: str) -> list:
    """POST the same new group ``DELIVERIES`` times at once, spread over ``apis``; the answers."""
    clients = [apis[n % len(apis)].client(secret) for n in range(DELIVERIES)]
    for client in clients:  # connect first, so the barrier releases requests, not TCP handshakes
        assert client.get("/health").status_code == 200
    barrier = threading.Barrier(DELIVERIES)
    answers: list = [None] * DELIVERIES

    def deliver(n: int) -> None:
        barrier.wait()
        answers[n] = clients[n].post("/alerts/alertmanager", json=PAYLOAD)

    threads = [threading.Thread(target=deliver, args=(n,)) for n in range(DELIVERIES)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for client in clients:
        client.close()
    return answers


def check_one_incident(answers, db) -> None:
    assert [a.status_code for a in answers] == [202] * DELIVERIES, [a.text for a in answers if a.status_code != 202]
    bodies = [a.json() for a in answers]
    assert sorted(b["outcome"] for b in bodies) == ["declared"] + ["unchanged"] * (DELIVERIES - 1)
    assert {b["incident"] for b in bodies} == {"INC-1"}
    with ik.open(db, user="tester") as kit:
        assert list(kit.incidents()["reference"]) == ["INC-1"]
        assert [e.kind for e in kit.events("INC-1")] == ["declared", "alerts_fired"]
        # the losing deliveries' declarations were rolled back whole: the next reference is INC-2
        assert kit.declare("Unrelated", declared_by="ana").reference == "INC-2"


def test_twenty_deliveries_of_one_new_group_to_the_running_app_make_one_incident_on_duckdb(tmp_path):
    db = tmp_path / "kit.duckdb"
    secret = tokens(db, {"alertmanager": ["alerts"]})["alertmanager"]
    with served(db, log=tmp_path / "app.log") as api:
        answers = deliver_at_once([api], secret)
    check_one_incident(answers, db)  # the app has stopped: the file is free for the Kit


def test_twenty_deliveries_of_one_new_group_to_two_running_apps_make_one_incident_on_postgresql(pg_url, tmp_path):
    secret = tokens(pg_url, {"alertmanager": ["alerts"]})["alertmanager"]
    with served(pg_url, log=tmp_path / "a.log") as a, served(pg_url, log=tmp_path / "b.log") as b:
        answers = deliver_at_once([a, b], secret)
        check_one_incident(answers, pg_url)
