"""Every page of the real app in Chromium on the scale set (issue 24's browser goals), DuckDB and PostgreSQL.

    nice -n 10 python benchmarks/bench_scale_pages.py [--sizes 1000000] [--stores duckdb,postgres]
                                                      [--visits 4] [--writes 3]

For each size and store: the scale set (``scale_data.py``, cached Parquet; the DuckDB file cached beside it,
copied for the run) is loaded into a DuckDB file or, by COPY, into a new database on a throwaway PostgreSQL 15
server (``tests/pg_server.py``, fsync on). Then the real app (``streamlit run app.py`` on that store, started by
``tests/e2e/harness.py`` as the browser tests start it) is driven through Playwright by Debian's Chromium
(``/usr/bin/chromium --headless --no-sandbox --disable-gpu``, never a downloaded one):

1. sign in as ``--viewer`` (a person of the set who is not an admin), open one active incident from Home (so the
   sidebar's "Incident" shows it), then ``--visits`` rounds, each clicking every page in the sidebar in turn.
   Round 1 is cold (first draw of each page in this session); the figures are medians of rounds 2.. (warm).
   Between round 1 and round 2 the benchmark waits until the app's start-up build of the similar-incident
   index has ended (a thread reading every incident's words, then a child process; minutes at 1M under load):
   no child left and the app idle (``settle``), so warm visits do not compete with it.
2. ``--writes`` times each: go to Home, post an update to an active incident (status unchanged) from another
   process, then click Insights; then the same after a new declaration (which moves every Insights query).
   DuckDB holds its file in one process, so there the other process is an HTTP client of the app's own API
   (``POST /api/v1/incidents/{ref}/updates``, a token made before the app started); on PostgreSQL it is a Kit
   opened on the same database in a fresh Python process. The write finishes before the click.
3. The resident memory of the app's process (the ``streamlit`` process and its children) after all of that:
   VmRSS now and VmHWM (its peak) from ``/proc/PID/status``.

``--profile PAGE --py-spy PATH`` instead samples the app's process with py-spy (not part of the project; e.g.
``pip install --target DIR py-spy``) while PAGE is visited ``--visits`` times warm on a DuckDB copy of the set,
and prints where the script's time goes (inclusive share of the samples taken inside the page's script).

Each figure runs from the sidebar click until the page's run has ended (the app's ``script_finished`` message on the
websocket, ``harness.RunWatch``) and the page is drawn (``DRAWN`` below): nothing left of the previous run
(``data-stale``); the page's own title is in the main area; no spinner; every Vega chart has its SVG/canvas and
every data grid its canvas (those shown: a closed tab draws nothing); for Insights also the last section of its
first tab (``bench_insights_page.TABS``).
Nothing else runs inside a timed region. Before 2026-12-06 12:00 UTC the end of the run was read from Streamlit's
status widget, which this app's ``toolbarMode = "minimal"`` never shows: a page counted as drawn once its title
was, and pages whose queries run after the title were under-measured (Reviews on PostgreSQL at 1M: 0.39 s
reported, its run took seconds).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "tests" / "e2e"))
sys.path.insert(0, str(REPO / "tests"))

import harness  # noqa: E402
import scale_data  # noqa: E402
from bench_insights_page import TABS  # noqa: E402
from common import describe  # noqa: E402

TIMEOUT_MS = 300_000
# sidebar link -> the text of its h1 (the Incident page's title starts with the opened reference: set at run time)
PAGES = {"Home": "incident-kit", "Declare": "Declare an incident", "Incidents": "Incidents", "Incident": None,
         "Needs an update": "Needs an update", "Status": "Status", "Subscriptions": "Subscriptions",
         "Reviews": "Reviews", "Follow-ups": "Follow-ups", "Insights": "Insights", "Import": "Import",
         "Settings": "Settings"}
INSIGHTS_LAST = TABS["Communication"][1]

DRAWN = """([title, last]) => {
    if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
    const main = document.querySelector('[data-testid="stMain"]');
    if (!main) return false;
    if (main.querySelector('[data-stale="true"], [data-testid="stSpinner"]')) return false;
    if (![...main.querySelectorAll('h1')].some(h => h.textContent.includes(title))) return false;
    if (last.length && !last.some(t => main.textContent.includes(t))) return false;
    const shown = sel => [...main.querySelectorAll(sel)].filter(e => e.getClientRects().length);  // not in a closed tab
    if (!shown('[data-testid="stVegaLiteChart"]').every(c => c.querySelector('svg, canvas'))) return false;
    return shown('[data-testid="stDataFrame"]').every(g => g.querySelector('canvas'));
}"""


FRAMES: list[float] = []  # when each websocket message from the app arrived (perf_counter)
SERVER: dict[str, list[float]] = {}  # page -> seconds from the click to the app's last message before "drawn"
CPU: dict[str, list[float]] = {}  # page -> CPU seconds the app's process spent (all its threads) over the visit
APP: list = []  # the app's process (psutil), once started
RUNS: list = []  # the page's harness.RunWatch, once listening


def listen(page) -> None:
    """Note the arrival of every message the app sends the page (Streamlit's ForwardMsgs, one websocket), and
    when each of the app's runs ends (``harness.RunWatch``)."""
    page.on("websocket", lambda ws: ws.on("framereceived", lambda _payload: FRAMES.append(time.perf_counter())))
    RUNS.append(harness.RunWatch(page))


def visit(page, link: str, title: str) -> float:
    """Click ``link`` in the sidebar; seconds until the page is drawn (see the module docstring). The time of
    the app's last message before that goes to ``SERVER``: the rest is the browser drawing what it was sent."""
    last = INSIGHTS_LAST if link == "Insights" else []
    cpu = sum(APP[0].cpu_times()[:2]) if APP else 0.0
    start = time.perf_counter()
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=link, exact=True).click()
    page.wait_for_function(DRAWN, arg=[title, last], timeout=TIMEOUT_MS, polling=20)
    if RUNS:  # the title shows as soon as the page's first line runs: drawn means its run has ended too
        RUNS[0].wait(page, start, TIMEOUT_MS)
        page.wait_for_function(DRAWN, arg=[title, last], timeout=TIMEOUT_MS, polling=20)
    end = time.perf_counter()
    if APP:
        CPU.setdefault(link, []).append(sum(APP[0].cpu_times()[:2]) - cpu)
    SERVER.setdefault(link, []).append(max((t for t in FRAMES if start <= t <= end), default=start) - start)
    return end - start


