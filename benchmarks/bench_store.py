"""Write latency on a big database, and the lock-vs-retry choice for concurrent writes.

    python benchmarks/bench_store.py [--incidents 100000] [--ops 500]

1. Loads the demo organisation with --incidents incidents (default 100k) into a
   fresh DuckDB file, then times --ops calls each of ``declare`` and
   ``post_update`` through the public API (p50 / p95).
2. Runs 16 threads x 50 writes against a fresh file with each write strategy
   ("lock": a process-wide write lock; "retry": optimistic transactions retried
   with backoff on conflict) and reports throughput as a ratio in the same run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import incident_kit as ik  # noqa: E402
from incident_kit import demo  # noqa: E402
from incident_kit.incident import facts  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import describe  # noqa: E402


def pct(values, q):
    values = sorted(values)
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def latency(kit, ops: int) -> dict:
    declare, update = [], []
    refs = []
    for i in range(ops):
        t = time.perf_counter()
        inc = kit.declare(f"Benchmark incident {i}", declared_by="bench")
        declare.append((time.perf_counter() - t) * 1000)
        refs.append(inc.reference)
    refresh = []

    def time_refresh(tx, incident_id: int) -> None:  # inside the transaction: the statements, not the commit
        t = time.perf_counter()
        facts.refresh(tx, [incident_id])
        refresh.append((time.perf_counter() - t) * 1000)

    for i in range(ops):
        t = time.perf_counter()
        up = kit.post_update(refs[i % len(refs)], f"Update {i}", by="bench", impact="Some", doing="Things")
        update.append((time.perf_counter() - t) * 1000)
        kit.db.write(lambda tx, iid=up.incident_id: time_refresh(tx, iid))
    return {name: {"p50_ms": round(statistics.median(v), 2), "p95_ms": round(pct(v, 0.95), 2)}
            for name, v in (("declare", declare), ("post_update", update),
                            ("of which update facts (measured apart, same incidents)", refresh))}


def contention(path: Path, strategy: str, threads: int = 16, writes: int = 50) -> dict:
    kit = ik.open(path, write_strategy=strategy, user="bench")
    ref = kit.declare("shared").reference
    errors = []
    barrier = threading.Barrier(threads)

    def worker(n):
        barrier.wait()
        for i in range(writes):
            try:
                if i % 2:
                    kit.declare(f"{n}-{i}")
                else:
                    kit.post_update(ref, f"{n}-{i}")
            except Exception as exc:
                errors.append(repr(exc))

    ts = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    t0 = time.perf_counter()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    elapsed = time.perf_counter() - t0
    result = {"writes": threads * writes, "seconds": round(elapsed, 2),
              "writes_per_s": round(threads * writes / elapsed, 1), "errors": len(errors),
              "retries": kit.db.retries}
    kit.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--ops", type=int, default=500)
    args = parser.parse_args()
    print(f"machine: {describe()}")
    with tempfile.TemporaryDirectory() as tmp:
        kit = ik.open(Path(tmp) / "big.duckdb", user="bench")
        t = time.perf_counter()
        counts = demo.load(kit.db, incidents=args.incidents)
        kit.db.checkpoint()
        print(f"loaded {counts} in {time.perf_counter() - t:.1f} s")
        lat = latency(kit, args.ops)
        kit.close()
        print(f"latency with {args.incidents} incidents ({args.ops} calls each): {lat}")
        lock = contention(Path(tmp) / "lock.duckdb", "lock")
        retry = contention(Path(tmp) / "retry.duckdb", "retry")
        print(f"16 threads x 50 writes, lock:  {lock}")
        print(f"16 threads x 50 writes, retry: {retry}")
        print(f"lock / retry throughput ratio: {lock['writes_per_s'] / retry['writes_per_s']:.2f}")


if __name__ == "__main__":
    main()
