"""Resolving with written final words in a real browser, then reading what everyone is shown.

Customers were told about the incident, so resolving asks for a final update for colleagues and one
for customers. Afterwards the app's Status page and the static public status page (built by the CLI,
opened in the same Chromium) say what was written and that no further update follows, and nothing
else: no "Being assessed." or "Investigating." left over from the live update format.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import incident_kit as ik

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]

harness.require_chromium()
sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright

LEFTOVERS = ("Being assessed", "Investigating")
FINAL_COLLEAGUES = "Rolled back the 14:00 deploy; payment error rates are back to normal."
FINAL_CUSTOMERS = "Card payments work again. Thank you for your patience."
NO_MORE = "There will be no further updates."


def _leftovers(text: str) -> list[str]:
    return [word for word in LEFTOVERS if word in text]


def test_final_words_reach_the_status_pages_without_template_leftovers(tmp_path, subprocess_env):
    db = tmp_path / "final.duckdb"
    with ik.open(db, user="ana") as kit:  # customers were told, with every part of the update filled in
        ref = kit.declare("Checkout is failing", severity="Major", declared_by="Ana Silva").reference
        kit.post_update(ref, "Some card payments fail; we found the cause.", by="Ana Silva", audience="external",
                        status="fixing", impact="Some customers cannot pay by card.",
                        doing="Rolling back the 14:00 deploy.")

    with harness.app_in_browser(db, env=subprocess_env, log=tmp_path / "streamlit.log") as (url, browser):
        page = browser.new_page(viewport={"width": 1400, "height": 1400})
        page.set_default_timeout(30_000)
        try:
            harness.sign_in(page, f"{url}/incident?ref={ref}", "Ana Silva")
            page.get_by_role("heading", name=f"{ref} · Checkout is failing").wait_for()
            page.get_by_role("tab", name="Status & severity").click()
            page.get_by_role("textbox", name="Final update for colleagues").fill(FINAL_COLLEAGUES)
            page.get_by_role("textbox", name="Final update for customers (status page)").fill(FINAL_CUSTOMERS)
            page.get_by_role("button", name="Resolve incident").click()
            page.get_by_text(f"{ref} resolved; the final update was posted.").wait_for()
            harness.wait_idle(page)

            # The update form is a closing note now, not a live update promising the next one.
            page.get_by_role("tab", name="Post an update").click()
            page.get_by_role("textbox", name="Closing note").wait_for()
            assert page.get_by_label("Next update by").count() == 0
            assert page.get_by_role("textbox", name="What we're doing").count() == 0

            harness.go(page, "Status")
            page.get_by_text("Resolved in the last 7 days").wait_for()
            page.get_by_text(FINAL_CUSTOMERS).first.wait_for()
            page.get_by_text("Show the whole update").first.click()  # the card shows its first lines
            page.get_by_text(NO_MORE).first.wait_for()
            shown = page.get_by_test_id("stMain").inner_text()
            assert "Current status: Resolved" in shown and NO_MORE in shown, shown
            assert _leftovers(shown) == [], shown
            assert "Traceback" not in shown
        except Exception:
            page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)
            print("screenshot of the failure:", tmp_path / "failure.png", "at", page.url)
            raise

    # The app has stopped (DuckDB: one process per file): publish the static page as an operator would.
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "incident_kit", "--db", str(db), "status-page", "build", "--out",
                    str(site)], check=True, env=subprocess_env, capture_output=True, timeout=120)
    with sync_playwright() as pw:
        browser = harness.launch(pw)
        try:
            public = browser.new_page()
            public.goto((site / "index.html").as_uri())
            resolved = public.locator("article", has_text="Checkout is failing")
            newest = resolved.locator("section").first.inner_text()  # the newest update comes first
            assert FINAL_CUSTOMERS in newest and NO_MORE in newest, newest
            assert "Resolved" in newest and _leftovers(newest) == [], newest
            everything = public.locator("body").inner_text()
            assert _leftovers(everything) == [], everything  # the earlier update keeps what it said, too
            assert "Some customers cannot pay by card." in everything
            assert FINAL_COLLEAGUES not in everything  # the colleagues' version is not for customers
        finally:
            browser.close()
    feed = (site / "feed.xml").read_text()
    assert FINAL_CUSTOMERS in feed and NO_MORE in feed and _leftovers(feed) == []
