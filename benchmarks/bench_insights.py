"""The Insights bundle against the floor (one window pass) and against plain pandas doing the same work.

    python benchmarks/bench_insights.py [--incidents 200000] [--updates-per-incident 3] [--repeat 7]
    python benchmarks/bench_insights.py --by-query [...]   # each page query alone, beside the window pass

1. A child process writes synthetic rows straight into a temporary DuckDB file
   with SQL (not through the services), then derives ``update_facts`` once.
2. In this process, on that file, all measurements below run in turn, round after
   round, so load on the shared machine hits them alike (medians of ``--repeat``):
   * ``analytics.insights(kit)``: every frame the Insights page shows;
   * the floor: one window-function pass over the updates table (lag over
     incident, time), returning one row;
   * the same page queries without pandera validation or the pandas glue, and
     apart the validation and reshaping of their results (``insight_frames``), so
     the cost of validating at the boundary is measured, not guessed (a difference
     of two timings under load was not: it swung from 60 to 210 ms);
   * ``analytics.metrics_summary`` (what ``metrics --json`` computes).
   * pandas: a straightforward implementation producing the same 15 frames from
     the tables loaded into memory (load time reported apart), with no tracer, in a
     process of its own that runs its turn when told (``PandasProcess``: in this
     process its memory churn slowed the DuckDB side by half);
3. every frame of both sides is checked equal, column by column.
4. Memory is measured in separate passes, each in a fresh child process: peak
   RSS growth of one ``insights`` call, and of one pandas run (plus tracemalloc's
   peak there, where the tracer's slowdown does not matter). The peak is the child's
   own (VmHWM after a reset), not ``ru_maxrss``, which a child inherits from its parent.
"""

from __future__ import annotations

import argparse
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import incident_kit as ik  # noqa: E402
from incident_kit import analytics  # noqa: E402
from incident_kit.analytics import metrics, query  # noqa: E402
from incident_kit.incident import facts  # noqa: E402
from common import describe, in_turn  # noqa: E402
from insights_pandas import NOW, load_tables, pandas_all  # noqa: E402  (the other side of the comparison)

