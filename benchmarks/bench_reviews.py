"""Reviews and follow-ups on a large organisation: list, export, prefill.

    python benchmarks/bench_reviews.py [--incidents 4000] [--repeat 7]

Loads the deterministic demo (``incident_kit.demo``) into a temporary DuckDB
file, then times (median of --repeat runs) the calls behind the Reviews and
Follow-ups pages, and the export of one review of a long incident (500 updates).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import incident_kit as ik
from incident_kit.demo import load

from common import arguments, median_ms


def main() -> None:
    args = arguments(__doc__, incidents=4000, repeat=7)
    with tempfile.TemporaryDirectory() as tmp:
        kit = ik.open(Path(tmp) / "bench.duckdb", user="bench")
        counts = load(kit.db, incidents=args.incidents)
        long = kit.declare("A long incident", declared_by="ana", severity="Major", lead="bao")
        for n in range(500):
            kit.post_update(long.reference, f"Update {n}", by="bao", impact=f"Impact {n % 7}")
        kit.resolve(long.reference, by="bao")
        kit.start_review(long.reference, depth="standard", by="bao")
        for n in range(20):
            kit.add_follow_up(long.reference, f"Follow-up {n}", by="bao")
        rows = {
            "kit.follow_ups() (all)": lambda: kit.follow_ups(),
            "kit.follow_ups(still_open=True, overdue=True)": lambda: kit.follow_ups(still_open=True, overdue=True),
            "kit.reviews()": lambda: kit.reviews(),
            "export_follow_ups(format='csv') (all)": lambda: kit.export_follow_ups(format="csv"),
            "review_prefill (500 updates)": lambda: kit.review_prefill(long.reference),
            "export_review markdown (500 updates)": lambda: kit.export_review(long.reference, format="markdown"),
            "export_review html (500 updates)": lambda: kit.export_review(long.reference, format="html"),
            "review_hints (standard review)": lambda: kit.review_hints(long.reference),
        }
        print(f"demo: {counts['incidents']} incidents, {counts['reviews']} reviews, "
              f"{counts['follow_ups']} follow-ups; median of {args.repeat}")
        print("| call | median ms |")
        print("|---|---|")
        for name, fn in rows.items():
            print(f"| {name} | {median_ms(fn, args.repeat):.1f} |")
        kit.close()


if __name__ == "__main__":
    main()
