"""The app makes no request off the machine: an offline install works, and nobody learns who opens it.

A ``:material/...:`` page icon made the browser fetch the favicon from fonts.gstatic.com on every
page. The real app runs on a demo organisation; a real Chromium opens every page in the navigation
(and an incident, a review and each Insights tab) and records every request the pages make; each must
go to the app's own address. Streamlit's usage statistics stay off in ``.streamlit/config.toml``
(the browser harness also switches them off, so the file itself is checked).
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import incident_kit as ik
from incident_kit import demo

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
import harness  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
LOCAL_SCHEMES = {"data", "blob", "about"}  # drawn in the page, never fetched
PAGES = ["Home", "Declare", "Incidents", "Needs an update", "Status", "Subscriptions", "Reviews",
         "Follow-ups", "Insights", "Import", "Settings"]
INSIGHTS_TABS = ["Follow-ups", "Declaring", "Reviews"]  # the first tab opens with the page


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in LOCAL_SCHEMES or parts.hostname in LOCAL_HOSTS


def test_streamlit_usage_statistics_are_off_in_the_apps_config():
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["browser"]["gatherUsageStats"] is False


@pytest.mark.browser
@pytest.mark.slow
def test_every_page_loads_only_from_the_app_itself(tmp_path, subprocess_env):
    harness.require_chromium()
    pytest.importorskip("playwright.sync_api")
    db = tmp_path / "offline.duckdb"
    with ik.open(db, user="tester") as kit:
        demo.load(kit.db, incidents=60, seed=7)
        reviewed = kit.reviews()["incident"].iloc[0]
    requests: list[str] = []
    with harness.app_in_browser(db, env=subprocess_env, log=tmp_path / "streamlit.log") as (url, browser):
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        context.on("request", lambda request: requests.append(request.url))
        page = context.new_page()
        page.set_default_timeout(60_000)
        harness.sign_in(page, url, "Ana Silva")
        for title in PAGES:
            harness.go(page, title)
            for tab in INSIGHTS_TABS if title == "Insights" else ():
                page.get_by_role("tab", name=tab, exact=True).click()
                harness.wait_idle(page, timeout=60_000)
        page.goto(f"{url}/incident?ref=INC-1")
        harness.wait_idle(page, timeout=60_000)
        page.goto(f"{url}/reviews?ref={reviewed}")
        harness.wait_idle(page, timeout=60_000)
        page.wait_for_timeout(1500)  # late fetches (fonts, the favicon) after the last run
        icons = page.eval_on_selector_all("link[rel~='icon']", "links => links.map(l => l.href)")
        assert page.get_by_test_id("stException").count() == 0
        context.close()
    assert any(urlsplit(u).hostname in LOCAL_HOSTS for u in requests)  # the recording worked
    assert [u for u in requests if not is_local(u)] == []
    assert icons and all(is_local(href) for href in icons), icons  # the favicon is the app's own file