GENERATE = """
SELECT setseed(0.42);
INSERT INTO incidents (id, reference, title, summary, severity, type, status, mode, private, declared_by,
                       declared_at, started_at, resolved_at, closed_at, tags, updated_at)
SELECT id, 'INC-' || id, 'Synthetic incident ' || id, '',
       ['Minor', 'Minor', 'Minor', 'Moderate', 'Moderate', 'Major', 'Critical'][1 + (hash(id) % 7)::INT],
       ['engineering', 'engineering', 'engineering', 'customer_support', 'security', 'data_privacy',
        'legal_compliance', 'people_facilities', 'other'][1 + (hash(id * 7) % 9)::INT],
       CASE WHEN r3 < 0.05 THEN 'investigating' ELSE 'closed' END,
       CASE WHEN r2 < 0.03 THEN 'test' WHEN r2 < 0.12 THEN 'retrospective' ELSE 'live' END,
       r4 < 0.05, 'person' || (hash(id * 13) % 400),
       declared, declared - to_seconds((r1 * 3600)::BIGINT),
       CASE WHEN r3 < 0.05 THEN NULL ELSE declared + to_seconds((60 + r3 * 20000)::BIGINT) END,
       NULL,
       CASE WHEN r4 < 0.5 THEN ['database'] WHEN r4 < 0.7 THEN ['deploy', 'config'] ELSE [] END,
       declared
FROM (SELECT i + 1 AS id, random() AS r1, random() AS r2, random() AS r3, random() AS r4,
             TIMESTAMPTZ '2024-06-01 00:00:00+00' + to_seconds((random() * 86400 * 730)::BIGINT) AS declared
      FROM range(?) t(i));

INSERT INTO incident_members (incident_id, person, added_at, added_by)
SELECT id, 'person' || (id % 400), declared_at, declared_by FROM incidents WHERE private;

INSERT INTO updates (id, incident_id, posted_at, author, audience, status, message)
SELECT row_number() OVER (), i.id,
       i.declared_at + to_seconds((k * 2400 + random() * 1800)::BIGINT),
       'person1', CASE WHEN random() < 0.3 THEN 'external' ELSE 'internal' END, 'investigating', 'Update'
FROM incidents i CROSS JOIN range(?) u(k);

INSERT INTO follow_ups (id, incident_id, title, priority, status, due_at, created_at, created_by, completed_at,
                        updated_at)
SELECT n + 1, inc, 'Follow-up', 'medium', st, created + INTERVAL 21 DAY, created, 'person1',
       CASE WHEN st IN ('done', 'wont_do') THEN created + to_seconds((random() * 86400 * 40)::BIGINT) END, created
FROM (SELECT n, 1 + (hash(n) % ?)::BIGINT AS inc,
             TIMESTAMPTZ '2024-06-01 00:00:00+00' + to_seconds((random() * 86400 * 730)::BIGINT) AS created,
             ['open', 'in_progress', 'done', 'done', 'done', 'wont_do'][1 + (hash(n * 3) % 6)::INT] AS st
      FROM range(?) t(n));

INSERT INTO reviews (id, incident_id, depth, status, created_at, created_by, published_at, contributing_factors,
                     updated_at)
SELECT id, id, ['none', 'note', 'note', 'standard', 'workshop'][1 + (hash(id * 5) % 5)::INT],
       CASE WHEN id % 5 = 0 THEN 'waived' WHEN id % 3 = 0 THEN 'draft' ELSE 'published' END,
       resolved_at, 'person1',
       CASE WHEN id % 5 <> 0 AND id % 3 <> 0 THEN resolved_at + to_seconds((random() * 86400 * 10)::BIGINT) END,
       CASE WHEN id % 4 = 0 THEN ['missing alert'] WHEN id % 4 = 1 THEN ['config drift', 'test gap'] ELSE [] END,
       resolved_at
FROM incidents WHERE resolved_at IS NOT NULL AND id % 4 <> 3;
"""


def generate(path: str, incidents: int, updates_per: int, follow_ups: int, *, recent: bool = False) -> None:
    """Synthetic rows over two years from 2024-06-01, or (``recent``) over the 360 days up to today."""
    ik.open(path, user="bench").close()  # create and migrate
    con = duckdb.connect(path)
    con.execute("SET TimeZone = 'UTC'")
    sql = GENERATE
    if recent:
        start = (pd.Timestamp.now(tz="UTC").normalize() - pd.Timedelta(days=361)).isoformat()
        sql = sql.replace("TIMESTAMPTZ '2024-06-01 00:00:00+00'", f"TIMESTAMPTZ '{start}'")
        sql = sql.replace("86400 * 730", "86400 * 360")
    statements = [s for s in sql.split(";\n") if s.strip()]
    params = {1: [incidents], 3: [updates_per], 4: [incidents, follow_ups]}
    for i, sql in enumerate(statements):
        con.execute(sql, params.get(i, []))
    con.execute(facts.DELETE_ALL)  # rows written with SQL bypass the services: derive their facts once
    con.execute(facts.INSERT_ALL)
    con.execute("CHECKPOINT")
    con.close()


# The floor: one ordered window pass over every update (what the gaps used to cost on every view).
WINDOW_PASS = """
SELECT count(gap), sum(gap) FROM (
    SELECT CASE WHEN lag(incident_id) OVER w = incident_id
                THEN (epoch_us(posted_at) - lag(epoch_us(posted_at)) OVER w) / 60e6 END AS gap
    FROM updates WINDOW w AS (ORDER BY incident_id, posted_at)
) AS g"""


def window_pass(kit):
    return kit.db.read(lambda tx: tx.fetchone(WINDOW_PASS))


