"""The Insights learning panels, computed afresh: period comparison, declarations XmR, follow-up survival.

    python benchmarks/bench_trends.py [--repeat 5]

What the first Insights view after a change pays for these panels (a repeat view on unchanged data
is a lookup: ``analytics/memo.py``). Each is timed through ``.uncached`` (the computation itself),
median of ``--repeat`` after one warm-up call, on three stores in temporary DuckDB files:

* the demo organisation with 400 and with 10,000 incidents (``Kit.load_demo``);
* the synthetic 200,000-incident store of ``bench_insights.py`` (600k updates, 300k follow-ups).

The period comparison splits each store's declarations in the middle of their span, as the page
splits its window. Every answer is checked to be the same on a second call (seeded resampling).
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

import pandas as pd

import incident_kit as ik
from incident_kit.analytics import survival, trends

from bench_insights import NOW, generate  # noqa: E402  (the synthetic store)
from common import arguments, describe, median_ms


def middle(kit) -> dt.datetime:
    first, last = kit.db.read(lambda tx: tx.fetchone("SELECT min(declared_at), max(declared_at) FROM incidents"))
    return (pd.Timestamp(first) + (pd.Timestamp(last) - pd.Timestamp(first)) / 2).to_pydatetime()


def panels(kit, repeat: int) -> dict[str, float]:
    split = middle(kit)
    calls = {
        "period comparison": lambda: trends.period_comparison.uncached(kit, split=split),
        "declarations XmR": lambda: trends.declarations_xmr.uncached(kit),
        "follow-up survival (curves and figures)": lambda: survival.completion.uncached(kit, now=NOW),
    }
    for name, call in calls.items():  # seeded: the same data gives the same answer
        a, b = call(), call()
        same = a.equals(b) if isinstance(a, pd.DataFrame) else all(a[k].equals(b[k]) if hasattr(a[k], "equals")
                                                                    else a[k] == b[k] for k in a)
        assert same, name
    return {name: median_ms(call, repeat) for name, call in calls.items()}


def main() -> None:
    args = arguments(__doc__, repeat=5)
    print(describe())
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for incidents in (400, 10_000):
            kit = ik.open(Path(tmp) / f"demo{incidents}.duckdb", user="bench")
            kit.load_demo(incidents=incidents)
            results[f"demo, {incidents:,} incidents"] = panels(kit, args.repeat)
            kit.close()
        path = os.path.join(tmp, "synthetic.duckdb")
        generate(path, 200_000, 3, 300_000)
        kit = ik.open(path, read_only=True, user="bench")
        results["synthetic, 200,000 incidents"] = panels(kit, args.repeat)
        kit.close()
    print(f"medians of {args.repeat} calls each (ms); load average {os.getloadavg()[0]:.1f} at the end")
    names = list(next(iter(results.values())))
    print("| panel | " + " | ".join(results) + " |")
    print("|---|" + "---|" * len(results))
    for name in names:
        print(f"| {name} | " + " | ".join(f"{r[name]:,.0f}" for r in results.values()) + " |")


if __name__ == "__main__":
    main()
