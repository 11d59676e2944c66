"""Regenerate the README screenshots of the Declare, Incidents, Incident, Review and Insights pages.

    python tests/e2e/make_screenshots.py

Loads the demo organisation into a temporary database, runs the real app
with ``streamlit run`` and photographs it with Debian's Chromium.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import harness  # noqa: E402

import incident_kit as ik  # noqa: E402
from incident_kit import demo  # noqa: E402
from incident_kit.incident import service  # noqa: E402

OUT = Path(__file__).resolve().parent / "screenshots"
VIEWPORT = {"width": 1400, "height": 1000}
USER = "maya"  # a person in the demo organisation, so "Mine" and roles mean something


def _prepare(db: Path) -> str:
    """Demo data plus one busy incident; returns the reference to photograph."""
    with ik.open(db, user="tester") as kit:
        demo.load(kit.db, incidents=400)
        inc = kit.declare("Checkout returning 500s for some card payments", declared_by="maya", severity="Major",
                          type="engineering", lead="maya", tags=["customer-facing", "deploy"],
                          summary="Card payments fail for roughly 1 in 5 checkouts since the 14:00 deploy.")
        kit.assign_role(inc.reference, "comms", "bao", by="maya")
        soon = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=25)
        kit.post_update(inc.reference, "We can reproduce the failures and suspect the 14:00 deploy.", by="bao",
                        next_update_at=soon,
                        impact="About 20% of card payments fail; other payment methods work.",
                        doing="Rolling back the 14:00 deploy of the payments service.")
        kit.change_status(inc.reference, "fixing", by="maya")
        kit.change_severity(inc.reference, "Critical", by="maya", reason="Errors spread to all regions")
        kit.post_update(inc.reference, "The rollback is under way; error rates are falling.", by="bao",
                        audience="external", impact="Some customers cannot pay by card.", next_update_at=soon,
                        doing="Rolling back a recent change.")
        # One incident whose promised update is late, so the list shows the overdue highlight.
        past = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=2)
        late = kit.declare("Suspicious logins on admin accounts", declared_by="maya", severity="Moderate",
                           type="security", lead="priya", started_at=past)
        service.post_update(kit.db, late.reference, "Resetting sessions for affected admins.", by="priya",
                            posted_at=past + dt.timedelta(minutes=5), next_update_at=past + dt.timedelta(minutes=65))
        return inc.reference


def _prepare_review(db: Path) -> str:
    """A resolved incident with a standard review half written; returns its reference."""
    now = dt.datetime.now(dt.timezone.utc)
    with ik.open(db, user="tester") as kit:
        inc = kit.declare("Search results stale for EU customers", declared_by="maya", severity="Moderate",
                          type="engineering", lead="maya", started_at=now - dt.timedelta(hours=3, minutes=10))
        kit.assign_role(inc.reference, "comms", "bao", by="maya")
        kit.post_update(inc.reference, "Search shows results from yesterday for EU customers.", by="bao",
                        impact="EU customers see outdated search results; orders work.",
                        doing="Checking the search indexer.")
        kit.change_severity(inc.reference, "Major", by="maya", reason="Sales teams report lost orders")
        kit.post_update(inc.reference, "The indexer stalled on a full disk; we freed space and it is catching up.",
                        by="bao", status="monitoring", impact="EU customers see results up to 2 h old.",
                        doing="Watching the index catch up.")
        kit.resolve(inc.reference, by="maya", final_update="Resolved: search results are current again.",
                    external_update="Resolved: search works normally again.")
        kit.start_review(inc.reference, depth="standard", by="maya")
        kit.edit_review_section(inc.reference, "summary", "The EU search indexer stopped when its disk filled up, "
                                "so for about three hours EU customers saw yesterday's results.", by="maya")
        kit.edit_review_section(inc.reference, "went_well", "Sales told us within minutes; the rollback plan "
                                "was not needed because the fix was quick.", by="maya")
        return inc.reference


def main() -> None:
    if not harness.CHROMIUM.exists():
        sys.exit(f"Chromium is not installed at {harness.CHROMIUM}; apt-get install chromium.")

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "screenshots.duckdb"
        ref = _prepare(db)
        review_ref = _prepare_review(db)
        with harness.app_in_browser(db, log=Path(tmp) / "streamlit.log") as (url, browser):
            page = browser.new_page(viewport=VIEWPORT, device_scale_factor=1)
            page.set_default_timeout(30_000)
            harness.sign_in(page, url, USER)

            harness.go(page, "Declare")
            page.get_by_label("What's happening?").fill("Customers can't log in with Google")
            page.get_by_text("More details (optional)").click()
            page.wait_for_timeout(800)
            page.screenshot(path=OUT / "declare.png")

            harness.go(page, "Incidents")
            page.get_by_text("Active (").wait_for()
            page.wait_for_timeout(2500)  # the grid paints on a canvas after the run ends
            page.screenshot(path=OUT / "incidents.png")

            page.goto(f"{url}/incident?ref={ref}")  # a shared link: this browser remembers the name
            page.get_by_text(f"You are: {USER}").wait_for()
            harness.wait_idle(page)
            page.get_by_label("What changed", exact=True).fill("Error rates are back to normal; we are watching.")
            page.get_by_role("button", name="Preview update").click()
            page.get_by_text("Current status:").first.wait_for()
            harness.wait_idle(page)
            page.set_viewport_size({"width": VIEWPORT["width"], "height": 2000})
            page.get_by_test_id("stMain").evaluate("main => main.scrollTo(0, 0)")
            page.wait_for_timeout(800)
            page.screenshot(path=OUT / "incident.png")

            page.set_viewport_size({"width": VIEWPORT["width"], "height": 1500})
            page.goto(f"{url}/reviews?ref={review_ref}")  # the browser remembers who you are
            page.get_by_text("1. How would you sum it up").wait_for()
            harness.wait_idle(page)
            page.wait_for_timeout(2500)  # the record's tables paint on a canvas after the run ends
            page.screenshot(path=OUT / "review.png")

            page.set_viewport_size({"width": VIEWPORT["width"], "height": 1400})
            harness.go(page, "Insights")
            page.get_by_text("Response times").first.wait_for(timeout=120_000)
            harness.wait_idle(page, timeout=120_000)
            page.wait_for_timeout(2500)  # charts and tables paint after the run ends
            page.screenshot(path=OUT / "insights.png")
    for name in ("declare", "incidents", "incident", "review", "insights"):
        print(OUT / f"{name}.png")


if __name__ == "__main__":
    main()