def settle(app, limit: float = 900.0) -> float:
    """Wait until the app's start-up work is over; the seconds waited. That work is the similar-incident index:
    a thread of the app reads every incident's words (tens of seconds at 1M), then a child process builds the
    index. Over when there is no child and the app spent under a quarter of a core over the last 2 seconds."""
    start = time.perf_counter()
    while time.perf_counter() - start < limit:
        before = sum(app.cpu_times()[:2])
        time.sleep(2)
        if not app.children() and sum(app.cpu_times()[:2]) - before < 0.5:
            break
    return round(time.perf_counter() - start, 1)


def app_memory() -> dict:
    """MiB of the streamlit process (a child of this one) and its children: VmRSS now, VmHWM peak."""
    import psutil

    procs = [p for p in psutil.Process().children(recursive=True) if "streamlit" in " ".join(p.cmdline())]
    app = procs[0]
    tree = [app, *app.children(recursive=True)]

    def status(pid: int, key: str) -> int:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) // 1024
        return 0

    return {"rss_mib": sum(status(p.pid, "VmRSS") for p in tree), "app_rss_mib": status(app.pid, "VmRSS"),
            "app_peak_mib": status(app.pid, "VmHWM"), "processes": len(tree)}


def pick(target: str) -> dict:
    """An active, public incident to update, and an API token (made before the app holds a DuckDB file)."""
    import incident_kit as ik

    with ik.open(target, user="bench") as kit:
        active = kit.incidents(viewer="bench", active=True, limit=50)
        ref = next(r.reference for r in active.itertuples() if not r.private)
        token = kit.create_api_token(f"pages-{int(time.time())}", ["incidents:read", "incidents:write"], by="bench")
    return {"ref": ref, "token": token.secret if hasattr(token, "secret") else str(token)}


