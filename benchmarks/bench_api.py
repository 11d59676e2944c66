"""API declare over HTTP beside kit.declare in-process, on DuckDB and PostgreSQL, in one run.

    python benchmarks/bench_api.py [--incidents 100000] [--ops 300]

For each store, loads the demo organisation with --incidents incidents, creates a token, and starts
the app as users do (``streamlit run app.py`` on a loopback port, tests/e2e/harness.py). Then times
--ops calls of each (p50 / p95, milliseconds):

* ``POST /api/v1/incidents`` over HTTP (httpx, one kept-alive connection), without and with an
  ``Idempotency-Key`` (the key's claim and record, in the declaration's own transaction);
* ``kit.declare`` in this process, through the public API. On PostgreSQL it runs in turn with the HTTP
  calls, so load from other jobs hits both alike. On DuckDB the app holds the file while it runs, so
  ``kit.declare`` is timed just before the app starts and just after it stops, on the same file;
* ``GET /api/v1/health`` (no token, no store access): the floor of one HTTP round trip through Streamlit's
  server and the mounted API on this machine;
* for reference, the reads: ``GET /api/v1/incidents?limit=50`` (the first page of the list, the same query as
  the Incidents page) and ``GET /api/v1/incidents/{ref}`` (one incident with its timeline), --ops / 5 calls.

The app's notification worker and snapshot publisher are off (they only add background load); the rate
limit is raised so it never answers 429.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
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


def summary(values: list[float]) -> dict:
    return {"p50_ms": round(statistics.median(values), 2), "p95_ms": round(pct(values, 0.95), 2)}


def in_process(target, ops: int) -> list[float]:
    times = []
    with ik.open(target, user="bench") as kit:
        for i in range(ops):
            t = time.perf_counter()
            kit.declare(f"In-process declaration {i}", declared_by="bench")
            times.append((time.perf_counter() - t) * 1000)
    return times


def http_calls(client: httpx.Client, ops: int, *, keyed: bool, label: str) -> list[float]:
    times = []
    for i in range(ops):
        headers = {"Idempotency-Key": uuid.uuid4().hex} if keyed else {}
        t = time.perf_counter()
        answer = client.post("/incidents", json={"title": f"{label} {i}", "severity": "Minor"}, headers=headers)
        times.append((time.perf_counter() - t) * 1000)
        assert answer.status_code == 201, answer.text
    return times


def reads(client: httpx.Client, path: str, params: dict, ops: int) -> list[float]:
    client.get(path, params=params)  # untimed: the first read loads pandas and pandera into the app
    times = []
    for _ in range(ops):
        t = time.perf_counter()
        assert client.get(path, params=params).status_code == 200
        times.append((time.perf_counter() - t) * 1000)
    return times


def run_store(name: str, target, args, env: dict, log: Path) -> dict:
    with ik.open(target, user="bench") as kit:
        t = time.perf_counter()
        demo.load(kit.db, incidents=args.incidents, seed=42)
        loaded = time.perf_counter() - t
        secret = kit.create_api_token("bench", ["incidents:write", "incidents:read"]).secret
    print(f"{name}: loaded {args.incidents} incidents in {loaded:.1f} s", flush=True)
    report: dict = {}
    local_before = in_process(target, args.ops) if name == "duckdb" else []
    with harness.streamlit_app(target, env=env, log=log) as url:
        with httpx.Client(base_url=url + "/api/v1", timeout=60,
                          headers={"Authorization": f"Bearer {secret}"}) as client:
            assert client.get("/health").status_code == 200  # opens the store in the app
            http_calls(client, 20, keyed=False, label="Warm-up")
            plain, keyed, local = [], [], []
            rounds = 10
            for r in range(rounds):  # in turn, so background load hits every series alike
                plain += http_calls(client, args.ops // rounds, keyed=False, label="HTTP declaration")
                keyed += http_calls(client, args.ops // rounds, keyed=True, label="HTTP keyed declaration")
                if name == "postgres":
                    local += in_process(target, args.ops // rounds)
            report["health_round_trip"] = summary(health(client, args.ops))
            ref = client.post("/incidents", json={"title": "Read me"}).json()["reference"]
            report["api_list_first_50"] = summary(reads(client, "/incidents", {"limit": 50}, args.ops // 5))
            report["api_show_one"] = summary(reads(client, f"/incidents/{ref}", {}, args.ops // 5))
    if name == "duckdb":
        local = local_before + in_process(target, args.ops)  # the app has let go of the file
    report["api_declare"] = summary(plain)
    report["api_declare_with_idempotency_key"] = summary(keyed)
    report["kit_declare_in_process"] = summary(local)
    report["api_over_in_process_p50"] = round(report["api_declare"]["p50_ms"] / report["kit_declare_in_process"][
        "p50_ms"], 1)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--ops", type=int, default=300)
    parser.add_argument("--stores", default="duckdb,postgres")
    args = parser.parse_args()
    print(describe("streamlit", "fastapi", "httpx"))
    env = {**os.environ, "INCIDENT_KIT_NOTIFY_WORKER": "off", "INCIDENT_KIT_SNAPSHOT_EVERY": "0",
           "INCIDENT_KIT_API_RATE_LIMIT": "1000000/minute"}
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        stores = args.stores.split(",")
        if "duckdb" in stores:
            results["duckdb"] = run_store("duckdb", Path(tmp) / "bench.duckdb", args, env, Path(tmp) / "duck.log")
            print("duckdb", results["duckdb"], flush=True)
        if "postgres" in stores:
            from pg_server import PgServer

            server = PgServer(durable=True).start()
            try:
                results["postgres"] = run_store("postgres", server.fresh_database(), args, env, Path(tmp) / "pg.log")
                print("postgres", results["postgres"], flush=True)
            finally:
                server.stop()
    print(f"\n{args.incidents} incidents, {args.ops} calls each (ms):")
    for store, report in results.items():
        for what, figures in report.items():
            print(f"  {store:<9} {what:<36} {figures}")


if __name__ == "__main__":
    main()
