"""Every page of the app, with demo data, passes axe-core (WCAG 2 A and AA) in a real browser.

axe-core's ``axe.min.js`` (the npm package pinned in tests/e2e/axe, installed by .ci/run) is injected into
each page once its run has finished: the sign-in page, every page in the navigation, an incident, a review
being written and each Insights tab. Light and dark colour schemes both.

Two rules are allowed, and only on Streamlit's own sidebar navigation: ``list`` and ``listitem``. Its page
links are ``<li>`` elements inside section ``<div>``\\s of one ``<ul>``, markup the framework draws and the app
cannot change (docs/accessibility.md). Anything else, anywhere, fails the test.
"""

from __future__ import annotations

import os
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

AXE = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
# Streamlit's sidebar navigation: <li> page links grouped in <div>s inside one <ul> (not ours to change).
FRAMEWORK_RULES = {"list", "listitem"}
FRAMEWORK_AREA = '[data-testid="stSidebarNav"]'
NAV_PAGES = ["Home", "Declare", "Incidents", "Incident", "Needs an update", "Status", "Subscriptions", "Reviews",
             "Follow-ups", "Insights", "Import", "Settings"]
# Each violation as "rule: where (what the check said)", leaving out only the framework's two rules on its
# own navigation; the same tags the status page's test uses.
RUN_AXE = """async ([allowed, area]) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}});
  const found = [];
  for (const v of result.violations) {
    for (const node of v.nodes) {
      const el = document.querySelector(node.target[0]);
      if (allowed.includes(v.id) && el && el.closest(area)) continue;
      const why = (node.any[0] || node.all[0] || node.none[0] || {}).message || v.help;
      found.push(`${v.id}: ${node.html.slice(0, 100)} (${why})`);
    }
  }
  return found;
}"""


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("a11y") / "demo.duckdb"
    with ik.open(db, user="tester") as kit:
        demo.load(kit.db, incidents=200, seed=11)
        # An ongoing incident too (the demo's are all over), so the update form and its timeline are checked.
        active = kit.declare("Checkout failing for card payments", declared_by="Ana Silva", severity="Major",
                             type="customer_support", lead="Ana Silva").reference
        kit.post_update(active, "We are rolling back this morning's deploy.", by="Ana Silva",
                        impact="Some customers cannot pay by card.", doing="Rolling back the deploy.")
        drafts = kit.incidents()
        writing = next(r for r in drafts["reference"] if (rev := kit.review(r)) is not None
                       and rev.status.value == "draft" and rev.depth.value != "none")
    return db, active, writing


def _violations(page, where: str) -> list[str]:
    harness.wait_idle(page, timeout=60_000)
    page.wait_for_timeout(500)  # let the last elements paint (charts, tables) before checking their colours
    harness.wait_idle(page, timeout=60_000)
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return [f"{where}: {v}" for v in page.evaluate(RUN_AXE, [sorted(FRAMEWORK_RULES), FRAMEWORK_AREA])]


def _open(page, url: str, name: str) -> None:
    """Go to ``url`` (a fresh session): the remembered name signs it in; else type it."""
    page.goto(url)
    page.wait_for_selector('[data-testid="stApp"]')
    harness.wait_idle(page, timeout=60_000)
    if page.get_by_label("Your name").count():
        page.get_by_label("Your name").fill(name)
        page.get_by_role("button", name="Continue").click()
    page.get_by_text(f"You are: {name}").wait_for()
    harness.wait_idle(page, timeout=60_000)


def _every_page(page, url: str, active: str, writing: str) -> list[str]:
    found: list[str] = []
    page.goto(url)
    page.get_by_label("Your name").wait_for()
    found += _violations(page, "Sign-in")
    harness.sign_in(page, url, "Ana Silva")
    for title in NAV_PAGES:
        harness.go(page, title)
        found += _violations(page, title)
        if title == "Insights":  # its tabs draw their sections only when opened
            tabs = page.get_by_role("tab")
            for i in range(tabs.count()):
                tab = tabs.nth(i)
                name = tab.inner_text()
                tab.click()
                page.wait_for_function("name => [...document.querySelectorAll('[role=tab]')].some("
                                       "t => t.getAttribute('aria-selected') === 'true' && t.innerText === name)",
                                       arg=name)
                found += _violations(page, f"Insights, {name}")
    _open(page, f"{url}/incident?ref={active}", "Ana Silva")
    page.get_by_role("heading", name="Timeline").wait_for()
    found += _violations(page, f"Incident {active}")
    _open(page, f"{url}/reviews?ref={writing}", "Ana Silva")
    page.get_by_text("From the record").first.wait_for()
    found += _violations(page, f"Review of {writing}")
    return found


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_has_no_accessibility_violation_but_the_frameworks_navigation(demo_db, scheme, subprocess_env,
                                                                                 tmp_path):
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{AXE} is missing: .ci/run installs it with npm ci --prefix tests/e2e/axe")
        pytest.skip("axe-core is not installed: run npm ci --prefix tests/e2e/axe")
    db, active, writing = demo_db
    with harness.app_in_browser(db, env=subprocess_env, log=tmp_path / "streamlit.log") as (url, browser):
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, color_scheme=scheme,
                                bypass_csp=True)  # a CSP would rightly block the injected script
        page.set_default_timeout(60_000)
        try:
            found = _every_page(page, url, active, writing)
        except Exception:
            page.screenshot(path=f"/tmp/a11y_failure_{scheme}.png", full_page=True)
            raise
    assert found == [], "\n".join(found)
