"""PostgreSQL beside DuckDB: write latency, multi-process throughput and the Insights route.

    python benchmarks/bench_postgres.py [--incidents 100000] [--ops 300] [--writes 100]

Starts a throwaway PostgreSQL 15 server (tests/pg_server.py; fsync stays on here,
unlike in the tests), then:

1. Loads the demo organisation with --incidents incidents into a fresh DuckDB file
   and into a fresh PostgreSQL database, and times --ops calls each of
   ``declare`` and ``post_update`` through the public API on both (p50 / p95).
2. Write throughput on PostgreSQL from 1, 4 and 8 processes, each doing --writes
   writes (alternating declare and post_update) from the same start instant;
   references checked unique afterwards.
3. ``analytics.insights`` (every Insights metric) on both stores, answers checked
   equal; and the cost of the chosen route split into the copy and the DuckDB
   SQL, against the alternative route (PostgreSQL's own ``percentile_cont``) for
   the response-time statistics, whose answers are checked equal too. Each
   PostgreSQL figure is taken as after a change (the copy taken afresh). Then the
   reads Insights' first tab makes after a change (the bundle, both periods of the
   comparison, XmR) with one copy shared by the view, against a copy per read.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import incident_kit as ik  # noqa: E402
from incident_kit import analytics, demo  # noqa: E402
from incident_kit.clock import utcnow  # noqa: E402

from common import describe  # noqa: E402
from bench_store import latency  # noqa: E402
from pg_server import PgServer  # noqa: E402

# Response-time statistics in PostgreSQL's own SQL (the route not taken), for live incidents, all severities.
PG_NATIVE_TIMES = """
WITH t AS (
    SELECT extract(epoch FROM i.resolved_at - i.declared_at) / 60 AS ttr,
           extract(epoch FROM i.declared_at - i.started_at) / 60 AS ttd
    FROM incidents i WHERE i.mode = 'live'
)
SELECT count(ttr), percentile_cont(0.5) WITHIN GROUP (ORDER BY ttr), percentile_cont(0.9) WITHIN GROUP (ORDER BY ttr),
       count(ttd), percentile_cont(0.5) WITHIN GROUP (ORDER BY ttd), percentile_cont(0.9) WITHIN GROUP (ORDER BY ttd)
FROM t"""

WRITER = """
import sys, time, incident_kit as ik
kit = ik.open(sys.argv[1], user="bench")
n, start = int(sys.argv[2]), float(sys.argv[3])
ref = kit.declare("throughput base", declared_by="bench").reference
time.sleep(max(0.0, start - time.time()))
t0 = time.time()
refs = []
for i in range(n):
    if i % 2:
        refs.append(kit.declare(f"w{i}", declared_by="bench").reference)
    else:
        kit.post_update(ref, f"u{i}", by="bench")
print(t0, time.time(), kit.db.retries, ",".join(refs + [ref]))
"""


def timed(fn, repeat: int = 3):
    times, value = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), value


def changed(kit) -> None:
    """As after a commit: PostgreSQL's analytics copy is taken afresh on the next read (committing a real
    change each round would change the answers being timed)."""
    if kit.db.dialect == "postgres":
        kit.db.mirror.forget()


def middle(kit):
    first, last = kit.db.read(lambda tx: tx.fetchone("SELECT min(declared_at), max(declared_at) FROM incidents"))
    return first + (last - first) / 2


def first_tab_reads(kit, now, split, *, per_read: bool):
    """The analytics reads of Insights' first tab, computed (not kept), after a change."""
    from incident_kit.analytics import trends

    out = []
    for read in (lambda: analytics.insights.uncached(kit, now=now),
                 lambda: trends.period_comparison.uncached(kit, split=split),
                 lambda: trends.declarations_xmr.uncached(kit)):
        if per_read or not out:
            changed(kit)
        out.append(read())
    return len(out[0]), len(out[1]), len(out[2])


