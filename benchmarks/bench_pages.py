"""The Kit calls each list page makes on one view, before and after the pages read only what they show (issue 24).

    python benchmarks/bench_pages.py [--incidents 100000] [--repeat 5] [--rounds 3] [--before DIR]
                                     [--duckdb FILE] [--pg-url URL] [--viewer grace] [--render 0|1|2]

Loads the demo organisation (``incident_kit.demo``, seed 42) into a DuckDB file and a PostgreSQL database
(a throwaway server, tests/pg_server.py, fsync on) unless ``--duckdb`` / ``--pg-url`` name ones already loaded.
Then, for each store, a fresh process per code tree times (median of ``--repeat`` after one untimed run) the
calls each page makes on one view, as a signed-in person who is not an admin (``--viewer``, verified).
The processes of the two trees take turns, ``--rounds`` times, so a change in the shared machine's load
hits both alike; each figure is the median of the rounds' medians.

* Home, Incidents: unchanged pages (counts, one page of rows), over the list query;
* Reviews: main's page read every review and every incident awaiting one; now counts and one page per tab;
* Follow-ups: main's page read both tabs' whole lists and made the CSV and JSON export on every view; now
  counts and one page per tab, the export made when clicked;
* Needs an update: main read every active incident and chose the late ones in pandas; now a count and a page;
* Status: main read a year of incidents and filtered them in pandas; now counts and a page per part.

``--before DIR`` is a checkout of the old code (``git worktree add DIR 4261ccc``): its process imports
``incident_kit`` from there and makes the calls main's pages make. Where both sides compute the same thing
(counts, the first page's references at one fixed ``now``) the answers are checked equal and printed.
``--render 1`` also times a whole AppTest run of each page (after code only: main's Reviews page draws a row
of widgets per review, ~90,000 at 100k, which takes minutes); ``--render 2`` on both sides (for small sets).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PAGE = 50  # ui.context.PAGE_SIZE


def _median_ms(fn, repeat: int) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def _old_review_rows(kit, viewer, user: str) -> dict[str, list]:
    """main's Reviews page: every review and every incident awaiting one, grouped and sorted in Python."""
    import pandas as pd

    listing, waiting = kit.reviews(viewer=viewer), kit.reviews_to_do(viewer=viewer)
    rows = [dict(ref=r.incident, mine=user in (r.lead, r.declared_by), when=r.resolved_at, group="to_do")
            for r in waiting.itertuples(index=False)]
    rows += [dict(ref=r.incident, mine=r.created_by == user, when=r.updated_at,
                  group={"draft": "to_do", "in_review": "in_review"}.get(r.status, "done"))
             for r in listing.itertuples(index=False)]
    out = {}
    for group in ("to_do", "in_review", "done"):
        out[group] = sorted((r for r in rows if r["group"] == group),
                            key=lambda r: (not r["mine"], -(pd.Timestamp(r["when"]).timestamp()
                                                            if r["when"] is not None and not pd.isna(r["when"]) else 0)))
    return out


def pages(kit, viewer, new: bool) -> dict:
    """{page: function making that page's Kit calls for one view}."""
    user = str(viewer)
    home = lambda: (kit.incident_counts(viewer=viewer), kit.incident_counts(viewer=viewer),  # noqa: E731
                    kit.incidents(viewer=viewer, active=True, limit=8))
    incidents = lambda: (kit.types(), kit.severities(), kit.incident_counts(viewer=viewer),  # noqa: E731
                         kit.incidents(viewer=viewer, limit=PAGE))
    if new:
        reviews = lambda: (kit.review_counts(viewer=viewer),  # noqa: E731
                           *[kit.review_queue(q, viewer=viewer, limit=PAGE) for q in ("to_do", "in_review", "done")])
        follow_ups = lambda: (  # noqa: E731
            kit.follow_up_counts(viewer=viewer, owner=user, still_open=True),
            kit.follow_ups(viewer=viewer, owner=user, still_open=True, limit=PAGE),
            kit.follow_up_counts(viewer=viewer, still_open=True, overdue=False),
            kit.follow_ups(viewer=viewer, still_open=True, overdue=False, limit=PAGE))
        needs_update = lambda: (kit.incident_counts(viewer=viewer, active=True),  # noqa: E731
                                kit.needs_update(viewer=viewer, limit=PAGE))
        status = lambda: (kit.status_board_counts(viewer=viewer),  # noqa: E731
                          kit.status_board(viewer=viewer, part="ongoing", limit=PAGE),
                          kit.status_board(viewer=viewer, part="resolved", limit=PAGE))
    else:
        reviews = lambda: _old_review_rows(kit, viewer, user)  # noqa: E731
        follow_ups = lambda: (  # noqa: E731
            kit.follow_ups(viewer=viewer, owner=user, still_open=True),
            kit.follow_ups(viewer=viewer, still_open=True, overdue=False),
            kit.export_follow_ups(format="csv", viewer=viewer, still_open=True),
            kit.export_follow_ups(format="json", viewer=viewer, still_open=True))
        needs_update = lambda: kit.needs_update(viewer=viewer)  # noqa: E731
        status = lambda: kit.status_board(viewer=viewer)  # noqa: E731
    return {"Home": home, "Incidents": incidents, "Reviews": reviews, "Follow-ups": follow_ups,
            "Needs an update": needs_update, "Status": status}


