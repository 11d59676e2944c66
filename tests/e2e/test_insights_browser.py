"""The Insights page in a real browser: each tab draws its own sections and charts when opened.

Streamlit runs only the open tab's sections (lazy tabs), so this checks in Chromium what AppTest
cannot: a click on a tab brings its charts, drawn by Vega with their axis titles; a link opens a
tab; the tab comes back after another page; a CSV download is written on click.
"""

from __future__ import annotations

import csv
import re
import io
import sys
from pathlib import Path

import pytest

import incident_kit as ik
from incident_kit import demo

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]

harness.require_chromium()
pytest.importorskip("playwright.sync_api")

# Each tab: its section headings, axis titles its charts must show, and text of its last section (any one:
# the last caption, or the recurring groups' download or their "none" note). The page is complete only
# when that last text is in: a run shows sections as they come, and the running indicator can be absent.
TABS = {
    "Communication": (["Response times", "Are we getting faster?", "How long things take", "Update cadence"],
                      ["how long it took", "gaps within the target interval"],
                      ["compare a severity with itself over time"]),
    "Follow-ups": (["Completion by the due date", "Open follow-ups", "Time to complete",
                    "How soon follow-ups get done"],
                   ["done by the due date", "open follow-ups", "days since the follow-up was created"],
                   ["a severity with few follow-ups jumps in big"]),
    "Declaring": (["Declarations per month", "Declaring: routine or a signal?"],
                  ["incidents declared", "share of declarations"], ["never a target to bring down"]),
    "Reviews": (["Review depth", "What keeps coming back"],
                ["review depth chosen", "days to publish", "incidents where it came up"],
                ["Download the groups (CSV)", "read alike enough to group"]),
}
# Per chart in the open tab: drawn (an <svg> or <canvas>) and the text of its axis titles.
CHARTS = """panel => [...panel.querySelectorAll('[data-testid="stVegaLiteChart"]')].map(chart => ({
    drawn: !!chart.querySelector('svg, canvas'),
    width: chart.getBoundingClientRect().width,
    titles: [...chart.querySelectorAll('.role-axis-title text')].map(t => t.textContent),
}))"""


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("insights") / "demo.duckdb"
    with ik.open(db, user="tester") as kit:
        demo.load(kit.db, incidents=200, seed=11)
    return db


def _tab_shows(page, tab: str) -> list[dict]:
    """Wait until the open tab holds all of ``tab``'s sections and its charts are drawn; return the charts."""
    headings, _, last = TABS[tab]
    panel = page.get_by_role("tabpanel")
    for heading in headings:
        panel.get_by_role("heading", name=heading, exact=True).wait_for()
    page.wait_for_function("last => { const p = document.querySelector('[role=tabpanel]'); "
                           "return p && last.some(t => p.textContent.includes(t)); }", arg=last)
    harness.wait_idle(page, timeout=60_000)
    page.wait_for_function("() => { const p = document.querySelector('[role=tabpanel]'); if (!p) return false; "
                           "const charts = (" + CHARTS + ")(p); return charts.length > 0 && charts.every(c => c.drawn); }")
    assert page.get_by_role("tab", selected=True).inner_text() == tab
    return panel.evaluate(CHARTS)


def test_each_tab_draws_its_sections_and_charts_with_their_axis_titles(demo_db, subprocess_env, tmp_path):
    with harness.app_in_browser(demo_db, env=subprocess_env, log=tmp_path / "streamlit.log") as (url, browser):
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(60_000)
        harness.sign_in(page, url, "Ana Silva")
        harness.go(page, "Insights")
        for n, (tab, (_, axis_titles, _)) in enumerate(TABS.items()):
            if n:
                page.get_by_role("tab", name=tab, exact=True).click()
            charts = _tab_shows(page, tab)
            for other, (headings, _, _) in TABS.items():  # the other tabs' sections are not on the page
                if other != tab:
                    assert page.get_by_role("heading", name=headings[-1], exact=True).count() == 0, (tab, other)
            assert all(c["width"] > 300 and c["titles"] for c in charts), (tab, charts)
            shown = {title for c in charts for title in c["titles"]}
            assert set(axis_titles) <= shown, (tab, shown)
            assert page.url.endswith(f"/insights?tab={tab.lower()}")  # the address can be shared