# A lower bound for any exact answer computed per view: the four populations the page describes (response
# times, update gaps, follow-ups, reviews, each joined to the incidents in scope), formed with the
# page's own CTEs and only counted. Every figure on the page is a statistic of one of them.
def populations(kit, values):
    from incident_kit.analytics import store

    q = store.Query("SELECT (SELECT count(*) FROM times), (SELECT count(*) FROM gaps), (SELECT count(*) FROM fu), "
                    "(SELECT count(*) FROM rv)", ("gaps", "times", "fu", "rv"))
    sql = store.compose(q, True)
    return kit.db.read(lambda tx: tx.fetchone(sql, values))


def duckdb_all(kit) -> dict:
    return analytics.insights.uncached(kit, now=NOW)  # the computation itself, not the kept answer


def insights_unchanged(kit) -> dict:
    """A repeat view: the data has not changed since the last call, so it is a lookup and a copy
    (``analytics.memo``; the version read, ``Database.data_version``, is timed apart as "version")."""
    return analytics.insights(kit, now=NOW)


def duckdb_sql_only(kit) -> dict:
    """The page's queries and their transfer to pandas, without validation or reshaping."""
    return query.run_many(kit, metrics.PAGE_QUERIES, analytics.Filters(), NOW)


# -- the same frames, straightforward pandas: insights_pandas.py


def check_same(d: dict, p: dict) -> list[str]:
    """Every frame the bundle returns, compared column by column; returns the names compared."""
    assert set(d) == set(p), set(d) ^ set(p)
    for name, frame in d.items():
        if isinstance(frame, dict):
            assert frame == p[name], (name, frame, p[name])
            continue
        mine = p[name].reset_index(drop=True)
        assert list(frame.columns) == [c for c in frame.columns if c in mine.columns], (name, "missing columns")
        mine = mine[list(frame.columns)]
        assert len(frame) == len(mine), (name, len(frame), len(mine))
        for col in frame.columns:
            a, b = frame[col].reset_index(drop=True), mine[col]
            if pd.api.types.is_numeric_dtype(a) and not pd.api.types.is_bool_dtype(a):
                assert np.allclose(a.astype(float), b.astype(float), rtol=1e-9, atol=1e-9, equal_nan=True), (name, col)
            else:
                assert a.astype(str).tolist() == b.astype(str).tolist(), (name, col)
    return sorted(d)


def _status_mib(field: str) -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def start_peak() -> float:
    """Reset this process's peak RSS to its current RSS and return that RSS (MiB).

    Not ``resource.getrusage(...).ru_maxrss``: Linux carries the *parent's* high-water mark into a
    child started with fork/vfork + exec, so a child of this benchmark (which holds the pandas tables
    and has run both sides) reported the parent's peak, e.g. 965 MiB for a bundle that grows by ~130.
    Writing 5 to /proc/self/clear_refs resets VmHWM to the current RSS (Linux 4.0+).
    """
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass  # VmHWM is then this process's own peak since exec, which includes its start-up
    return _status_mib("VmRSS")


def peak_growth_mib(base: float) -> float:
    return _status_mib("VmHWM") - base


def memory_pass(path: str, side: str) -> None:
    """Run one side once in this fresh process and print its peak memory (not timed)."""
    if side == "duckdb":
        kit = ik.open(path, read_only=True, user="bench")
        kit.db.read(lambda tx: tx.fetchone("SELECT count(*) FROM updates"))  # imports and connection settled
        base = start_peak()
        duckdb_all(kit)
        print(f"{peak_growth_mib(base):.0f}")
        return
    import tracemalloc

    tables = load_tables(path)
    base = start_peak()
    tracemalloc.start()
    pandas_all(tables)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    table_mib = sum(f.memory_usage(deep=True).sum() for f in tables.values()) / 2**20
    print(f"{peak_growth_mib(base):.0f} {peak / 2**20:.0f} {table_mib:.0f}")


