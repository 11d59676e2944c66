"""Import 10k Statuspage incidents with 50k updates (synthesised from the real samples' shape).

    python benchmarks/bench_import.py [--incidents 10000] [--updates-per 5] [--runs 3]

Each run imports into a fresh DuckDB file through ``kit.import_files`` (read, validate
with pandera, write in one transaction), then re-imports the same files (idempotent:
everything unchanged). The synthetic pages are written as files of 1,000 incidents
(~4 MB each, under the 10 MB per-file limit), the way a paged Statuspage export arrives.
Reports medians; goal: the first import under 20 s.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

import incident_kit as ik
from incident_kit.importers import service

from common import arguments

REALDATA = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "imports"
STATUSES = ["investigating", "identified", "monitoring", "monitoring", "resolved"]


def synthesise(out: Path, incidents: int, updates_per: int, per_file: int = 1000, seed: int = 42) -> list[Path]:
    rng = random.Random(seed)
    templates = []
    for name in ("cloudflare", "twilio", "zoom"):
        data = json.loads((REALDATA / f"statuspage-{name}.json").read_text())
        templates += [(data["page"], inc) for inc in data["incidents"] if inc["incident_updates"]]
    start = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)
    files, page_incidents, page = [], [], templates[0][0]
    for i in range(incidents):
        page, tpl = templates[i % len(templates)]
        inc = copy.deepcopy(tpl)
        created = start + dt.timedelta(minutes=37 * i + rng.randint(0, 30))
        inc["id"] = f"bench{i:07d}"
        inc["created_at"] = inc["started_at"] = created.isoformat()
        body = tpl["incident_updates"][-1]
        ups = []
        t = created
        for j in range(updates_per):
            t += dt.timedelta(minutes=rng.randint(5, 90))
            u = copy.deepcopy(body)
            u["id"] = f"bench{i:07d}u{j}"
            u["incident_id"] = inc["id"]
            u["status"] = STATUSES[min(j, len(STATUSES) - 1)] if j < updates_per - 1 else "resolved"
            u["created_at"] = u["display_at"] = u["updated_at"] = t.isoformat()
            ups.append(u)
        inc["incident_updates"] = list(reversed(ups))  # the API lists newest first
        inc["status"], inc["resolved_at"] = "resolved", t.isoformat()
        page_incidents.append(inc)
        if len(page_incidents) == per_file or i == incidents - 1:
            path = out / f"page-{len(files) + 1:03d}.json"
            path.write_text(json.dumps({"page": page, "incidents": page_incidents}))
            files.append(path)
            page_incidents = []
    return files


def main() -> None:
    args = arguments(__doc__, incidents=10_000, updates_per=5, runs=3)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        files = synthesise(tmp, args.incidents, args.updates_per)
        size = sum(f.stat().st_size for f in files) / 1024 / 1024
        print(f"{args.incidents} incidents, {args.incidents * args.updates_per} updates in {len(files)} files "
              f"({size:.1f} MB)")
        first, prep, again = [], [], []
        for run in range(args.runs):
            with ik.open(tmp / f"run{run}.duckdb", user="bench") as kit:
                t0 = time.perf_counter()
                prepared = service.prepare(kit.db, "statuspage", service.collect_files("statuspage", files),
                                           by="bench")
                prep.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                summary = kit.import_files("statuspage", files)
                first.append(time.perf_counter() - t0)
                assert summary.new == args.incidents and summary.updates_new == args.incidents * args.updates_per
                assert prepared.ok
                t0 = time.perf_counter()
                summary = kit.import_files("statuspage", files)
                again.append(time.perf_counter() - t0)
                assert summary.unchanged == args.incidents and summary.new == 0
            print(f"run {run + 1}: read+validate {prep[-1]:.2f} s, import {first[-1]:.2f} s, "
                  f"re-import {again[-1]:.2f} s")
        print(f"median: read+validate {statistics.median(prep):.2f} s, first import {statistics.median(first):.2f} s "
              f"(goal < 20 s), re-import (all unchanged) {statistics.median(again):.2f} s")


if __name__ == "__main__":
    main()
