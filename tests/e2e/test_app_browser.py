"""The real app in a real browser: declare with only a title, post an update, resolve.

Starts ``streamlit run app.py`` on a free localhost port against a temporary
database, drives Debian's Chromium through Playwright, then stops Streamlit
(DuckDB allows one process per file) and checks what was stored.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import incident_kit as ik

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]

harness.require_chromium()
pytest.importorskip("playwright.sync_api")


def test_declare_update_and_resolve_in_a_real_browser(tmp_path, subprocess_env):
    db = tmp_path / "e2e.duckdb"
    with harness.app_in_browser(db, env=subprocess_env, log=tmp_path / "streamlit.log") as (url, browser):
        page = browser.new_page(viewport={"width": 1400, "height": 1200})
        page.set_default_timeout(30_000)
        harness.sign_in(page, url, "Ana Silva")
        page.get_by_text("No incidents yet").wait_for()

        harness.go(page, "Declare")
        page.get_by_label("What's happening?").fill("Checkout is failing")
        page.get_by_role("button", name="Declare incident").click()
        page.wait_for_url("**/incident?ref=INC-1")
        page.get_by_role("heading", name="INC-1 · Checkout is failing").wait_for()
        page.get_by_text("INC-1 declared as Minor").wait_for()

        page.get_by_label("Impact", exact=True).fill("Some customers cannot pay.")
        page.get_by_label("What changed", exact=True).fill("We rolled back the deploy.")

        # Meanwhile a colleague raises the severity from their own browser session...
        other = browser.new_page(viewport={"width": 1400, "height": 1200})
        other.set_default_timeout(30_000)
        harness.sign_in(other, f"{url}/incident?ref=INC-1", "Bao")
        other.get_by_role("tab", name="Status & severity").click()
        other.get_by_text("Major", exact=True).click()
        other.get_by_role("button", name="Change severity").click()
        other.get_by_text("INC-1 is now Major.").wait_for()
        other.close()
        # ...and Ana's page shows it by itself, without losing what she is typing.
        page.get_by_text("Severity Minor → Major").wait_for()
        assert page.get_by_label("What changed", exact=True).input_value() == "We rolled back the deploy."
        assert page.get_by_label("Impact", exact=True).input_value() == "Some customers cannot pay."
        page.get_by_role("button", name="Preview update").click()
        page.get_by_text("Current status: Investigating").wait_for()
        assert "INC-1 · Checkout is failing (Major)" in page.locator(".st-key-update_preview_INC-1").inner_text()
        page.get_by_role("button", name="Post update").click()
        page.get_by_text("Update posted (internal).").wait_for()

        page.get_by_role("tab", name="Status & severity").click()
        page.get_by_role("textbox", name="Final update for colleagues").fill("Resolved: error rate back to normal.")
        page.get_by_role("button", name="Resolve incident").click()
        page.get_by_text("INC-1 resolved; the final update was posted.").wait_for()
        harness.wait_idle(page)
        assert "Traceback" not in page.content()

        # The list shows it; clicking its row opens it again.
        harness.go(page, "Incidents")
        page.get_by_text("Recent").wait_for()
        page.wait_for_timeout(1500)  # the grid paints on a canvas after the run
        grid = page.get_by_test_id("stDataFrame").first.bounding_box()
        page.mouse.click(grid["x"] + 200, grid["y"] + 50)  # a cell in the first row
        page.wait_for_url("**/incident?ref=INC-1")
        page.get_by_role("heading", name="INC-1 · Checkout is failing").wait_for()

    # Streamlit has stopped: the database file is ours to read.
    with ik.open(db, user="tester") as kit:
        incident = kit.get("INC-1")
        assert (incident.title, incident.severity, incident.status.value, incident.declared_by) == (
            "Checkout is failing", "Major", "resolved", "Ana Silva")
        update, final = kit.updates("INC-1")
        assert (update.message, update.impact, update.author) == (
            "We rolled back the deploy.", "Some customers cannot pay.", "Ana Silva")
        assert (final.message, final.next_update_at) == ("Resolved: error rate back to normal.", None)
        kinds = kit.timeline("INC-1")["kind"].tolist()
        assert kinds[0] == "declared" and kinds[-2:] == ["status_changed", "update_posted"]
        assert "severity_changed" in kinds
        assert kit.events("INC-1")[-1].actor == "Ana Silva"
