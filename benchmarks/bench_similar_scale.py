"""Similar incidents at 100k, 300k and 1M incidents: the index build's memory and time, and ``similar``'s.

    python benchmarks/bench_similar_scale.py [--sizes 100000,300000,1000000] [--stores duckdb,postgres]
                                             [--repeat 21] [--profile DIR] [--answers FILE]

For each size the scale set (``scale_data.py``, cached as Parquet) is loaded into a DuckDB file (a copy of
the cached one) and into a new database on a throwaway PostgreSQL 15 server (``tests/pg_server.py``, fsync
on). Then, in a fresh child process per store (so each store's memory is its own):

1. **The build**: the first ``kit.similar`` of the process, which reads every incident's words and indexes
   them (above ``index.BUILD_APART_ABOVE`` incidents the tokenising and indexing run in a process of their
   own). Reported: its time, the peak RSS of the process asking (``VmHWM``, reset just before) and, sampled
   every 20 ms by this script's own process (outside the child), the indexing process's peak RSS and the
   peak of both together.
2. **Questions**, with the index built: median of ``--repeat`` calls each (wall and CPU time of the process)
   of a sentence (``bench_scale.py``'s), an incident reference, and the sentence asked by a viewer whose
   visibility is checked. ``--profile DIR``
   then attaches py-spy to the child while it asks the sentence again (not timed) and writes a flame graph.
3. **The answers** of a few questions, written to ``--answers`` (JSON) so two versions of the code can be
   compared on the same data: they must be equal.
4. **After a change** (a ``declare``): the first and the second question, answered from the previous index
   with every incident's facts read afresh while it rebuilds in the background, and the asking process's
   peak RSS until the rebuild is done (it holds the previous index while the next is built).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
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
from common import describe  # noqa: E402
from bench_scale import SENTENCE, reset_peak, rss  # noqa: E402

QUESTIONS = [SENTENCE, "database connection pool exhausted", "Customers can't log in with Google",
             "payments failing card declined timeout"]


def child(target: str, repeat: int, profile: str | None) -> dict:
    import incident_kit as ik

    out: dict = {}
    kit = ik.open(target, user="bench")
    before = rss()["VmRSS"]
    reset_peak()
    t = time.perf_counter()
    kit.similar(SENTENCE)
    out["build_s"] = round(time.perf_counter() - t, 2)
    out["build_peak_mib"] = rss()["VmHWM"]
    out["build_peak_over_start_mib"] = out["build_peak_mib"] - before
    out["rss_after_build_mib"] = rss()["VmRSS"]
    from incident_kit.similar import index

    # The data version moves with any transaction on the server that took an id (autovacuum's ANALYZE of
    # a freshly loaded database, another database's writes): a big index is then rebuilt in the background
    # while questions read every incident's facts afresh. Time the steady state: wait until a question
    # finds its index current, and count the versions seen while timing.
    for _ in range(10):
        kit.similar(SENTENCE)
        busy = index._REBUILDING.get(kit.db)  # noqa: SLF001 (a benchmark waits for the state it measures)
        if busy is None or not busy.is_alive():
            break
        index.wait_for_rebuild(kit.db)
    versions = {kit.db.data_version()}
    ref = kit.incidents(limit=1)["reference"].iat[0]
    asks = {"sentence": lambda: kit.similar(SENTENCE),
            "reference": lambda: kit.similar(ref),
            "sentence, viewer checked": lambda: kit.similar(SENTENCE, viewer="nobody-in-particular")}
    for name, ask in asks.items():
        ask()
        times, cpu = [], []
        for _ in range(repeat):
            t, c = time.perf_counter(), time.process_time()
            ask()
            times.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)  # less noisy than wall time on a shared machine
        out[f"{name} ms"] = round(statistics.median(times) * 1000, 1)
        out[f"{name} cpu ms"] = round(statistics.median(cpu) * 1000, 1)
        versions.add(kit.db.data_version())
    out["data versions seen while timing"] = len(versions)
    out["answers"] = {q: kit.similar(q, limit=20, min_relevance=0) for q in QUESTIONS}
    out["answers"][ref] = kit.similar(ref, limit=20, min_relevance=0)
    # After a change, a big store rebuilds in the background while questions answer from the previous
    # index with every incident's facts read afresh (once per data version): the first and second
    # question after a declaration, and the asking process's peak while it holds both indexes.
    reset_peak()
    kit.declare("Scale benchmark: checkout returning 500s", declared_by="bench")
    for name in ("first question after a change", "second question after a change"):
        t = time.perf_counter()
        kit.similar(SENTENCE)
        out[f"{name} ms"] = round((time.perf_counter() - t) * 1000, 1)
    index.wait_for_rebuild(kit.db)
    out["peak_while_rebuilding_mib"] = rss()["VmHWM"]
    if profile:
        spy = subprocess.Popen([str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(os.getpid()), "-r", "200",
                                "-o", profile, "--nonblocking"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.0)  # py-spy attaches
        for _ in range(200):
            kit.similar(SENTENCE)
        spy.send_signal(signal.SIGINT)
        spy.wait()
    kit.close()
    return out


def run_child(target: str, args, profile: str | None) -> dict:
    """The child's measures, plus the peak RSS of the processes it started (the indexing process), sampled
    every 20 ms from here: the child's own ``RUSAGE_CHILDREN`` would count its own size, which a child
    started by fork and exec inherits as its high-water mark."""
    import psutil

    command = [sys.executable, __file__, "--child", target, "--repeat", str(args.repeat)]
    if profile:
        command += ["--profile", profile]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(command, stdout=out, stderr=err, text=True)
        watched, peak, together = psutil.Process(proc.pid), 0, 0
        while proc.poll() is None:
            try:
                sizes = [c.memory_info().rss for c in watched.children(recursive=True)
                         if "py-spy" not in c.name()]
                own = watched.memory_info().rss
            except psutil.Error:
                sizes, own = [], 0
            peak, together = max([peak, *sizes]), max(together, own + sum(sizes))
            time.sleep(0.02)
        out.seek(0), err.seek(0)
        if proc.returncode:
            raise SystemExit(f"the child failed: {err.read()[-3000:]}")
        row = json.loads(out.read().strip().splitlines()[-1])
    row["indexing_process_peak_mib"] = round(peak / 2**20)
    row["both_processes_peak_mib"] = round(together / 2**20)
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100000,300000,1000000")
    ap.add_argument("--stores", default="duckdb,postgres")
    ap.add_argument("--repeat", type=int, default=21)
    ap.add_argument("--profile", help="a directory for py-spy flame graphs of the sentence's questions")
    ap.add_argument("--answers", help="write every answer here (JSON), to compare two versions of the code")
    ap.add_argument("--child")
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.repeat, args.profile)))
        return
    from pg_server import PgServer

    print(describe(), flush=True)
    stores = args.stores.split(",")
    results: dict = {}
    server = PgServer(durable=True).start() if "postgres" in stores else None
    try:
        with tempfile.TemporaryDirectory(prefix="ik-similar-") as tmp:
            for size in (int(s) for s in args.sizes.split(",")):
                where = scale_data.build(size)
                targets = {}
                if "duckdb" in stores:
                    cached = scale_data.duckdb_cache(where)
                    if not cached.exists():
                        scale_data.load_duckdb(Path(tmp) / "fresh.duckdb", where)
                        shutil.move(Path(tmp) / "fresh.duckdb", cached)
                    targets["duckdb"] = str(Path(tmp) / f"work-{size}.duckdb")
                    shutil.copy(cached, targets["duckdb"])
                if server is not None:
                    targets["postgres"] = server.fresh_database()
                    scale_data.load_postgres(targets["postgres"], where)
                for store, target in targets.items():
                    profile = str(Path(args.profile) / f"similar-{store}-{size}.svg") if args.profile else None
                    row = run_child(target, args, profile)
                    results[f"{size} {store}"] = row
                    shown = {k: v for k, v in row.items() if k != "answers"}
                    print(f"{size:,} {store}: {json.dumps(shown)}", flush=True)
                if server is not None:
                    server.drop_database(targets["postgres"])
                if "duckdb" in targets:
                    os.unlink(targets["duckdb"])
    finally:
        if server is not None:
            server.stop()
    if args.answers:
        Path(args.answers).write_text(json.dumps({k: v["answers"] for k, v in results.items()}, indent=1,
                                                 default=str))
    with open("/proc/loadavg") as fh:
        print(f"load average at the end: {fh.read().split()[:3]}")


if __name__ == "__main__":
    main()