def answers(kit, viewer, new: bool, now: dt.datetime) -> dict:
    """What both sides compute, at one ``now``: counts and the first page's references."""
    user = str(viewer)
    out: dict = {"incident_counts": kit.incident_counts(viewer=viewer, now=now),
                 "incidents_page": kit.incidents(viewer=viewer, limit=PAGE)["reference"].tolist()}
    if new:
        out["review_counts"] = kit.review_counts(viewer=viewer)
        out["review_pages"] = {q: kit.review_queue(q, viewer=viewer, limit=PAGE)["incident"].tolist()
                               for q in ("to_do", "in_review", "done")}
        for key, filters in (("mine", dict(owner=user)), ("open", {})):
            counts = kit.follow_up_counts(viewer=viewer, still_open=True, now=now, **filters)
            out[f"follow_ups_{key}"] = [counts["total"], counts["overdue"]]
            out[f"follow_ups_{key}_page"] = kit.follow_ups(viewer=viewer, still_open=True, now=now, limit=PAGE,
                                                           **filters)["reference"].tolist()
        out["late"] = kit.incident_counts(viewer=viewer, active=True, now=now)["overdue"]
        out["late_page"] = kit.needs_update(viewer=viewer, now=now, limit=PAGE)["reference"].tolist()
        out["board"] = kit.status_board_counts(viewer=viewer, now=now)
        out["board_pages"] = {p: kit.status_board(viewer=viewer, now=now, part=p, limit=PAGE)["reference"].tolist()
                              for p in ("ongoing", "resolved")}
    else:
        rows = _old_review_rows(kit, viewer, user)
        out["review_counts"] = {g: len(r) for g, r in rows.items()}
        out["review_pages"] = {g: [r["ref"] for r in rows[g][:PAGE]] for g in rows}
        for key, filters in (("mine", dict(owner=user)), ("open", {})):
            frame = kit.follow_ups(viewer=viewer, still_open=True, now=now, **filters)
            out[f"follow_ups_{key}"] = [len(frame), int(frame["overdue"].sum())]
            out[f"follow_ups_{key}_page"] = frame["reference"].tolist()[:PAGE]
        late = kit.needs_update(viewer=viewer, now=now)
        out["late"], out["late_page"] = len(late), late["reference"].tolist()[:PAGE]
        board = kit.status_board(viewer=viewer, now=now)
        from incident_kit.incident.models import ACTIVE

        ongoing = board[board["status"].isin([s.value for s in ACTIVE])]
        resolved = board[~board["status"].isin([s.value for s in ACTIVE])]
        out["board"] = {"ongoing": len(ongoing), "overdue": int(ongoing["overdue"].sum()), "resolved": len(resolved)}
        out["board_pages"] = {"ongoing": ongoing["reference"].tolist()[:PAGE],
                              "resolved": resolved["reference"].tolist()[:PAGE]}
    return out


