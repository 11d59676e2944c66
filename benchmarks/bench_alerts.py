"""Alert intake over HTTP at 100k incidents, on DuckDB and PostgreSQL: webhook latency and sustained rate.

    python benchmarks/bench_alerts.py [--incidents 100000] [--ops 300] [--groups 2000] [--clients 4]

For each store, loads the demo organisation with --incidents incidents, creates a token with the ``alerts``
scope, and starts the app as users do (``streamlit run app.py`` on a loopback port, tests/e2e/harness.py;
notification worker and snapshot publisher off, rate limit raised so it never answers 429). Then:

* **latency** (p50 / p95 ms, --ops calls each, one kept-alive connection, the series in turn so background
  load hits all alike): ``POST /api/v1/alerts/alertmanager`` with a new group (declares an incident: one
  write transaction), the same with a group already seen (a repeat: one read, nothing written), the
  generic event ``POST /api/v1/alerts`` with a new ``dedup_key``, and ``GET /api/v1/health`` (the floor of
  one HTTP round trip). For reference, ``kit.receive_alertmanager`` of a new group in this process: in turn
  with the HTTP calls on PostgreSQL; on DuckDB (the app holds the file) just before the app starts and
  just after it stops, on the same file.
* **sustained rate**: --groups distinct new groups, each delivered twice (so the same group also arrives
  twice at once, as Alertmanager retries and HA pairs do), shuffled and shared among --clients threads, each
  with its own connection, as fast as the app answers. Deliveries per second and new incidents per second;
  afterwards, with the app stopped, the store must hold exactly --groups incidents of those groups, one
  each (no duplicate, none lost).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import httpx  # noqa: E402

import incident_kit as ik  # noqa: E402
from incident_kit import demo  # noqa: E402

from bench_store import pct  # noqa: E402
from common import describe, health  # noqa: E402
import harness  # noqa: E402

FIXTURE = json.loads((ROOT / "tests" / "fixtures" / "alerts" / "alertmanager-firing.json").read_text())
SUSTAINED = "Sustained group"  # the sustained run's titles start so: counted afterwards by this search


def summary(values: list[float]) -> dict:
    return {"p50_ms": round(statistics.median(values), 2), "p95_ms": round(pct(values, 0.95), 2)}


def payload(key: str, title: str) -> dict:
    """Alertmanager's webhook for a group of its own (two alerts), titled ``title``."""
    body = copy.deepcopy(FIXTURE)
    body["groupKey"] = key
    body["commonAnnotations"] = {**body["commonAnnotations"], "summary": title}
    for n, alert in enumerate(body["alerts"]):
        alert["fingerprint"] = f"{key}-{n}"
    return body


def timed_posts(client: httpx.Client, path: str, bodies: list[dict], outcome: str) -> list[float]:
    times = []
    for body in bodies:
        t = time.perf_counter()
        answer = client.post(path, json=body)
        times.append((time.perf_counter() - t) * 1000)
        assert answer.status_code == 202 and answer.json()["outcome"] == outcome, answer.text
    return times


def in_process(target, label: str, count: int) -> list[float]:
    times = []
    with ik.open(target, user="bench") as kit:
        for i in range(count):
            body = payload(f"{label}-{i}", f"{label} {i}")
            t = time.perf_counter()
            assert kit.receive_alertmanager(body, by="token:bench")["outcome"] == "declared"
            times.append((time.perf_counter() - t) * 1000)
    return times


def latency(client: httpx.Client, target, name: str, ops: int, rounds: int = 10) -> tuple[dict, list[float]]:
    per = ops // rounds
    new, repeat, generic, local = [], [], [], []
    seen = payload("latency-seen", "Latency repeat")
    assert client.post("/alerts/alertmanager", json=seen).json()["outcome"] == "declared"
    for r in range(rounds):  # in turn, so background load hits every series alike
        new += timed_posts(client, "/alerts/alertmanager",
                           [payload(f"latency-{r}-{i}", f"Latency new {r}-{i}") for i in range(per)], "declared")
        repeat += timed_posts(client, "/alerts/alertmanager", [seen] * per, "unchanged")
        generic += timed_posts(client, "/alerts", [{"status": "firing", "title": f"Generic {r}-{i}",
                                                    "dedup_key": f"generic-{r}-{i}"} for i in range(per)],
                               "declared")
        if name == "postgres":
            local += in_process(target, f"In-process {r}", per)
    return {"alertmanager_new_group": summary(new), "alertmanager_repeat": summary(repeat),
            "generic_event_new": summary(generic), "health_round_trip": summary(health(client, ops))}, local


