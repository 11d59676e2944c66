"""A support lead's day in a real browser: declare, two updates, resolve with the final update,
a short-note review, a follow-up, close. No page may speak CLI or show a raw field name.

Runs ``streamlit run app.py`` against a temporary database and drives Debian's
Chromium through Playwright (see ``harness.py``), then reads the database.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

import incident_kit as ik
from incident_kit import demo

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]

harness.require_chromium()
sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright

CLI = re.compile(r"incident-kit\s+[a-z]|(?<![\w-])--[a-z][\w-]*")
SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
# A statistician's words belong in "How this is worked out" expanders (closed, so not read here), never in
# a heading, label, legend or sentence a support lead reads.
METHOD_WORDS = re.compile(r"\bp\d\d\b|Kaplan|bootstrap|symmetric|\bXmR\b", re.I)
# An empty value shown as a word; "nan" and "NaT" are pandas' spellings of the same.
EMPTY_WORDS = re.compile(r"\b(?:None|nan|NaN|NaT)\b")
# One of a thing counted as many ("1 incidents"), or a plural left to the reader ("incident(s)").
BAD_PLURAL = re.compile(r"(?<![\d.,])1 (?:[a-z-]+ )?(?:incidents|updates|follow-ups|reviews|files|records|"
                        r"problems|people|members|days|hours|minutes|groups|answers|subscriptions)\b|\w\(s\)")
# What a person reads: the page's text without icon ligatures (Material icons are spelled as
# words like "arrow_back" inside the DOM), without scripts or styles, and without the inside of closed
# expanders (such as "How this is worked out", where method names belong).
VISIBLE_TEXT = """() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const parts = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || ['SCRIPT', 'STYLE', 'NOSCRIPT'].includes(el.tagName)) continue;
    if (getComputedStyle(el).fontFamily.includes('Material')) continue;  // an icon, spelled as a word
    const closed = el.closest('details:not([open])');  // a closed expander: only its title is read
    if (closed && !el.closest('summary')) continue;
    parts.push(node.textContent);
  }
  return parts.join(' ');
}"""

def _speaks_human(page, where: str) -> str:
    harness.wait_idle(page)
    text = page.evaluate(VISIBLE_TEXT)
    assert not CLI.findall(text), f"{where}: CLI text {CLI.findall(text)}"
    assert not SNAKE.findall(text), f"{where}: field names {SNAKE.findall(text)}"
    assert not EMPTY_WORDS.findall(text), f"{where}: an empty value shown as {EMPTY_WORDS.findall(text)}"
    assert not BAD_PLURAL.findall(text), f"{where}: plural {BAD_PLURAL.findall(text)}"
    assert not METHOD_WORDS.findall(text), f"{where}: method names {METHOD_WORDS.findall(text)}"
    assert "Traceback" not in text, where
    return text


def _insights_tabs(page) -> list[tuple[str, str]]:
    """Open each Insights tab in turn (its sections run only when opened); (tab, its text) for each."""
    harness.go(page, "Insights")
    tabs = page.get_by_role("tab")
    tabs.first.wait_for()
    shown = []
    for i in range(tabs.count()):
        name = tabs.nth(i).inner_text()
        tabs.nth(i).click()
        page.wait_for_function("name => [...document.querySelectorAll('[role=tab]')].some("
                               "t => t.getAttribute('aria-selected') === 'true' && t.innerText === name)", arg=name)
        harness.wait_idle(page, timeout=60_000)
        page.wait_for_timeout(500)
        harness.wait_idle(page, timeout=60_000)
        shown.append((name, page.evaluate(VISIBLE_TEXT)))
    return shown


def _click_until(page, target, shown, attempts: int = 3) -> None:
    """Click ``target`` until ``shown`` appears. On a busy machine a click that lands while Streamlit
    is still finishing a run can be dropped (a person would simply click again)."""
    for attempt in range(attempts):
        if attempt:
            if shown.is_visible():
                return
            if not target.is_visible():  # the click was taken; its result is still on its way
                shown.wait_for(timeout=30_000)
                return
        target.click()
        try:
            shown.wait_for(timeout=10_000)
            return
        except Exception:
            if attempt == attempts - 1:
                raise
            harness.wait_idle(page)


def _post_update(page, what: str) -> None:
    page.get_by_label("What changed", exact=True).fill(what)
    page.get_by_role("button", name="Preview update").click()
    page.get_by_role("button", name="Post update").click()
    page.get_by_text("Update posted (internal).").wait_for()
    harness.wait_idle(page)


def test_a_support_lead_runs_an_incident_from_declaration_to_close(tmp_path, subprocess_env):
    db = tmp_path / "day.duckdb"
    with harness.streamlit_app(db, env=subprocess_env, log=tmp_path / "streamlit.log") as url, \
            sync_playwright() as pw:
        browser = harness.launch(pw)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1400})
            page.set_default_timeout(30_000)
            harness.sign_in(page, url, "Sam Rivera")
            _speaks_human(page, "Home")

            harness.go(page, "Declare")
            page.get_by_label("What's happening?").fill("Customers charged twice for one order")
            _speaks_human(page, "Declare")
            page.get_by_role("button", name="Declare incident").click()
            page.wait_for_url("**/incident?ref=INC-1")
            page.get_by_role("heading", name="INC-1 · Customers charged twice for one order").wait_for()
            _speaks_human(page, "Incident (declared)")

            page.get_by_label("Impact", exact=True).fill("Some customers see two charges for one order.")
            _post_update(page, "We are checking the payment provider's logs.")
            _post_update(page, "Refunds for the duplicate charges are going out.")

            page.get_by_role("tab", name="Status & severity").click()
            final = page.get_by_role("textbox", name="Final update for colleagues")
            assert final.input_value().startswith("Resolved: Customers charged twice")
            final.fill("Resolved: the duplicate charges are refunded and payments are normal.")
            _speaks_human(page, "Incident (resolving)")
            page.get_by_role("button", name="Resolve incident").click()
            page.get_by_text("INC-1 resolved; the final update was posted.").wait_for()
            _speaks_human(page, "Incident (resolved)")

            page.get_by_role("button", name="Start a short note").click()
            page.wait_for_url("**/reviews?ref=INC-1")
            page.get_by_text("1. What happened, and why?").wait_for()
            _speaks_human(page, "Review form")
            answer = page.get_by_role("textbox", name="What happened, and why?")
            answer.fill("A retry in the checkout sent the payment twice when the provider was slow.")
            page.get_by_text("1. What happened, and why?").click()  # leave the box: it saves by itself
            page.get_by_text("All answers saved at").wait_for()
            # Go elsewhere and come back through the list of reviews: the answer is there.
            nav = page.get_by_test_id("stSidebarNav")
            _click_until(page, nav.get_by_role("link", name="Follow-ups", exact=True),
                         page.get_by_role("tab", name="My follow-ups"))
            _click_until(page, nav.get_by_role("link", name="Reviews", exact=True),
                         page.get_by_text("To do: 1 · "))
            _speaks_human(page, "Reviews home")
            page.get_by_role("button", name="Open").first.click()
            page.get_by_text("1. What happened, and why?").wait_for()
            harness.wait_idle(page)
            answer = page.get_by_role("textbox", name="What happened, and why?")
            assert answer.input_value().startswith("A retry in the checkout")
            answer.fill("A retry in the checkout sent the payment twice when the provider was slow. "
                        "Retries now reuse the first payment's key.")
            page.get_by_text("1. What happened, and why?").click()  # leave the box: it saves by itself
            page.get_by_text("All answers saved at").wait_for()

            page.get_by_text("Add a follow-up").click()
            page.get_by_label("Follow-up", exact=True).fill("Make checkout retries idempotent")
            _click_until(page, page.get_by_role("button", name="Add follow-up"), page.get_by_text("Added FU-1"))
            harness.wait_idle(page)
            assert page.get_by_role("textbox", name="What happened, and why?").input_value().startswith("A retry in the checkout")
            _click_until(page, page.get_by_role("button", name="Ready for review"),
                         page.get_by_role("button", name="Publish"))
            _click_until(page, page.get_by_role("button", name="Publish"),
                         page.get_by_role("button", name="Reopen for edits"))
            page.get_by_text("A retry in the checkout sent the payment twice").wait_for()
            _speaks_human(page, "Review (published)")

            _click_until(page, page.get_by_role("link", name="Open INC-1 on the Incident page"),
                         page.get_by_role("button", name="Close the incident"))
            _click_until(page, page.get_by_role("button", name="Close the incident"),
                         page.get_by_text("INC-1 is closed; 1 follow-up still open."))
            _speaks_human(page, "Incident (closed)")
            for title in ("Reviews", "Follow-ups", "Status", "Needs an update", "Subscriptions", "Incidents"):
                harness.go(page, title)
                page.wait_for_timeout(500)
                _speaks_human(page, title)
        except Exception:
            page.screenshot(path="/tmp/ui_e2e_failure.png", full_page=True)
            print("screenshot of the failure: /tmp/ui_e2e_failure.png at", page.url)
            raise
        finally:
            browser.close()

    with ik.open(db, user="tester") as kit:
        incident = kit.get("INC-1")
        assert (incident.status.value, incident.declared_by) == ("closed", "Sam Rivera")
        updates = kit.updates("INC-1")
        assert len(updates) == 3 and updates[-1].status.value == "resolved" and updates[-1].next_update_at is None
        review = kit.review("INC-1")
        assert (review.depth.value, review.status.value) == ("note", "published")
        assert review.sections["what_happened"].endswith("Retries now reuse the first payment's key.")
        assert kit.follow_ups(incident="INC-1")["title"].tolist() == ["Make checkout retries idempotent"]


def test_no_page_of_a_busy_year_speaks_engineer_or_statistician(tmp_path, subprocess_env):
    """A year of demo incidents on every page (tables, captions and lists full): no field name, no CLI,
    no "None", no "1 incidents". The Insights tabs are the next test's."""
    db = tmp_path / "year.duckdb"
    with ik.open(db, user="tester") as kit:
        demo.load(kit.db, incidents=200, seed=11)
        done = kit.incidents()["reference"].iloc[0]  # every demo incident is over: declared, updated, reviewed
    with harness.app_in_browser(db, env=subprocess_env, log=tmp_path / "streamlit.log") as (url, browser):
        page = browser.new_page(viewport={"width": 1400, "height": 1400})
        page.set_default_timeout(60_000)
        try:
            harness.sign_in(page, url, "Sam Rivera")
            for title in ("Home", "Declare", "Incidents", "Needs an update", "Status", "Subscriptions", "Reviews",
                          "Follow-ups", "Import", "Settings"):
                harness.go(page, title)
                page.wait_for_timeout(500)
                _speaks_human(page, title)
            page.goto(f"{url}/incident?ref={done}")
            page.get_by_role("heading", name="Timeline").wait_for()
            _speaks_human(page, f"Incident {done}")
        except Exception:
            page.screenshot(path="/tmp/ui_e2e_year_failure.png", full_page=True)
            raise


def test_every_insights_tab_speaks_plain_words(tmp_path, subprocess_env):
    """Each tab opened in turn: method names only inside the closed "How this is worked out" expanders."""
    db = tmp_path / "year.duckdb"
    with ik.open(db, user="tester") as kit:
        demo.load(kit.db, incidents=200, seed=11)
    with harness.app_in_browser(db, env=subprocess_env, log=tmp_path / "streamlit.log") as (url, browser):
        page = browser.new_page(viewport={"width": 1400, "height": 1400})
        page.set_default_timeout(60_000)
        harness.sign_in(page, url, "Sam Rivera")
        tabs = _insights_tabs(page)
        assert len(tabs) >= 4, [name for name, _ in tabs]
        problems = [(name, sorted(set(pattern.findall(text))))
                    for name, text in tabs for pattern in (METHOD_WORDS, SNAKE, EMPTY_WORDS, BAD_PLURAL, CLI)
                    if pattern.findall(text)]
        assert problems == []
