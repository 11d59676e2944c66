"""Issue 24's goals table at 100k, 300k and 1M incidents, on DuckDB and PostgreSQL, in one run.

    python benchmarks/bench_scale.py [--sizes 100000,300000,1000000] [--ops 200] [--repeat 5] [--processes 3]

For each size: the scale set (``scale_data.py``: built once, cached as Parquet) is loaded into a DuckDB
file (cached too; each run works on a copy) and into a new database on a throwaway PostgreSQL 15 server
(``tests/pg_server.py``, fsync on). Then:

1. **Whole processes, on the untouched data**, run in turn (``common.in_turn``, medians of ``--processes``,
   one warm-up each; wall time, and each child's CPU time): ``incident-kit metrics --json`` on each store (on
   PostgreSQL after a first process, timed alone, that takes the whole copy into the kept file:
   ``db/pgcache.py``), the floor process (a bare ``python -c`` that imports duckdb, opens the file and makes
   one window pass over the updates, as ``bench_startup.py`` defines it), and a bare process making one pass
   over the columns the command reads (``READS_PASS``). The two stores' printed JSON is checked equal.
2. **In-process**, in a child process per store (so each store's RSS is its own): the first Insights
   bundle of a fresh process (on PostgreSQL, from the copy kept in a file by the processes before), pickled
   so the parent checks both stores' frames equal; ``similar`` for a sentence (index built first, untimed but
   reported); ``declare`` and ``post_update`` p50/p95 (``--ops`` each, ``bench_store.latency``); the Insights bundle cold just after a
   write (``--repeat`` rounds: a ``post_update``, untimed, then ``analytics.insights``), and on PostgreSQL
   the copy's refresh alone after a write and the rows it moved; the bundle on unchanged data; RSS.

Nothing but the call is inside a timed region; a write and its commit are outside it.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "tests"))

import scale_data  # noqa: E402
from common import describe, in_turn  # noqa: E402
from bench_startup import WINDOW_PASS, process  # noqa: E402

SENTENCE = "Checkout returning 500s after a deploy"
# One pass over every column ``metrics --json`` reads (incidents, update facts joined to their incident, follow-ups),
# summed rather than sorted: what the floor would be if it read the data the answer needs, not the updates alone.
READS_PASS = """
SELECT * FROM (SELECT count_if(mode = 'live'), sum(epoch_us(declared_at) - epoch_us(started_at)),
                      sum(epoch_us(resolved_at)), count(DISTINCT severity), count(DISTINCT type) FROM incidents),
              (SELECT sum(f.gap_minutes), sum(epoch_us(f.posted_at) - epoch_us(i.declared_at)) FROM update_facts f
               JOIN incidents i ON i.id = f.incident_id WHERE i.resolved_at IS NULL OR f.posted_at <= i.resolved_at),
              (SELECT count_if(status = 'done'), sum(epoch_us(completed_at) - epoch_us(created_at)),
                      sum(epoch_us(due_at)), count(DISTINCT incident_id) FROM follow_ups)"""


def cpu_timed(name: str, fn, spent: dict[str, list[float]]):
    """``fn`` (which runs a child process), noting the CPU time (user + system) the child used in ``spent[name]``:
    on a shared machine it moves far less with the load than the wall time."""
    import resource

    def run() -> None:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        fn()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        spent.setdefault(name, []).append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return run


def rss() -> dict:
    """This process's resident memory now and at its peak, MiB."""
    out = {}
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(("VmRSS", "VmHWM")):
                out[line.split(":")[0]] = round(int(line.split()[1]) / 1024)
    return out