def sustained(url: str, secret: str, groups: int, clients: int) -> dict:
    """Every group delivered twice, shuffled, by ``clients`` threads each on its own connection."""
    work = [n for n in range(groups) for _ in range(2)]
    random.Random(42).shuffle(work)
    shares = [work[c::clients] for c in range(clients)]
    answers: list[list[dict]] = [[] for _ in range(clients)]
    barrier = threading.Barrier(clients + 1)

    def run(c: int) -> None:
        with httpx.Client(base_url=url + "/api/v1", timeout=60, headers={"Authorization": f"Bearer {secret}"}) as cl:
            cl.get("/health")
            barrier.wait()
            for n in shares[c]:
                answer = cl.post("/alerts/alertmanager", json=payload(f"sustained-{n}", f"{SUSTAINED} {n:05d}"))
                assert answer.status_code == 202, answer.text
                answers[c].append(answer.json())

    threads = [threading.Thread(target=run, args=(c,)) for c in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - start
    flat = [a for part in answers for a in part]
    assert len(flat) == 2 * groups, "a client failed; see its traceback above"
    declared = sum(a["outcome"] == "declared" for a in flat)
    return {"deliveries": 2 * groups, "seconds": round(seconds, 2),
            "deliveries_per_s": round(2 * groups / seconds, 1), "new_incidents_per_s": round(groups / seconds, 1),
            "declared_answers": declared, "distinct_incidents_answered": len({a["incident"] for a in flat})}


def run_store(name: str, target, args, env: dict, log: Path) -> dict:
    with ik.open(target, user="bench") as kit:
        t = time.perf_counter()
        demo.load(kit.db, incidents=args.incidents, seed=42)
        loaded = time.perf_counter() - t
        secret = kit.create_api_token("bench", ["alerts"]).secret
    print(f"{name}: loaded {args.incidents} incidents in {loaded:.1f} s", flush=True)
    local = in_process(target, "In-process before", args.ops // 2) if name == "duckdb" else []
    with harness.streamlit_app(target, env=env, log=log) as url:
        with httpx.Client(base_url=url + "/api/v1", timeout=60,
                          headers={"Authorization": f"Bearer {secret}"}) as client:
            assert client.get("/health").status_code == 200  # opens the store in the app
            timed_posts(client, "/alerts/alertmanager", [payload(f"warm-{i}", f"Warm-up {i}") for i in range(20)],
                        "declared")
            report, local_pg = latency(client, target, name, args.ops)
        report["sustained"] = sustained(url, secret, args.groups, args.clients)
        print(name, report, flush=True)
    local += local_pg if name == "postgres" else in_process(target, "In-process after", args.ops // 2)
    report["kit_receive_alertmanager_in_process"] = summary(local)
    with ik.open(target, user="bench") as kit:  # the app has stopped: count what the sustained run made
        made = kit.incidents(search=SUSTAINED)
        report["sustained"]["incidents_in_store"] = len(made)
        report["sustained"]["duplicates"] = int(made["title"].duplicated().sum())
        assert len(made) == args.groups and report["sustained"]["duplicates"] == 0, report["sustained"]
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--ops", type=int, default=300)
    parser.add_argument("--groups", type=int, default=2_000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--stores", default="duckdb,postgres")
    args = parser.parse_args()
    print(describe("streamlit", "fastapi", "httpx"), flush=True)
    env = {**os.environ, "INCIDENT_KIT_NOTIFY_WORKER": "off", "INCIDENT_KIT_SNAPSHOT_EVERY": "0",
           "INCIDENT_KIT_API_RATE_LIMIT": "1000000/minute"}
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        stores = args.stores.split(",")
        if "duckdb" in stores:
            results["duckdb"] = run_store("duckdb", Path(tmp) / "bench.duckdb", args, env, Path(tmp) / "duck.log")
        if "postgres" in stores:
            from pg_server import PgServer

            server = PgServer(durable=True).start()
            try:
                results["postgres"] = run_store("postgres", server.fresh_database(), args, env, Path(tmp) / "pg.log")
            finally:
                server.stop()
    print(f"\n{args.incidents} incidents; {args.ops} calls per latency series; sustained: {args.groups} groups "
          f"x 2 deliveries by {args.clients} clients (ms, or as named):")
    for store, report in results.items():
        for what, figures in report.items():
            print(f"  {store:<9} {what:<36} {figures}")


if __name__ == "__main__":
    main()