def render(target: str, user: str, repeat: int) -> dict[str, float]:
    """Median ms of a whole AppTest run of each page, signed in as ``user``."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ["INCIDENT_KIT_DB"] = target
    os.environ.setdefault("INCIDENT_KIT_NOTIFY_WORKER", "off")
    os.environ.setdefault("INCIDENT_KIT_SNAPSHOT_EVERY", "0")
    st.cache_resource.clear()
    out = {}
    for name, page in (("Home", "home"), ("Incidents", "incidents"), ("Reviews", "reviews"),
                       ("Follow-ups", "follow_ups"), ("Needs an update", "needs_update"), ("Status", "status")):
        at = AppTest.from_file(str(Path.cwd() / "app.py"), default_timeout=600)  # the tree under test
        at.user = {"is_logged_in": True, "email": user, "name": user}
        at.run()
        at.switch_page(f"incident_kit/ui/views/{page}.py")

        def run(at=at):
            at.run()
            if at.exception:
                raise SystemExit(f"{name} failed: {[e.value for e in at.exception]}")

        out[name] = _median_ms(run, repeat)
    return out


def worker(args) -> None:
    import incident_kit as ik
    from incident_kit.identity import Person

    kit = ik.open(args.target)  # as the app opens it: every call names its viewer
    viewer = Person(args.viewer, verified=True)
    new = hasattr(kit, "review_queue")
    timings = {name: _median_ms(fn, args.repeat) for name, fn in pages(kit, viewer, new).items()}
    now = dt.datetime.fromisoformat(args.now)
    result = {"code": "after" if new else "before", "timings": timings, "answers": answers(kit, viewer, new, now)}
    kit.close()
    if args.render:
        result["render"] = render(args.target, args.viewer, args.repeat)
    print(json.dumps(result, default=str))


def run_worker(tree: Path, target: str, args, now: dt.datetime, render_pages: bool) -> dict:
    env = dict(os.environ, PYTHONPATH=str(tree))
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", "--target", target, "--repeat", str(args.repeat),
           "--viewer", args.viewer, "--now", now.isoformat(), "--render", "1" if render_pages else "0"]
    done = subprocess.run(cmd, env=env, cwd=str(tree), capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"worker failed ({tree}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--incidents", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--before", type=Path, help="a checkout of the old code (git worktree add DIR 4261ccc)")
    ap.add_argument("--duckdb", help="a DuckDB file already loaded with the demo (else one is made)")
    ap.add_argument("--pg-url", help="a PostgreSQL database already loaded with the demo (else a server is started)")
    ap.add_argument("--viewer", default="grace", help="a demo person, signed in, not an admin")
    ap.add_argument("--render", type=int, default=0)
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--target", help=argparse.SUPPRESS)
    ap.add_argument("--now", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        return worker(args)

    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "tests"))
    import incident_kit as ik
    from incident_kit import demo

    from common import describe

    print(describe("psycopg"), flush=True)
    server = None
    tmp = tempfile.TemporaryDirectory()
    try:
        targets = {}
        duck = args.duckdb or str(Path(tmp.name) / "pages.duckdb")
        pg = args.pg_url
        if pg is None:
            from pg_server import PgServer

            server = PgServer(durable=True).start()
            pg = server.fresh_database()
        for name, target, given in (("DuckDB", duck, args.duckdb), ("PostgreSQL", pg, args.pg_url)):
            if not given:
                t = time.perf_counter()
                with ik.open(target, user="bench") as kit:
                    demo.load(kit.db, incidents=args.incidents, seed=42)
                print(f"loaded {args.incidents:,} demo incidents into {name} in {time.perf_counter() - t:.0f} s",
                      flush=True)
            targets[name] = target
        now = dt.datetime.now(dt.timezone.utc)
        trees = ([("before", args.before.resolve())] if args.before else []) + [("after", ROOT)]
        runs: dict = {}
        for round_ in range(args.rounds):
            for store, target in targets.items():
                for code, tree in trees:
                    runs.setdefault((store, code), []).append(
                        run_worker(tree, target, args, now, round_ == 0 and (args.render == 2 or
                                                                             (args.render == 1 and code == "after"))))
            print(f"round {round_ + 1} of {args.rounds} done", flush=True)
        results = {}
        for key, done in runs.items():
            results[key] = dict(done[0], timings={page: statistics.median(r["timings"][page] for r in done)
                                                  for page in done[0]["timings"]})
            assert all(r["answers"] == done[0]["answers"] for r in done), f"{key}: answers moved between rounds"
        report(results, targets, trees, args)
    finally:
        if server is not None:
            server.stop()
        tmp.cleanup()


def report(results: dict, targets: dict, trees: list, args) -> None:
    codes = [code for code, _ in trees]
    print(f"\nmedian ms (of {args.rounds} rounds' medians of {args.repeat} runs), viewer {args.viewer} "
          "(signed in, not an admin)\n")
    head = " | ".join(f"{store} {code}" for store in targets for code in codes)
    ratios = " | ".join(f"{store} ×" for store in targets) if len(codes) == 2 else ""
    print(f"| page | {head} |" + (f" {ratios} |" if ratios else ""))
    print("|---" * (1 + len(targets) * len(codes) + (len(targets) if ratios else 0)) + "|")
    for page in results[(next(iter(targets)), "after")]["timings"]:
        cells = [results[(s, c)]["timings"][page] for s in targets for c in codes]
        line = f"| {page} | " + " | ".join(f"{v:,.0f}" for v in cells) + " |"
        if ratios:
            line += " " + " | ".join(f"{results[(s, 'before')]['timings'][page] / results[(s, 'after')]['timings'][page]:.1f}"
                                     for s in targets) + " |"
        print(line)
    if args.render:
        shown = [(st, c) for st in targets for c in codes if "render" in results[(st, c)]]
        print("\nAppTest run of the whole page, median ms (first round)\n")
        print("| page | " + " | ".join(f"{st} {c}" for st, c in shown) + " |\n" + "|---" * (1 + len(shown)) + "|")
        for page in results[shown[0]]["render"]:
            print(f"| {page} | " + " | ".join(f"{results[k]['render'][page]:,.0f}" for k in shown) + " |")
    print("\nanswers:")
    for store in targets:
        after = results[(store, "after")]["answers"]
        for key, value in after.items():
            if "before" in codes:
                same = results[(store, "before")]["answers"][key] == value
                print(f"  {store} {key}: {'equal' if same else 'DIFFERENT'}"
                      + ("" if same else f" before={results[(store, 'before')]['answers'][key]!s:.300} after={value!s:.300}"))
        print(f"  {store} counts: incidents {after['incident_counts']}, reviews {after['review_counts']}, "
              f"follow-ups open {after['follow_ups_open']}, late {after['late']}, board {after['board']}")
    stores = list(targets)
    if len(stores) == 2:
        a, b = (results[(s, "after")]["answers"] for s in stores)
        print(f"  DuckDB and PostgreSQL answers (after): {'equal' if a == b else 'DIFFERENT: ' + str([k for k in a if a[k] != b[k]])}")


if __name__ == "__main__":
    main()