def reset_peak() -> None:
    """Reset VmHWM to the current RSS (Linux 4.0+), so the next ``rss()`` peak is one phase's own."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass


def child(target: str, now_iso: str, ops: int, repeat: int, bundle_out: str) -> dict:
    """The in-process measures on one store (run as ``--child``); returns them."""
    import datetime as dt

    import incident_kit as ik
    from incident_kit import analytics
    from incident_kit.analytics import store as astore
    from bench_store import latency

    now = dt.datetime.fromisoformat(now_iso)
    out: dict = {}
    t = time.perf_counter()
    kit = ik.open(target, user="bench")
    out["open_s"] = time.perf_counter() - t
    phases = out["peak_mib_by_phase"] = {}
    reset_peak()
    t = time.perf_counter()
    bundle = analytics.insights(kit, now=now)
    out["first_insights_s"] = time.perf_counter() - t  # PostgreSQL: from the kept file (the metrics processes made it)
    phases["first Insights bundle"] = rss()["VmHWM"]
    reset_peak()
    with open(bundle_out, "wb") as fh:
        pickle.dump(bundle, fh)

    t = time.perf_counter()
    found = kit.similar(SENTENCE)
    out["similar_first_s"] = time.perf_counter() - t  # builds the index
    assert len(found), "similar found nothing"
    times = []
    for _ in range(9):
        t = time.perf_counter()
        kit.similar(SENTENCE)
        times.append(time.perf_counter() - t)
    out["similar_ms"] = statistics.median(times) * 1000
    phases["similar (index built)"] = rss()["VmHWM"]
    reset_peak()

    latency(kit, 10)  # untimed warm-up: the first writes after opening a large file pay for its WAL and caches
    out["latency"] = latency(kit, ops)

    ref = kit.declare("Scale benchmark: checkout failing", declared_by="bench", severity="Major").reference
    after, cpu, refresh, moved = [], [], [], []
    for i in range(repeat):
        kit.post_update(ref, f"Still investigating ({i})", by="bench")
        t, c = time.perf_counter(), time.process_time()
        fresh = analytics.insights(kit, now=now)
        after.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)  # every thread of this process (DuckDB's too): less noisy than wall
        assert len(fresh) == len(bundle)
    if kit.db.dialect == "postgres":
        for i in range(repeat):
            kit.post_update(ref, f"Refresh only ({i})", by="bench")
            t = time.perf_counter()
            kit.db.analytics_read(lambda tx: None, astore.TABLES, astore.names_read())
            refresh.append(time.perf_counter() - t)
            moved.append(sum(kit.db.mirror.rows_moved.values()))
        out["whole_copies"] = kit.db.mirror.whole_copies
        out["refresh_after_write_s"] = statistics.median(refresh)
        out["rows_moved_per_refresh"] = statistics.median(moved)
    out["insights_after_write_s"] = statistics.median(after)
    out["insights_after_write_cpu_s"] = statistics.median(cpu)
    out["insights_after_write_all_s"] = [round(x, 3) for x in after]
    warm = []
    for _ in range(repeat):
        t = time.perf_counter()
        analytics.insights(kit, now=now)
        warm.append(time.perf_counter() - t)
    out["insights_unchanged_ms"] = statistics.median(warm) * 1000
    phases["writes and bundles after them"] = rss()["VmHWM"]
    out["profile_ms"] = profile(kit, now, repeat)
    out["rss_mib"] = rss()
    kit.close()
    return out


def profile(kit, now, repeat: int) -> dict:
    """Where a cold bundle's time goes: each page query alone (its read, on PostgreSQL over the copy as it
    stands), all of them in one read, and the pure part (``insight_frames``: pandera validation and
    reshaping) apart. Medians of ``repeat``."""
    from incident_kit.analytics import metrics, query

    filters = query.make_filters(None)

    def median_ms(fn) -> float:
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        return round(statistics.median(times) * 1000, 1)

    out = {name: median_ms(lambda q=q, name=name: query.run_many(kit, {name: q}, filters, now))
           for name, q in metrics.PAGE_QUERIES.items()}
    raw = query.run_many(kit, metrics.PAGE_QUERIES, filters, now)
    out["all queries, one read"] = median_ms(lambda: query.run_many(kit, metrics.PAGE_QUERIES, filters, now))
    out["insight_frames (validation, reshaping)"] = median_ms(lambda: metrics.insight_frames(raw))
    from incident_kit.analytics import schemas

    spent = []
    validate = schemas.validate

    def timed_validate(model, frame):  # the pandera boundary alone, inside insight_frames
        t = time.perf_counter()
        try:
            return validate(model, frame)
        finally:
            spent.append(time.perf_counter() - t)

    schemas.validate = timed_validate
    try:
        per_call = []
        for _ in range(repeat):
            spent.clear()
            metrics.insight_frames(raw)
            per_call.append(sum(spent))
    finally:
        schemas.validate = validate
    out["of which pandera validation"] = round(statistics.median(per_call) * 1000, 1)
    return out


def same_bundles(a_path: str, b_path: str) -> str:
    """'yes', or what differs between the two stores' Insights bundles."""
    import pandas.testing as pdt

    with open(a_path, "rb") as fa, open(b_path, "rb") as fb:
        a, b = pickle.load(fa), pickle.load(fb)
    if set(a) != set(b):
        return f"different frames: {sorted(set(a) ^ set(b))}"
    for name in a:
        try:
            if hasattr(a[name], "columns"):
                pdt.assert_frame_equal(a[name], b[name], obj=name)
            else:
                assert repr(a[name]) == repr(b[name]), name
        except AssertionError as exc:
            return f"{name}: {str(exc).splitlines()[0][:200]}"
    return "yes"