def throughput(server: PgServer, processes: int, writes: int) -> dict:
    url = server.fresh_database()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    start = time.time() + 3 + processes * 0.7  # every process has imported and connected by then
    procs = [subprocess.Popen([sys.executable, "-c", textwrap.dedent(WRITER), url, str(writes), str(start)],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(processes)]
    outs = [p.communicate(timeout=900) for p in procs]
    for (out, err), p in zip(outs, procs):
        if p.returncode:
            raise SystemExit(err)
    rows = [out.split() for out, _ in outs]
    t0, t1 = min(float(r[0]) for r in rows), max(float(r[1]) for r in rows)
    refs = [ref for r in rows for ref in r[3].split(",")]
    assert len(refs) == len(set(refs)), "duplicate references"
    server.drop_database(url)
    total = processes * writes
    return {"processes": processes, "writes": total, "seconds": round(t1 - t0, 2),
            "writes_per_s": round(total / (t1 - t0), 1), "retries": sum(int(r[2]) for r in rows)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--incidents", type=int, default=100_000)
    ap.add_argument("--ops", type=int, default=300)
    ap.add_argument("--writes", type=int, default=100)
    args = ap.parse_args()
    print(describe())
    server = PgServer(durable=True).start()
    report: dict = {"incidents": args.incidents}
    try:
        import psycopg

        with psycopg.connect(server.url("postgres")) as con:
            report["postgresql"] = con.execute("SHOW server_version").fetchone()[0]
        with tempfile.TemporaryDirectory() as tmp:
            duck = ik.open(Path(tmp) / "bench.duckdb", user="bench")
            pg = ik.open(server.fresh_database(), user="bench")
            for name, kit in (("duckdb", duck), ("postgres", pg)):
                t = time.perf_counter()
                demo.load(kit.db, incidents=args.incidents, seed=42)
                report[f"load_s_{name}"] = round(time.perf_counter() - t, 1)
                print(f"loaded {name} in {report[f'load_s_{name}']} s", flush=True)

            now = utcnow()
            insight_s = {}
            answers = {}
            for name, kit in (("duckdb", duck), ("postgres", pg)):
                insight_s[name], answers[name] = timed(lambda k=kit: analytics.metrics_summary(k, now=now))
            assert json.dumps(answers["duckdb"], sort_keys=True, default=str) == \
                json.dumps(answers["postgres"], sort_keys=True, default=str), "metrics differ between stores"
            report["insights_summary_s"] = {k: round(v, 3) for k, v in insight_s.items()}
            full = {}
            for name, kit in (("duckdb", duck), ("postgres", pg)):  # as after a change: PostgreSQL copies first
                full[name], _ = timed(lambda k=kit: (changed(k), analytics.insights.uncached(k, now=now)), repeat=3)
            report["insights_page_s"] = {k: round(v, 3) for k, v in full.items()}
            # The reads one Insights view makes after a change (its first tab: the bundle, the period
            # comparison's two periods, XmR): one copy shared by all, against a copy per read (as before).
            split = middle(duck)
            view = {}
            for label, per_read in (("one copy for the view", False), ("a copy per read (before)", True)):
                view[label], view_answers = timed(lambda p=per_read: first_tab_reads(pg, now, split, per_read=p))
                assert view_answers[2] > 1, "the view read nothing"
            report["postgres_first_tab_reads_after_a_change_s"] = {k: round(v, 3) for k, v in view.items()}
            # A repeat view of unchanged data: the data version (one round trip on PostgreSQL) and a lookup.
            version_s, kept_s = {}, {}
            for name, kit in (("duckdb", duck), ("postgres", pg)):
                analytics.insights(kit, now=now)
                version_s[name], _ = timed(kit.db.data_version, repeat=21)
                kept_s[name], _ = timed(lambda k=kit: analytics.insights(k, now=now), repeat=21)
            report["data_version_ms"] = {k: round(v * 1000, 3) for k, v in version_s.items()}
            report["insights_unchanged_ms"] = {k: round(v * 1000, 3) for k, v in kept_s.items()}

            from incident_kit.analytics import store as astore

            copy_s, _ = timed(lambda: (changed(pg), pg.db.analytics_read(lambda tx: None, astore.TABLES)))
            report["postgres_copy_s"] = round(copy_s, 3)
            native_s, native = timed(lambda: pg.db.read(lambda tx: tx.fetchone(PG_NATIVE_TIMES)))
            report["postgres_native_times_s"] = round(native_s, 3)
            summary = analytics.response_summary(duck, modes=["live"]).set_index("metric")
            mine = (summary.loc["time_to_resolve", "median"], summary.loc["time_to_resolve", "p90"],
                    summary.loc["time_to_declare", "median"], summary.loc["time_to_declare", "p90"])
            theirs = (native[1], native[2], native[4], native[5])
            report["native_equal_to_3_decimals"] = all(round(float(a), 3) == round(float(b), 3)
                                                       for a, b in zip(mine, theirs))
            duck_times_s, _ = timed(lambda: analytics.response_summary(duck))
            report["duckdb_response_summary_s"] = round(duck_times_s, 3)

            for name, kit in (("duckdb", duck), ("postgres", pg)):
                report[f"latency_{name}"] = latency(kit, args.ops)
                print(name, report[f"latency_{name}"], flush=True)
            duck.close()
            pg.close()
        report["throughput_postgres"] = [throughput(server, n, args.writes) for n in (1, 4, 8)]
    finally:
        server.stop()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