def by_query(path: str, repeat: int) -> None:
    """Each of the page's queries on its own (SQL and transfer to pandas), in turn with the window pass.

    For finding where the time goes; the bundle itself is what ``main`` times.
    """
    from incident_kit.analytics import store

    kit = ik.open(path, read_only=True, user="bench")
    bound = query.params(analytics.Filters(), NOW)
    values = [True if name == "see_all" else None if name == "viewer" else bound[name] for name in store.PARAMS]

    def one(q):
        return lambda: kit.db.read(lambda tx: tx.df(store.compose(q, True), values))

    fns = {"window pass": lambda: window_pass(kit), **{name: one(q) for name, q in metrics.PAGE_QUERIES.items()}}
    load = os.getloadavg()[0]
    times = in_turn(fns, repeat, warm_up=True)
    kit.close()
    print(f"each query alone, medians of {repeat} taken in turn (load average {load:.1f} before, "
          f"{os.getloadavg()[0]:.1f} after):")
    for name, seconds in times.items():
        print(f"  {name:24s} {seconds * 1000:7.1f} ms")
    print(f"  {'sum of the queries':24s} {sum(list(times.values())[1:]) * 1000:7.1f} ms")


class PandasProcess:
    """The pandas side in a process of its own, run round by round from this one (``--pandas-worker``).

    In one process the two sides slowed each other: pandas frees and re-maps hundreds of MiB per run,
    and DuckDB's next queries paid for it (at 200k, in turn with pandas: window pass 55 ms, insights
    680 ms; without it: 38 and 427 ms; the pandas run itself went 1.9 -> 1.2 s when glibc kept its
    memory). Each side now runs in the state it would have on its own, still round after round.
    """

    def __init__(self, path: str, answers: str):
        self.proc = subprocess.Popen([sys.executable, __file__, "--pandas-worker", path, answers],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.load_s = float(self._reply())  # the tables are loaded, the answers written, one run warmed up
        self.times: list[float] = []

    def _reply(self) -> str:
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the pandas process stopped")
        return line.strip()

    def run(self) -> None:
        self.proc.stdin.write("run\n")
        self.proc.stdin.flush()
        self.times.append(float(self._reply()))  # timed in the worker: the pipe is not pandas' time

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait()


def pandas_worker(path: str, answers: str) -> None:
    start = time.perf_counter()
    tables = load_tables(path)
    load_s = time.perf_counter() - start
    with open(answers, "wb") as fh:
        pickle.dump(pandas_all(tables), fh)  # warm-up, and the answers to check
    print(load_s, flush=True)
    for _ in sys.stdin:
        start = time.perf_counter()
        pandas_all(tables)
        print(time.perf_counter() - start, flush=True)


def make_store(path: str, args) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--generate", path, "--incidents", str(args.incidents),
                    "--updates-per-incident", str(args.updates_per_incident), "--follow-ups",
                    str(args.follow_ups)], check=True)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--incidents", type=int, default=200_000)
    ap.add_argument("--updates-per-incident", type=int, default=3)
    ap.add_argument("--follow-ups", type=int, default=300_000)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--generate", metavar="PATH", help=argparse.SUPPRESS)
    ap.add_argument("--recent", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--memory", nargs=2, metavar=("PATH", "SIDE"), help=argparse.SUPPRESS)
    ap.add_argument("--by-query", action="store_true", help="time each page query on its own instead")
    ap.add_argument("--pandas-worker", nargs=2, metavar=("PATH", "ANSWERS"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.generate:
        generate(args.generate, args.incidents, args.updates_per_incident, args.follow_ups, recent=args.recent)
        return
    if args.memory:
        memory_pass(*args.memory)
        return
    if args.pandas_worker:
        pandas_worker(*args.pandas_worker)
        return

    print(describe())
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bench.duckdb")
        gen_s = make_store(path, args)
        if args.by_query:
            by_query(path, args.repeat)
            return
        counts = duckdb.connect(path, read_only=True).execute(
            "SELECT (SELECT count(*) FROM incidents), (SELECT count(*) FROM updates), "
            "(SELECT count(*) FROM follow_ups), (SELECT count(*) FROM reviews)").fetchone()
        print(f"generated {counts[0]:,} incidents, {counts[1]:,} updates, {counts[2]:,} follow-ups, "
              f"{counts[3]:,} reviews in {gen_s:.1f} s (DuckDB SQL, child process)")

        pandas_side = PandasProcess(path, os.path.join(tmp, "pandas.pickle"))
        load_s = pandas_side.load_s
        with open(os.path.join(tmp, "pandas.pickle"), "rb") as fh:
            p = pickle.load(fh)  # the pandas side's answers, to check
        kit = ik.open(path, read_only=True, user="bench")
        d = duckdb_all(kit)  # warm-up: first touch of the file's pages
        window_pass(kit)
        raw = duckdb_sql_only(kit)  # the page queries' results, for timing validation and reshaping alone
        from incident_kit.analytics import store
        bound = query.params(analytics.Filters(), NOW)
        values = [True if n == "see_all" else None if n == "viewer" else bound[n] for n in store.PARAMS]
        sizes = populations(kit, values)
        load_before = os.getloadavg()[0]
        times = in_turn({"window": lambda: window_pass(kit), "insights": lambda: duckdb_all(kit),
                                   "sql_only": lambda: duckdb_sql_only(kit),
                                   "frames": lambda: metrics.insight_frames(raw),
                                   "summary": lambda: analytics.metrics_summary(kit, now=NOW),
                                   "pandas": pandas_side.run,
                                   "unchanged": lambda: insights_unchanged(kit),
                                   "populations": lambda: populations(kit, values),
                                   "version": kit.db.data_version}, args.repeat)
        compared_kept = check_same(insights_unchanged(kit), p)
        load_after = os.getloadavg()[0]
        times["pandas"] = statistics.median(pandas_side.times)
        pandas_side.close()
        kit.close()
        compared = check_same(d, p)

        mem = {side: subprocess.run([sys.executable, __file__, "--memory", path, side], check=True,
                                    capture_output=True, text=True).stdout.split() for side in ("duckdb", "pandas")}

    threads = duckdb.connect().execute("SELECT current_setting('threads')").fetchone()[0]
    print(f"DuckDB threads: {threads}; medians of {args.repeat}; 1-min load average {load_before:.1f} before, "
          f"{load_after:.1f} after (the machine is shared)")
    print(f"one window pass over the updates (the floor): {times['window'] * 1000:.0f} ms")
    print(f"analytics.insights (every Insights frame): {times['insights'] * 1000:.0f} ms "
          f"= {times['insights'] / times['window']:.2f}x the window pass (goal <= 1.5x)")
    print(f"  lower bound of any exact answer computed per view: forming the page's four populations "
          f"({sizes[0]:,} response times, {sizes[1]:,} gaps, {sizes[2]:,} follow-ups, {sizes[3]:,} reviews), "
          f"counted only, takes {times['populations'] * 1000:.0f} ms = {times['populations'] / times['window']:.2f}x "
          f"the window pass")
    print(f"  its parts, each timed alone: SQL + transfer {times['sql_only'] * 1000:.0f} ms; pandera validation "
          f"and reshaping {times['frames'] * 1000:.0f} ms (of the same results)")
    print(f"analytics.metrics_summary (metrics --json's work): {times['summary'] * 1000:.0f} ms")
    print(f"pandas (its own process), the same {len(compared)} frames from tables in memory: "
          f"{times['pandas'] * 1000:.0f} ms "
          f"(+ {load_s:.2f} s to load the tables once, not counted)")
    print(f"ratio pandas / DuckDB insights: {times['pandas'] / times['insights']:.2f}x (goal >= 4x)")
    print(f"every frame checked equal: {', '.join(compared)}")
    print(f"peak memory (separate passes, fresh processes): DuckDB insights RSS growth {mem['duckdb'][0]} MiB; "
          f"pandas RSS growth {mem['pandas'][0]} MiB (tracemalloc peak {mem['pandas'][1]} MiB) on top of "
          f"{mem['pandas'][2]} MiB of loaded tables")
    print(f"insights, data unchanged since the last call: {times['unchanged'] * 1000:.2f} ms "
          f"= {times['unchanged'] / times['window']:.3f}x the window pass (reading the data version: "
          f"{times['version'] * 1e6:.1f} µs; {len(compared_kept)} frames checked equal)")


if __name__ == "__main__":
    main()
