"""The Insights page in a real browser, tab by tab, warm, on a large store.

    python benchmarks/bench_insights_page.py [--incidents 200000] [--repeat 7]

1. Generates the synthetic store of ``bench_insights.py`` (``--recent``: every
   incident declared in the 360 days before today, so the page's default window,
   the last 365 days, covers all of them).
2. Starts the real app (``streamlit run app.py``) and drives Debian's Chromium
   headless through Playwright (the harness of ``tests/e2e``).
3. Signs in and opens Insights (cold: imports, first read of the file), then
   opens each other tab once (cold for that tab's panels) and comes back to the
   first. Then ``--repeat`` rounds, each: go to Incidents; click "Insights" in
   the sidebar (it lands on the first tab, "Communication"); click each other
   tab in turn; click "Communication" again (so the next round lands there).

Each figure runs from the click until that tab is complete: its last section is
in the open tab panel, the tab holds its expected number of charts and each has
been drawn by Vega, and Streamlit's running indicator is gone: what a person
waits for. A tab that did not render never completes (the run fails after
5 minutes). Every click, sidebar or tab, reruns the page's script; only the open
tab's sections run (see ``incident_kit/ui/views/insights.py``). The app builds the
similar-incident index when it starts (above 20,000 incidents in a process of its
own); the cold figures include whatever of that build is still running, and the
app's log is checked afterwards for a traceback or a build that fell back in-process.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "tests" / "e2e"))

import harness  # noqa: E402
from common import arguments, describe  # noqa: E402

# Each tab: a heading it draws, the text of its last section (any one of them: a caption, or the
# recurring groups' download or their "none" note) and the charts it draws on the synthetic store.
TABS = {
    "Communication": ("Update cadence", ["compare a severity with itself over time"], 4),
    "Follow-ups": ("How soon follow-ups get done", ["a severity with few follow-ups jumps in big"], 5),
    "Declaring": ("Declaring: routine or a signal?", ["never a target to bring down"], 3),
    "Reviews": ("What keeps coming back", ["Download the groups (CSV)", "read alike enough to group"], 3),
}
TIMEOUT_MS = 300_000

# True once the open tab panel is complete (see the module docstring); every element checked is from
# this run (Streamlit marks what is left of the previous run data-stale="true").
COMPLETE = """([heading, last, charts]) => {
    if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
    const panels = document.querySelectorAll('[role="tabpanel"]');
    if (panels.length !== 1) return false;
    if (![...panels[0].querySelectorAll('h3')].some(h => h.textContent.includes(heading))) return false;
    const fresh = [...panels[0].querySelectorAll('[data-testid="stElementContainer"]')]
        .filter(e => e.dataset.stale !== 'true');
    const text = fresh.map(e => e.textContent).join('\\n');
    if (!last.some(t => text.includes(t))) return false;
    const drawn = fresh.map(e => e.querySelector('[data-testid="stVegaLiteChart"]')).filter(Boolean);
    return drawn.length === charts && drawn.every(c => c.querySelector('svg, canvas'));
}"""


RUNS: list = []  # the page's harness.RunWatch: the status widget never shows (toolbarMode = "minimal")


def wait_complete(page, tab: str, since: float | None = None) -> None:
    heading, last, charts = TABS[tab]
    page.wait_for_function(COMPLETE, arg=[heading, last, charts], timeout=TIMEOUT_MS, polling=50)
    if RUNS and since is not None:  # and the run that drew it has ended, if the click started one
        RUNS[0].settle(page, since, TIMEOUT_MS)
        page.wait_for_function(COMPLETE, arg=[heading, last, charts], timeout=TIMEOUT_MS, polling=50)


def open_insights(page) -> float:
    """From another page: click Insights in the sidebar; it lands on the tab last open (the first here)."""
    start = time.perf_counter()
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Insights", exact=True).click()
    wait_complete(page, "Communication", start)
    return time.perf_counter() - start


def open_tab(page, tab: str) -> float:
    start = time.perf_counter()
    page.get_by_role("tab", name=tab, exact=True).click()
    wait_complete(page, tab, start)
    return time.perf_counter() - start


def summary(times: list[float]) -> str:
    return f"median {statistics.median(times):.2f} s (min {min(times):.2f}, max {max(times):.2f})"


def main() -> None:
    args = arguments(__doc__, incidents=200_000, repeat=7)
    print(describe())
    others = list(TABS)[1:]
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "page.duckdb"
        start = time.perf_counter()
        subprocess.run([sys.executable, str(HERE / "bench_insights.py"), "--generate", str(db), "--recent",
                        "--incidents", str(args.incidents), "--updates-per-incident", "3",
                        "--follow-ups", str(args.incidents * 3 // 2)], check=True)
        print(f"generated {args.incidents:,} incidents in {time.perf_counter() - start:.1f} s")
        env = dict(os.environ, INCIDENT_KIT_NOTIFY_WORKER="off", INCIDENT_KIT_SNAPSHOT_EVERY="0")
        with harness.app_in_browser(db, env=env, log=Path(tmp) / "streamlit.log") as (url, browser):
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            RUNS.append(harness.RunWatch(page))
            harness.sign_in(page, url, "Bench Reader")
            cold = {"Communication": open_insights(page)}
            counted = page.get_by_text("incidents declared in this window").first.inner_text()
            cold.update({tab: open_tab(page, tab) for tab in others})
            open_tab(page, "Communication")
            warm: dict[str, list[float]] = {"Insights from Incidents": [], **{t: [] for t in others},
                                            "back to Communication": []}
            load_before = os.getloadavg()[0]
            for _ in range(args.repeat):
                harness.go(page, "Incidents")
                warm["Insights from Incidents"].append(open_insights(page))
                for tab in others:
                    warm[tab].append(open_tab(page, tab))
                warm["back to Communication"].append(open_tab(page, "Communication"))
            load_after = os.getloadavg()[0]
        log = (Path(tmp) / "streamlit.log").read_text(errors="replace")
        # the start-up index build ran in a process of its own (above 20,000 incidents), and nothing failed
        assert "separate process" not in log and "Traceback" not in log, log[-2000:]
    print(f"page says: {counted.strip()[:80]}")
    print("cold (first time each tab is drawn after the app started): "
          + ", ".join(f"{tab} {seconds:.2f} s" for tab, seconds in cold.items()))
    print(f"warm, medians of {args.repeat} rounds; goal < 1 s each:")
    for what, times in warm.items():
        label = what if what in ("Insights from Incidents", "back to Communication") else f"switch to {what}"
        print(f"  {label:<30} {summary(times)}")
    print(f"1-min load average {load_before:.1f} before, {load_after:.1f} after (the machine is shared)")


if __name__ == "__main__":
    main()
