"""How long the Incidents and Incident pages take to render, with 10k demo incidents.

    python benchmarks/bench_app_render.py [--incidents 10000] [--repeat 5]

Each figure is the median of ``--repeat`` full AppTest runs of the page (the
whole script: router, identity, Kit calls, fragments and widgets), after one
warm-up run. A 400-incident database is measured in the same run so the ratio
shows how the pages scale. Goal: under 1 s per page at 10k incidents.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import streamlit as st  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

import incident_kit as ik  # noqa: E402
from incident_kit import demo  # noqa: E402

from common import arguments, describe  # noqa: E402

VIEWS = "incident_kit/ui/views/"


def _median_run(at: AppTest, repeat: int) -> float:
    at.run()  # warm-up
    if at.exception:
        raise SystemExit(f"page failed: {[e.value for e in at.exception]}")
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(incidents: int, repeat: int, tmp: Path) -> dict[str, float]:
    db = tmp / f"bench_{incidents}.duckdb"
    with ik.open(db, user="bench") as kit:
        demo.load(kit.db, incidents=incidents)
        rows = kit.incidents(active=True)
        busiest = rows.sort_values("update_count").iloc[-1]["reference"] if len(rows) else "INC-1"
    os.environ["INCIDENT_KIT_DB"] = str(db)
    st.cache_resource.clear()
    out = {}
    for name, page, ref in [("Incidents", "incidents", None), ("Incident", "incident", busiest)]:
        at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
        at.session_state["display_name"] = "ana"
        at.run()
        at.switch_page(VIEWS + page + ".py")
        if ref:
            at.query_params["ref"] = ref
        out[name] = _median_run(at, repeat)
    out["ref"] = busiest
    return out


def main() -> None:
    args = arguments(__doc__, incidents=10_000, repeat=5)
    print(f"{describe('streamlit')}; median of {args.repeat} AppTest runs after a warm-up")
    with tempfile.TemporaryDirectory() as tmp:
        small = measure(400, args.repeat, Path(tmp))
        big = measure(args.incidents, args.repeat, Path(tmp))
    print(f"| page | 400 incidents | {args.incidents:,} incidents | ratio | goal |")
    print("|---|---|---|---|---|")
    for name in ("Incidents", "Incident"):
        ok = "met" if big[name] < 1.0 else "MISSED"
        print(f"| {name} | {small[name] * 1000:.0f} ms | {big[name] * 1000:.0f} ms | "
              f"{big[name] / small[name]:.2f}x | < 1 s: {ok} |")
    print(f"(Incident page: the active incident with the most updates, {big['ref']} at {args.incidents:,}.)")


if __name__ == "__main__":
    main()