def test_a_link_opens_its_tab_and_the_tab_comes_back_after_another_page(demo_db, subprocess_env, tmp_path):
    with harness.app_in_browser(demo_db, env=subprocess_env, log=tmp_path / "streamlit.log") as (url, browser):
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        page.set_default_timeout(60_000)
        harness.sign_in(page, url, "Ana Silva")
        page.goto(f"{url}/insights?tab=declaring")
        _tab_shows(page, "Declaring")

        with page.expect_download() as download:  # written on click, through the formula-safe writer
            page.get_by_role("tabpanel").get_by_role("button", name="Download the data (CSV)").first.click()
        assert download.value.suggested_filename == "declarations.csv"
        rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
        assert rows and {"month", "declarations"} <= set(rows[0])

        harness.go(page, "Incidents")
        harness.go(page, "Insights")
        _tab_shows(page, "Declaring")

        page.goto(f"{url}/insights?tab=no-such-tab")  # a bad link: the first tab, and no error
        _tab_shows(page, "Communication")
        assert page.get_by_test_id("stException").count() == 0
        assert page.url.endswith("/insights?tab=communication")


# Words a support lead should not meet outside "How this is worked out" (which stays closed).
METHOD = re.compile(r"p90|kaplan|bootstrap|symmetric|xmr|percentile|confidence interval|natural process|95 ?%", re.I)
SNAKE = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b")
BAD_PLURAL = re.compile(r"(?<![\d.,])\b1 (?!(?:is|was|has|this|its)\b)[a-z-]+s\b")
# What the open tab says, drawn or in a closed group, without icon ligatures (Material icons are spelled as
# words like "keyboard_arrow_right" in the DOM) and without "How this is worked out".
READ = """panel => {
  const walker = document.createTreeWalker(panel, NodeFilter.SHOW_TEXT);
  const parts = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || ['SCRIPT', 'STYLE'].includes(el.tagName)) continue;
    if (getComputedStyle(el).fontFamily.includes('Material')) continue;
    const details = el.closest('details');
    if (details && details.querySelector('summary').textContent.includes('How this is worked out')) continue;
    parts.push(node.textContent);
  }
  return parts.join(' ');
}"""
# Per chart: its axis labels and its legend labels as drawn (Vega ends a cut label with "…").
LABELS = """panel => [...panel.querySelectorAll('[data-testid="stVegaLiteChart"]')].map(chart => ({
    axis: [...chart.querySelectorAll('.role-axis-label text')].map(t => t.textContent),
    legend: [...chart.querySelectorAll('.role-legend-label text')].map(t => t.textContent),
}))"""


def test_each_tab_reads_in_plain_words_with_axis_values_and_uncut_legends(demo_db, subprocess_env, tmp_path):
    with harness.app_in_browser(demo_db, env=subprocess_env, log=tmp_path / "streamlit.log") as (url, browser):
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(60_000)
        harness.sign_in(page, url, "Ana Silva")
        harness.go(page, "Insights")
        for n, tab in enumerate(TABS):
            if n:
                page.get_by_role("tab", name=tab, exact=True).click()
            _tab_shows(page, tab)
            panel = page.get_by_role("tabpanel")
            worked_out = panel.get_by_text("How this is worked out", exact=True)
            assert worked_out.count() == 1, tab
            text = panel.evaluate(READ)
            assert "How this is worked out" not in text and "Kaplan" not in text, tab  # the walk skips it
            for pattern in (METHOD, SNAKE, BAD_PLURAL):
                assert not pattern.search(text), (tab, pattern.search(text).group(0))
            charts = panel.evaluate(LABELS)
            assert charts and all(c["axis"] for c in charts), (tab, charts)  # every chart shows axis values
            legends = [label for c in charts for label in c["legend"]]
            assert not [label for label in legends if label.endswith("…")], (tab, legends)
            if tab == "Reviews":  # the groups are closed: the tab no longer runs to ~10,000 px
                assert page.evaluate("document.querySelector('[role=tabpanel]').scrollHeight") < 6000
        worked_out.click()  # opened, the methods are there for whoever wants to check them
        panel.get_by_text("average linkage", exact=False).wait_for()
