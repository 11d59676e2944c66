"""Take the README's screenshots: the real app, with the demo organisation, in Debian's Chromium.

    python docs/screenshots.py              # every picture
    python docs/screenshots.py insights     # only some: any of the names in SHOTS

Loads the demo organisation (400 incidents) and a few hand-made incidents into a temporary database,
runs the app as people start it (``streamlit run app.py``), and photographs each page with the system
Chromium (``/usr/bin/chromium``, launched ``--headless --no-sandbox --disable-gpu``; never downloaded,
no ``playwright install``). The pictures go to ``docs/images/NAME.png``, where the README shows them.
Re-run it after changing a page's look; each step waits for the page's parts, not for its wording, so a
reworded page needs no change here.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "e2e"))
sys.path.insert(0, str(REPO))

import harness  # noqa: E402

import incident_kit as ik  # noqa: E402
from incident_kit import demo  # noqa: E402
from incident_kit.incident import service  # noqa: E402

OUT = REPO / "docs" / "images"
VIEWPORT = {"width": 1400, "height": 1000}
USER = "maya"  # a person in the demo organisation, so "Mine" and roles mean something
SHOTS = ("home", "declare", "incidents", "incident", "status-page", "review", "insights")
PAINT_MS = 2500  # tables and charts paint on a canvas after Streamlit's run ends


def _prepare(db: Path) -> str:
    """Demo data plus one busy incident; returns the reference to photograph."""
    with ik.open(db, user="tester") as kit:
        demo.load(kit.db, incidents=400)
        for name, group in (("Checkout", "Shop"), ("Search", "Shop"), ("Login", "Accounts"), ("Public API", "Platform")):
            kit.add_component(name, group=group)  # so the status page shows each part's state
        kit.set_setting("public_url", "https://status.example.com")  # so the status page offers email updates
        inc = kit.declare("Checkout returning 500s for some card payments", declared_by="maya", severity="Major",
                          type="engineering", lead="maya", tags=["customer-facing", "deploy"],
                          summary="Card payments fail for roughly 1 in 5 checkouts since the 14:00 deploy.",
                          components={"Checkout": "partial_outage"})
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


def _settle(page, timeout: float = 30_000) -> None:
    harness.wait_idle(page, timeout=timeout)
    page.wait_for_timeout(PAINT_MS)


def _photograph(page, url: str, name: str, ref: str, review_ref: str) -> None:
    """Open one page, bring it to the state the README describes, and save ``docs/images/NAME.png``."""
    height = {"incident": 2000, "review": 1500, "insights": 1400, "status-page": 1300}.get(name, VIEWPORT["height"])
    page.set_viewport_size({"width": VIEWPORT["width"], "height": height})
    if name == "home":
        harness.go(page, "Home")
        _settle(page)
    elif name == "declare":
        harness.go(page, "Declare")
        page.get_by_label("What's happening?").fill("Customers can't log in with Google")
        page.get_by_text("More details (optional)").click()
        _settle(page)
    elif name == "incidents":
        harness.go(page, "Incidents")
        page.get_by_test_id("stDataFrame").first.wait_for()
        _settle(page)
    elif name == "incident":
        page.goto(f"{url}/incident?ref={ref}")  # a shared link: this browser remembers the name
        page.get_by_text("Checkout returning 500s").first.wait_for()
        harness.wait_idle(page)
        page.get_by_label("What changed", exact=True).fill("Error rates are back to normal; we are watching.")
        page.get_by_role("button", name="Preview update").click()
        page.get_by_text("Current status:").first.wait_for()
        _settle(page)
        page.get_by_test_id("stMain").evaluate("main => main.scrollTo(0, 0)")
        page.wait_for_timeout(800)
    elif name == "status-page":
        page.goto(f"{url}/status-page/")  # the public page customers see, served by the app
        page.wait_for_load_state("networkidle")
    elif name == "review":
        page.goto(f"{url}/reviews?ref={review_ref}")
        page.get_by_text("Search results stale for EU customers").first.wait_for()
        _settle(page)
    elif name == "insights":
        harness.go(page, "Insights")
        page.get_by_role("tab").first.wait_for(timeout=120_000)
        _settle(page, timeout=120_000)
    page.screenshot(path=OUT / f"{name}.png")
    print(OUT / f"{name}.png")


def main(names: list[str]) -> None:
    unknown = sorted(set(names) - set(SHOTS))
    if unknown:
        sys.exit(f"No screenshot called {', '.join(unknown)}; choose from {', '.join(SHOTS)}.")
    if not harness.CHROMIUM.exists():
        sys.exit(f"Chromium is not installed at {harness.CHROMIUM}; apt-get install chromium.")
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "screenshots.duckdb"
        ref = _prepare(db)
        review_ref = _prepare_review(db)
        with harness.app_in_browser(db, log=Path(tmp) / "streamlit.log") as (url, browser):
            page = browser.new_page(viewport=VIEWPORT, device_scale_factor=1)
            page.set_default_timeout(60_000)
            harness.sign_in(page, url, USER)
            for name in names or SHOTS:
                _photograph(page, url, name, ref, review_ref)


if __name__ == "__main__":
    main(sys.argv[1:])
