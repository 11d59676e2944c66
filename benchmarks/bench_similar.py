"""Similar incidents at scale: ``kit.similar`` on a store of 10k incidents.

    python benchmarks/bench_similar.py [--incidents 10000] [--repeat 51]

Loads the deterministic demo (``incident_kit.demo``) into a temporary DuckDB file, then times
(median of --repeat calls, after one warm-up call that builds the index) three questions:
free text, an incident reference, and a reference after a change (the index is rebuilt once
then reused). The index build is timed on its own, since it happens once per change to the store.
Each answer is checked to be the same with a warm and a freshly built index. Questions ask with
``min_relevance=0`` (every incident sharing a word, as before the relevance threshold), so the
answers compared are full lists whatever the demo's words score.

Last, the first question after a change, both ways a store can take it (``similar.index``): rebuilt
before answering (stores up to ``REBUILD_INLINE_MAX`` incidents) and answered from the previous
index with current facts while the rebuild runs in the background (bigger stores; forced here by
setting the threshold to 0), each after a fresh ``declare``, median of 5; the background answer is
checked to name the same incidents in the same order as the answer after the rebuild, for a question
the new incident does not match. The same both ways for "what keeps coming back" (``kit.recurring``),
which compares the 1,000 most recent incidents with each other after every change. Above
``BUILD_APART_ABOVE`` incidents (20,000) every build here runs in a process of its own, as in the app.
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
            first = kit.similar("database connection pool exhausted", limit=5, min_relevance=0)
            builds.append((time.perf_counter() - t0) * 1000)
        rows = {
            "free text ('database connection pool exhausted')": lambda: kit.similar(
                "database connection pool exhausted", limit=5, min_relevance=0),
            f"by reference ({ref})": lambda: kit.similar(ref, limit=5, min_relevance=0),
            "free text, viewer checked (private incidents filtered)": lambda: kit.similar(
                "database connection pool exhausted", limit=5, min_relevance=0, viewer="nobody-in-particular"),
        }
        warm = kit.similar("database connection pool exhausted", limit=5, min_relevance=0)
        assert warm == first, "a warm index must answer like a fresh one"
        print(f"demo: {counts['incidents']} incidents, {counts.get('updates', '?')} updates, "
              f"{counts.get('reviews', '?')} reviews; median of {args.repeat} warm calls")
        print("| call | median ms |")
        print("|---|---|")
        print(f"| index build (cold, first call after a change) | {statistics.median(builds):.0f} |")
        for label, fn in rows.items():
            print(f"| `kit.similar` {label} | {median_ms(fn, args.repeat, warm_up=False):.1f} |")
        after_change, recurring = {}, {}
        for label, inline_max in (("rebuilt before answering", 10**12),
                                  ("answered while it rebuilds in the background", 0)):
            index.REBUILD_INLINE_MAX, times, groups = inline_max, [], []
            for i in range(5):
                kit.recurring()  # kept for the current data
                index.wait_for_rebuild(kit.db)
                kit.declare(f"Badge printer offline at the front desk ({i})", declared_by="bench")  # a change
                t0 = time.perf_counter()
                kit.recurring()  # the 1,000 most recent compared again
                groups.append((time.perf_counter() - t0) * 1000)
                index.wait_for_rebuild(kit.db)
                kit.similar("database connection pool exhausted", limit=5, min_relevance=0)  # index the current data
                index.wait_for_rebuild(kit.db)
                kit.declare(f"Badge printer jammed at the front desk ({i})", declared_by="bench")  # a change
                t0 = time.perf_counter()
                answer = kit.similar("database connection pool exhausted", limit=5, min_relevance=0)
                times.append((time.perf_counter() - t0) * 1000)
                index.wait_for_rebuild(kit.db)
                rebuilt = kit.similar("database connection pool exhausted", limit=5, min_relevance=0)
                # the same incidents in the same order (scores move a little: one more document in the index)
                assert [a["reference"] for a in answer] == [r["reference"] for r in rebuilt], label
            after_change[label], recurring[label] = statistics.median(times), statistics.median(groups)
        for label, ms in after_change.items():
            print(f"| first question after a change, {label} | {ms:.1f} |")
        for label, ms in recurring.items():
            print(f"| `kit.recurring` (the 1,000 most recent compared) after a change, {label} | {ms:.1f} |")
        kit.close()


if __name__ == "__main__":
    main()