def run_size(size: int, server, args, env: dict, tmp: Path) -> dict:
    import datetime as dt

    from incident_kit.clock import utcnow

    row: dict = {"incidents": size}
    where = scale_data.build(size)
    row["rows"] = scale_data.rows(where)
    row["build_s"] = json.loads((where / "meta.json").read_text())["seconds"]
    cached = scale_data.duckdb_cache(where)
    if not cached.exists():
        t = time.perf_counter()
        scale_data.load_duckdb(tmp / "fresh.duckdb", where)
        row["load_duckdb_s"] = round(time.perf_counter() - t, 1)
        shutil.move(tmp / "fresh.duckdb", cached)
    duck = tmp / f"work-{size}.duckdb"
    shutil.copy(cached, duck)
    url = server.fresh_database()
    t = time.perf_counter()
    scale_data.load_postgres(url, where)
    row["load_postgres_s"] = round(time.perf_counter() - t, 1)
    print(f"{size:,}: loaded ({row})", flush=True)

    py = sys.executable
    cli = [py, "-m", "incident_kit", "--db"]
    # PostgreSQL's analytics copy is kept in a file between processes (db/pgcache.py): this run's own directory.
    cache = tmp / f"analytics-cache-{size}"
    cache.mkdir(mode=0o700)
    env = dict(env, INCIDENT_KIT_ANALYTICS_CACHE=str(cache))
    t0 = time.perf_counter()
    process([*cli, url, "metrics", "--json"], env)()  # the first process: no kept file yet, the whole copy
    row["metrics_postgres_first_s"] = time.perf_counter() - t0
    spent: dict[str, list[float]] = {}
    t = in_turn({name: cpu_timed(name, fn, spent) for name, fn in {
        "metrics_duckdb": process([*cli, str(duck), "metrics", "--json"], env),
        "floor": process([py, "-c", f"import duckdb; con = duckdb.connect({str(duck)!r}, read_only=True); "
                                    f"con.execute({WINDOW_PASS!r}).fetchone()"], env),
        "metrics_postgres": process([*cli, url, "metrics", "--json"], env),
        "reads_pass": process([py, "-c", f"import duckdb; con = duckdb.connect({str(duck)!r}, read_only=True); "
                                         f"con.execute({READS_PASS!r}).fetchone()"], env),
    }.items()}, args.processes, warm_up=True)
    row["process_s"] = t
    row["process_cpu_s"] = {name: statistics.median(times[1:]) for name, times in spent.items()}  # not the warm-up
    printed = [subprocess.run([*cli, target, "metrics", "--json"], env=env, check=True, capture_output=True,
                              text=True).stdout for target in (str(duck), url)]
    row["metrics_json_equal"] = printed[0] == printed[1]

    now = utcnow().replace(microsecond=0)
    bundles = {}
    for name, target in (("duckdb", str(duck)), ("postgres", url)):
        bundles[name] = str(tmp / f"bundle-{name}.pickle")
        done = subprocess.run([py, __file__, "--child", target, "--now", now.isoformat(), "--ops", str(args.ops),
                               "--repeat", str(args.repeat), "--bundle-out", bundles[name]],
                              env=env, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"the {name} child failed: {done.stderr[-2000:]}")
        row[name] = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"{size:,} {name}: {row[name]}", flush=True)
    row["insights_equal"] = same_bundles(bundles["duckdb"], bundles["postgres"])
    server.drop_database(url)
    duck.unlink()
    del dt
    return row


