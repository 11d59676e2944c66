"""Twenty simultaneous deliveries of one new alert group make exactly one incident: threads sharing one Kit on
DuckDB (both write strategies), separate processes on PostgreSQL. The unique key of ``alert_groups`` decides."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading

import pytest

import incident_kit as ik
from conftest import FIXTURES

DELIVERIES = 20
PAYLOAD = FIXTURES / "alerts" / "alertmanager-firing.json"


def check_one_incident(db_path, results: list[dict]) -> None:
    assert len(results) == DELIVERIES
    assert sorted(r["outcome"] for r in results) == ["declared"] + ["unchanged"] * (DELIVERIES - 1)
    assert {r["incident"] for r in results} == {"INC-1"}
    with ik.open(db_path, user="tester") as kit:
        assert list(kit.incidents()["reference"]) == ["INC-1"]
        assert [e.kind for e in kit.events("INC-1")] == ["declared", "alerts_fired"]
        # the losers' declarations were rolled back whole: the next declaration is INC-2, not INC-21
        assert kit.declare("Unrelated", declared_by="ana").reference == "INC-2"


@pytest.mark.parametrize("strategy", ["lock", "retry"])
def test_twenty_threads_delivering_one_new_group_make_one_incident(tmp_path, strategy):
    db_path = tmp_path / "kit.duckdb"
    payload = json.loads(PAYLOAD.read_text())
    kit = ik.open(db_path, user="tester", write_strategy=strategy)
    barrier = threading.Barrier(DELIVERIES)
    results, errors = [], []

    def deliver(n: int) -> None:
        barrier.wait()
        try:
            results.append(kit.receive_alertmanager(payload, by=f"token:am{n % 2}"))
        except Exception as exc:  # any error reaching a caller fails the test
            errors.append(repr(exc))

    threads = [threading.Thread(target=deliver, args=(n,)) for n in range(DELIVERIES)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    kit.close()
    assert errors == []
    check_one_incident(db_path, results)


@pytest.mark.slow
def test_twenty_processes_delivering_one_new_group_make_one_incident_on_postgresql(pg_url, subprocess_env, tmp_path):
    """Each process opens its own store and waits at a shared start line (a file), then delivers."""
    subprocess_env["INCIDENT_KIT_DB"] = pg_url
    go = tmp_path / "go"
    code = textwrap.dedent(f"""
        import json, os, sys, time
        import incident_kit as ik
        kit = ik.open(user="worker")
        kit.receive_alert  # the Kit is ready; warm the service's imports before the start line
        from incident_kit.alerts import service  # noqa: F401
        payload = json.loads(open({str(PAYLOAD)!r}).read())
        print("ready", flush=True)
        while not os.path.exists({str(go)!r}):
            time.sleep(0.005)
        print(json.dumps(kit.receive_alertmanager(payload, by="token:alertmanager")), flush=True)
    """)
    workers = [subprocess.Popen([sys.executable, "-c", code], env=subprocess_env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for _ in range(DELIVERIES)]
    try:
        for w in workers:
            assert w.stdout.readline().strip() == "ready", w.stderr.read()
        go.touch()
        outputs = [w.communicate(timeout=240) for w in workers]
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()
    for (out, err), w in zip(outputs, workers):
        assert w.returncode == 0, err
    check_one_incident(pg_url, [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs])


def test_the_race_is_real_on_postgresql(pg_url, subprocess_env, tmp_path):
    """The check above can fail: without the unique key (dropped here) two processes do declare twice."""
    with ik.open(pg_url, user="tester") as kit:
        kit.db.write(lambda tx: tx.execute(
            "ALTER TABLE alert_groups DROP CONSTRAINT alert_groups_source_group_hash_generation_key"))
    subprocess_env["INCIDENT_KIT_DB"] = pg_url
    go = tmp_path / "go"
    # a pause between reading "no group" and declaring, so both processes read before either commits
    code = textwrap.dedent(f"""
        import json, os, time
        import incident_kit as ik
        from incident_kit.alerts import service
        real = service._declare
        def slow(*args, **kwargs):
            time.sleep(0.5)
            return real(*args, **kwargs)
        service._declare = slow
        kit = ik.open(user="worker")
        payload = json.loads(open({str(PAYLOAD)!r}).read())
        print("ready", flush=True)
        while not os.path.exists({str(go)!r}):
            time.sleep(0.005)
        print(json.dumps(kit.receive_alertmanager(payload, by="token:alertmanager")), flush=True)
    """)
    workers = [subprocess.Popen([sys.executable, "-c", code], env=subprocess_env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for w in workers:
        assert w.stdout.readline().strip() == "ready", w.stderr.read()
    go.touch()
    outputs = [w.communicate(timeout=120) for w in workers]
    assert all(w.returncode == 0 for w in workers), [err for _, err in outputs]
    with ik.open(pg_url, user="tester") as kit:
        assert len(kit.incidents()) == 2