def writer(store: str, target: str, url: str, ref: str, token: str, env: dict):
    """A function doing one write from another process: ``kind`` is "update" or "declare"."""
    def write(kind: str, n: int) -> None:
        if store == "duckdb":
            path, body = ((f"/api/v1/incidents/{ref}/updates", {"message": f"bench update {n}"}) if kind == "update"
                          else ("/api/v1/incidents", {"title": f"Bench declaration {n}"}))
            req = urllib.request.Request(url + path, data=json.dumps(body).encode(), method="POST",
                                         headers={"Authorization": f"Bearer {token}",
                                                  "Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=120) as resp:
                assert resp.status == 201, resp.status
        else:
            call = (f"kit.post_update({ref!r}, 'bench update {n}', by='bench')" if kind == "update"
                    else f"kit.declare('Bench declaration {n}', declared_by='bench')")
            subprocess.run([sys.executable, "-c", f"import incident_kit as ik\nwith ik.open({target!r}, user='bench')"
                            f" as kit:\n    {call}"], env=env, check=True)
    return write


def run(store: str, target: str, args, env: dict, log: Path) -> dict:
    chosen = pick(target)
    SERVER.clear()
    FRAMES.clear()
    CPU.clear()
    APP.clear()
    RUNS.clear()
    out: dict = {"store": store, "load_before": round(os.getloadavg()[0], 1)}
    with harness.app_in_browser(target, env=env, log=log) as (url, browser):
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(TIMEOUT_MS)
        listen(page)
        import psutil

        APP.append(next(p for p in psutil.Process().children(recursive=True) if "streamlit" in " ".join(p.cmdline())))
        harness.sign_in(page, url, args.viewer)
        page.get_by_role("button", name="Open").first.click()
        page.wait_for_url("**/incident?ref=*", timeout=TIMEOUT_MS)
        opened = page.url.split("ref=")[1].split("&")[0]
        titles = {**PAGES, "Incident": opened}
        harness.wait_idle(page, TIMEOUT_MS)
        rounds = [{link: visit(page, link, title) for link, title in titles.items()}]
        # The app builds the similar-incident index when it opens the store (a thread reading every incident's
        # words, then a child process): warm means after that, not competing with it for the two cores.
        out["index_build_left_s"] = settle(APP[0])
        rounds += [{link: visit(page, link, title) for link, title in titles.items()} for _ in range(args.visits - 1)]
        out["cold"] = rounds[0]
        out["warm"] = {link: statistics.median(r[link] for r in rounds[1:]) for link in titles}
        out["warm_all"] = {link: [round(r[link], 3) for r in rounds[1:]] for link in titles}
        out["warm_server"] = {link: statistics.median(SERVER[link][1:args.visits]) for link in titles}
        out["warm_cpu"] = {link: statistics.median(CPU[link][1:args.visits]) for link in titles}
        write = writer(store, target, url, chosen["ref"], chosen["token"], env)
        for kind in ("update", "declare"):
            times = []
            for n in range(args.writes):
                visit(page, "Home", PAGES["Home"])
                write(kind, n)
                times.append(visit(page, "Insights", "Insights"))
            out[f"after_{kind}"] = times
            out[f"after_{kind}_server"] = SERVER["Insights"][-args.writes:]
            out[f"after_{kind}_cpu"] = CPU["Insights"][-args.writes:]
        out["memory"] = app_memory()
    out["load_after"] = round(os.getloadavg()[0], 1)
    text = log.read_text(errors="replace")
    out["log_ok"] = "Traceback" not in text
    if not out["log_ok"]:
        out["log_traceback"] = text[text.index("Traceback"):][:3000]
    return out


def profile(target: str, args, env: dict, log: Path) -> None:
    """py-spy the app while ``args.profile`` is visited warm (see the module docstring); nothing is timed."""
    import collections

    with harness.app_in_browser(target, env=env, log=log) as (url, browser):
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(TIMEOUT_MS)
        harness.sign_in(page, url, args.viewer)
        link, title = args.profile, PAGES[args.profile]
        for _ in range(2):  # cold, then once warm
            visit(page, "Home", PAGES["Home"])
            visit(page, link, title)
        import psutil

        app = next(p for p in psutil.Process().children(recursive=True) if "streamlit" in " ".join(p.cmdline()))
        settle(app)  # the start-up index build, as in run()
        raw = log.with_suffix(".spy")
        spy = subprocess.Popen([args.py_spy, "record", "--pid", str(app.pid), "--format", "raw", "--rate", "200",
                                "--output", str(raw), "--nonblocking", "--threads"],
                               stdout=subprocess.DEVNULL, stderr=open(log.with_suffix(".spy.err"), "wb"))
        time.sleep(2)
        for _ in range(args.visits):
            visit(page, "Home", PAGES["Home"])
            visit(page, link, title)
        spy.send_signal(2)
        spy.wait(60)
    script = {"Insights": "insights.py"}.get(link, link.lower().replace(" ", "_").replace("-", "_") + ".py")
    inclusive: collections.Counter = collections.Counter()
    threads: collections.Counter = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        threads[frames[0].split(": ", 1)[-1] + " > " + frames[-1][:100]] += int(count)
        if not any(f"{script}:" in f for f in frames):  # py-spy names files relative to sys.path
            continue
        total += int(count)
        for frame in set(frames):
            inclusive[frame] += int(count)
    print(f"{total} samples inside {script} (200 a second) over {args.visits} warm visits; inclusive share:")
    for frame, n in inclusive.most_common(60):
        print(f"  {n / total:6.1%}  {frame[:160]}")
    print(f"every thread of the app, {sum(threads.values())} samples; the innermost Python frame:")
    for frame, n in threads.most_common(25):
        print(f"  {n:6d}  {frame}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000000")
    ap.add_argument("--stores", default="duckdb,postgres")
    ap.add_argument("--visits", type=int, default=4)
    ap.add_argument("--writes", type=int, default=3)
    ap.add_argument("--viewer", default="grace")
    ap.add_argument("--profile", help="a sidebar page to sample with py-spy instead of timing")
    ap.add_argument("--py-spy", default="py-spy")
    args = ap.parse_args()
    print(describe("streamlit", "psycopg"), flush=True)
    env = dict(os.environ, INCIDENT_KIT_NOTIFY_WORKER="off", INCIDENT_KIT_SNAPSHOT_EVERY="0",
               PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    stores = args.stores.split(",")
    server = None
    results = []
    try:
        if "postgres" in stores:
            from pg_server import PgServer

            server = PgServer(durable=True).start()
        with tempfile.TemporaryDirectory(prefix="ik-pages-") as tmp:
            for size in (int(s) for s in args.sizes.split(",")):
                where = scale_data.build(size)
                for store in stores:
                    if args.profile:
                        cached = scale_data.duckdb_cache(where)
                        target = str(Path(tmp) / "profile.duckdb")
                        shutil.copy(cached, target)
                        profile(target, args, env, Path(tmp) / "profile.log")
                        return
                    if store == "duckdb":
                        cached = scale_data.duckdb_cache(where)
                        if not cached.exists():
                            scale_data.load_duckdb(Path(tmp) / "fresh.duckdb", where)
                            shutil.move(Path(tmp) / "fresh.duckdb", cached)
                        target = str(Path(tmp) / f"pages-{size}.duckdb")
                        shutil.copy(cached, target)
                    else:
                        target = server.fresh_database()
                        t = time.perf_counter()
                        scale_data.load_postgres(target, where)
                        print(f"loaded PostgreSQL in {time.perf_counter() - t:.0f} s", flush=True)
                    row = {"incidents": size, **run(store, target, args, env, Path(tmp) / f"{store}-{size}.log")}
                    results.append(row)
                    print(json.dumps(row, default=str), flush=True)
                    if store == "duckdb":
                        for leftover in (Path(target), Path(target + ".wal")):
                            leftover.unlink(missing_ok=True)
                    else:
                        server.drop_database(target)
    finally:
        if server is not None:
            server.stop()
    for r in results:
        print(f"\n{r['incidents']:,} incidents, {r['store']} (load {r['load_before']} -> {r['load_after']}; "
              f"log clean: {r['log_ok']}); app memory {r['memory']}")
        for link in r["warm"]:
            print(f"  {link:<16} warm {r['warm'][link]:.2f} s (app's last message at {r['warm_server'][link]:.2f} s,"
                  f" app CPU {r['warm_cpu'][link]:.2f} s)"
                  f"   cold {r['cold'][link]:.2f} s")
        for kind in ("update", "declare"):
            times = r[f"after_{kind}"]
            print(f"  Insights after a {kind}: median {statistics.median(times):.2f} s ({', '.join(f'{t:.2f}' for t in times)};"
                  f" app's last message at {statistics.median(r[f'after_{kind}_server']):.2f} s,"
                  f" app CPU {statistics.median(r[f'after_{kind}_cpu']):.2f} s)")


if __name__ == "__main__":
    main()