def table(rows: list[dict]) -> str:
    """The goals table (markdown), one column per size and store."""
    def f(v, unit="s", digits=2):
        return "n/a" if v is None else f"{v:.{digits}f} {unit}".strip()

    def size(n: int) -> str:
        return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n // 1000}k" if n % 1000 == 0 else f"{n:,}"

    head = "| measure (goal at 1M) | " + " | ".join(f"{size(r['incidents'])} {s}" for r in rows
                                                   for s in ("DuckDB", "PostgreSQL")) + " |"
    lines = [head, "|---|" + "---|" * (2 * len(rows))]

    def line(label, get):
        cells = []
        for r in rows:
            for s in ("duckdb", "postgres"):
                cells.append(get(r, s))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    line("Insights bundle, cold, just after a write (DuckDB ≤ 1.0 s; PostgreSQL ≤ 2× DuckDB)",
         lambda r, s: f(r[s]["insights_after_write_s"]) + (
             f" ({r['postgres']['insights_after_write_s'] / r['duckdb']['insights_after_write_s']:.1f}×)"
             if s == "postgres" else ""))
    line("the same, CPU time of the process (all threads)", lambda r, s: f(r[s]["insights_after_write_cpu_s"]))
    line("of which the copy's refresh (PostgreSQL), rows moved",
         lambda r, s: "" if s == "duckdb" else f"{f(r[s]['refresh_after_write_s'])}, {r[s]['rows_moved_per_refresh']:.0f}")
    line("first Insights bundle of a process (PostgreSQL: from the kept file)", lambda r, s: f(r[s]["first_insights_s"]))
    line("Insights bundle, unchanged data", lambda r, s: f(r[s]["insights_unchanged_ms"], "ms", 1))
    line("`declare` p50 in-process (< 5 ms / < 10 ms)", lambda r, s: f(r[s]["latency"]["declare"]["p50_ms"], "ms", 1))
    line("`post_update` p50 in-process (< 5 ms / < 10 ms)",
         lambda r, s: f(r[s]["latency"]["post_update"]["p50_ms"], "ms", 1))
    line("`metrics --json`, whole process (≤ 2× floor / ≤ 3× DuckDB's)",
         lambda r, s: f(r["process_s"][f"metrics_{s}"]) + (
             f" ({r['process_s']['metrics_duckdb'] / r['process_s']['floor']:.1f}× floor)" if s == "duckdb" else
             f" ({r['process_s']['metrics_postgres'] / r['process_s']['metrics_duckdb']:.1f}× DuckDB)"))
    line("the same, CPU time of the process (user + system; PostgreSQL's server not counted)",
         lambda r, s: f(r["process_cpu_s"][f"metrics_{s}"]) + (
             f" ({r['process_cpu_s']['metrics_duckdb'] / r['process_cpu_s']['floor']:.1f}× floor's)"
             if s == "duckdb" else
             f" ({r['process_cpu_s']['metrics_postgres'] / r['process_cpu_s']['metrics_duckdb']:.1f}× DuckDB's)"))
    line("the floor process (duckdb, one window pass)",
         lambda r, s: f"{f(r['process_s']['floor'])} (CPU {r['process_cpu_s']['floor']:.2f} s)" if s == "duckdb" else "")
    line("a process making one pass over the columns `metrics --json` reads (not a goal)",
         lambda r, s: "" if s != "duckdb" else f(r["process_s"]["reads_pass"])
         + f" ({r['process_s']['metrics_duckdb'] / r['process_s']['reads_pass']:.1f}×; CPU "
         f"{r['process_cpu_s']['reads_pass']:.2f} s, "
         f"{r['process_cpu_s']['metrics_duckdb'] / r['process_cpu_s']['reads_pass']:.1f}×)")
    line("`metrics --json`, the first process (PostgreSQL: no kept file, the whole copy)",
         lambda r, s: f(r["metrics_postgres_first_s"]) if s == "postgres" else "")
    line("`similar` for a sentence (< 50 ms)", lambda r, s: f(r[s]["similar_ms"], "ms", 1))
    line("`similar`: first call (builds the index)", lambda r, s: f(r[s]["similar_first_s"]))
    line("RSS after these, peak (< 2 GiB)", lambda r, s: f"{r[s]['rss_mib']['VmRSS']} / {r[s]['rss_mib']['VmHWM']} MiB")
    line("peak RSS in each phase: first bundle / similar / writes (MiB)",
         lambda r, s: " / ".join(str(v) for v in r[s].get("peak_mib_by_phase", {}).values()))
    line("answers equal (metrics JSON; Insights frames)",
         lambda r, s: f"{'yes' if r['metrics_json_equal'] else 'NO'}; {r['insights_equal']}" if s == "duckdb" else "")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100000,300000,1000000")
    ap.add_argument("--ops", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--processes", type=int, default=3)
    ap.add_argument("--child")
    ap.add_argument("--now")
    ap.add_argument("--bundle-out")
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.now, args.ops, args.repeat, args.bundle_out), default=str))
        return
    from pg_server import PgServer

    print(describe("psycopg", "pyarrow"), flush=True)
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""),
               INCIDENT_KIT_USER="bench", INCIDENT_KIT_NOTIFY_WORKER="off", INCIDENT_KIT_SNAPSHOT_EVERY="0")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    server = PgServer(durable=True).start()
    rows = []
    try:
        with tempfile.TemporaryDirectory(prefix="ik-scale-bench-") as tmp:
            for size in (int(s) for s in args.sizes.split(",")):
                rows.append(run_size(size, server, args, env, Path(tmp)))
                print(table(rows), flush=True)
    finally:
        server.stop()
    for r in rows:
        for s in ("duckdb", "postgres"):
            print(f"profile, {r['incidents']:,} incidents, {s} (ms):", json.dumps(r[s]["profile_ms"]))
    print(json.dumps(rows, indent=1, default=str))
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
