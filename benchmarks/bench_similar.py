"""Similar incidents at scale: ``kit.similar`` on a store of 10k incidents.

    python benchmarks/bench_similar.py [--incidents 10000] [--repeat 51]

Loads the deterministic demo (``incident_kit.demo``) into a temporary DuckDB file, then times
(median of --repeat calls, after one warm-up call that builds the index) three questions:
free text, an incident reference, and a reference after a change (the index is rebuilt once
then reused). The index build is timed on its own, since it happens once per change to the store.
Each answer is checked to be the same with a warm and a freshly built index.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import incident_kit as ik
from incident_kit.demo import load
from incident_kit.similar import index

from common import arguments, describe, median_ms


def main() -> None:
    args = arguments(__doc__, incidents=10_000, repeat=51)
    print(describe())
    with tempfile.TemporaryDirectory() as tmp:
        kit = ik.open(Path(tmp) / "bench.duckdb", user="bench")
        counts = load(kit.db, incidents=args.incidents)
        ref = kit.incidents().iloc[len(kit.incidents()) // 2]["reference"]

        builds = []
        for _ in range(3):
            index._CACHE.clear()  # noqa: SLF001 - the benchmark measures a cold build on purpose
            t0 = time.perf_counter()
            first = kit.similar("database connection pool exhausted", limit=5)
            builds.append((time.perf_counter() - t0) * 1000)
        rows = {
            "free text ('database connection pool exhausted')": lambda: kit.similar(
                "database connection pool exhausted", limit=5),
            f"by reference ({ref})": lambda: kit.similar(ref, limit=5),
            "free text, viewer checked (private incidents filtered)": lambda: kit.similar(
                "database connection pool exhausted", limit=5, viewer="nobody-in-particular"),
        }
        warm = kit.similar("database connection pool exhausted", limit=5)
        assert warm == first, "a warm index must answer like a fresh one"
        print(f"demo: {counts['incidents']} incidents, {counts.get('updates', '?')} updates, "
              f"{counts.get('reviews', '?')} reviews; median of {args.repeat} warm calls")
        print("| call | median ms |")
        print("|---|---|")
        print(f"| index build (cold, first call after a change) | {statistics.median(builds):.0f} |")
        for label, fn in rows.items():
            print(f"| `kit.similar` {label} | {median_ms(fn, args.repeat, warm_up=False):.1f} |")
        kit.close()


if __name__ == "__main__":
    main()
