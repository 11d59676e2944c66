"""The rules other domains add to incidents hold whatever a program imported first (issue 22).

Closing needs a finished review (the review domain's rule) and a posted update queues a delivery to
each subscriber (the notify domain's). Neither may depend on which modules a program happened to
import: each check runs in a fresh interpreter that imports only what its first line names, then
calls ``incident_kit.incident.service`` directly on a store opened with ``incident_kit.db``.
"""

from __future__ import annotations

import json
import subprocess

import pytest

import incident_kit as ik

# What a fresh interpreter imports before it acts: the bare incident service, the same in
# another order, and one reacting domain alone (once enough, by accident, for one of the two rules).
IMPORT_ORDERS = [
    ("incident_kit.db", "incident_kit.incident.service"),
    ("incident_kit.incident.hooks", "incident_kit.incident.service", "incident_kit.db"),
    ("incident_kit.review.service", "incident_kit.incident.service", "incident_kit.db"),
]
REACTING = ("incident_kit.review.service", "incident_kit.notify.service")

CHILD = """
import importlib, json, sys

for name in sys.argv[2].split(","):
    importlib.import_module(name)
preloaded = sorted(m for m in {reacting!r} if m in sys.modules)

from incident_kit.db import open_database
from incident_kit.errors import IncidentKitError
from incident_kit.incident import service

db = open_database(sys.argv[1])
try:
    service.change_status(db, "INC-1", "closed", by="ana")
    refused = None
except IncidentKitError as exc:
    refused = str(exc)
service.post_update(db, "INC-2", "Payments are failing for some customers.", by="ana")
db.close()
print(json.dumps({{"preloaded": preloaded, "refused": refused}}))
""".format(reacting=REACTING)


def run_child(python, env, db_path, modules) -> dict:
    done = subprocess.run([python, "-c", CHILD, str(db_path), ",".join(modules)], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.both_stores
@pytest.mark.parametrize("modules", IMPORT_ORDERS, ids=["db-then-service", "hooks-first", "review-only"])
def test_closing_needs_a_review_and_updates_reach_subscribers_whatever_was_imported(db_path, python,
                                                                                   subprocess_env, modules):
    with ik.open(db_path, user="tester") as kit:
        kit.declare("Checkout is down", declared_by="ana")
        kit.resolve("INC-1", by="ana")
        kit.declare("Payments failing", declared_by="ana")
        kit.subscribe("json://localhost:9/hook", person="bao", incident="INC-2", by="bao")

    outcome = run_child(python, subprocess_env, db_path, modules)

    # the child really started without the rules' modules (bar the one this order names)
    assert outcome["preloaded"] == [m for m in REACTING if m in modules]
    assert outcome["refused"] is not None and "INC-1 cannot close yet: it has no review" in outcome["refused"]
    with ik.open(db_path, user="tester") as kit:
        assert kit.get("INC-1").status == "resolved"
        queued = kit.outbox(incident="INC-2")
        assert list(zip(queued["kind"], queued["recipient"])) == [("update", "bao")]


def test_the_rules_are_installed_once_however_often_they_are_asked_for():
    from incident_kit.incident import hooks

    hooks.install()
    before = {kind: list(callbacks) for kind, callbacks in hooks.subscribers().items()}
    hooks.install()
    assert hooks.subscribers() == before
    assert before["before_status_change"] and before["update_posted"]
