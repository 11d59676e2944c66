"""The Insights page in a real browser, warm, on a large store.

    python benchmarks/bench_insights_page.py [--incidents 200000] [--repeat 7]

1. Generates the synthetic store of ``bench_insights.py`` (``--recent``: every
   incident declared in the 360 days before today, so the page's default window,
   the last 365 days, covers all of them).
2. Starts the real app (``streamlit run app.py``) and drives Debian's Chromium
   headless through Playwright (the harness of ``tests/e2e``).
3. Signs in, opens Insights once (cold: imports, first read of the file), then
   ``--repeat`` times goes to Incidents and back to Insights. Each warm figure is
   the time from the click on "Insights" in the sidebar until the page's last
   section ("What keeps coming back", in the page's last tab) is rendered and
   Streamlit's running indicator is gone: what a person waits for.
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

LAST_SECTION = "What keeps coming back"


def open_insights(page) -> float:
    start = time.perf_counter()
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Insights", exact=True).click()
    # the last section sits in the last tab: present in the page, though not the tab on show
    page.locator("h3", has_text=LAST_SECTION).wait_for(state="attached", timeout=300_000)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=300_000)
    return time.perf_counter() - start


def main() -> None:
    args = arguments(__doc__, incidents=200_000, repeat=7)
    print(describe())
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
            harness.sign_in(page, url, "Bench Reader")
            cold = open_insights(page)
            counted = page.get_by_text("incidents declared in this window").first.inner_text()
            warm = []
            load_before = os.getloadavg()[0]
            for _ in range(args.repeat):
                harness.go(page, "Incidents")
                warm.append(open_insights(page))
            load_after = os.getloadavg()[0]
    print(f"page says: {counted.strip()[:80]}")
    print(f"Insights page, cold (first visit after start): {cold:.2f} s")
    print(f"Insights page, warm: median {statistics.median(warm):.2f} s of {args.repeat} "
          f"(min {min(warm):.2f}, max {max(warm):.2f}); goal < 1 s")
    print(f"1-min load average {load_before:.1f} before, {load_after:.1f} after (the machine is shared)")


if __name__ == "__main__":
    main()
