"""The live public status page served by the running app (``/status-page/``): no sign-in even with OIDC set
up, the same HTML as the static build, per-component feeds, nothing private, and 0 axe-core violations."""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pytest

import incident_kit as ik
from incident_kit.clock import utcnow

sys.path.insert(0, str(Path(__file__).resolve().parent / "e2e"))
import harness  # noqa: E402  (tests/e2e/harness.py: starts the real app)

pytestmark = pytest.mark.slow

ATOM = "{http://www.w3.org/2005/Atom}"
AXE = Path(__file__).resolve().parent / "e2e" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
HOSTILE = "<script>alert('x')</script>\"'&"
# Planted where the public must never look: each must appear nowhere in the page or the feeds.
SECRETS = ["PRIVATE-TITLE", "PRIVATE-UPDATE", "INTERNAL-UPDATE", "INTERNAL-COMPONENT", "TEST-TITLE",
           "Zelda Quartermain", "Yusuf Declarer"]


def seed(db: Path) -> None:
    with ik.open(db, user="admin") as kit:
        kit.set_setting("public_name", f"Acme {HOSTILE}")
        kit.add_component(f"Checkout {HOSTILE}", group=f"Shop {HOSTILE}", description=f"Pay {HOSTILE}")
        kit.add_component("Search")
        kit.add_component("INTERNAL-COMPONENT", internal=True)
        ongoing = kit.declare(f"Slow pages {HOSTILE}", declared_by="Yusuf Declarer", lead="Zelda Quartermain")
        kit.post_update(ongoing.reference, f"We are looking {HOSTILE}", by="Zelda Quartermain", audience="external")
        kit.post_update(ongoing.reference, "INTERNAL-UPDATE by Zelda Quartermain", by="Zelda Quartermain")
        past = kit.declare("Checkout down", declared_by="Yusuf Declarer", started_at=utcnow() - dt.timedelta(days=3),
                           components={f"Checkout {HOSTILE}": "major_outage"})
        kit.post_update(past.reference, "Payments fail", by="Yusuf Declarer", audience="external")
        kit.resolve(past.reference, by="Yusuf Declarer")
        secret = kit.declare("PRIVATE-TITLE", private=True, declared_by="Yusuf Declarer",
                             components={"Search": "major_outage", "INTERNAL-COMPONENT": "major_outage"})
        kit.post_update(secret.reference, "PRIVATE-UPDATE", by="Yusuf Declarer", audience="external")
        drill = kit.declare("TEST-TITLE", mode="test", declared_by="Yusuf Declarer",
                            components={"Search": "partial_outage"})
        kit.post_update(drill.reference, "TEST-TITLE update", by="Yusuf Declarer", audience="external")


def auth_secrets(path: Path) -> Path:
    """An ``[auth]`` section as for OIDC sign-in: the app's pages ask for it, the status page must not."""
    path.write_text("[auth]\n" 'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
                    f'cookie_secret = "{secrets.token_hex(32)}"\n' 'client_id = "incident-kit"\n'
                    'client_secret = "not-used"\n'
                    'server_metadata_url = "http://127.0.0.1:9/.well-known/openid-configuration"\n')
    return path


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    root = tmp_path_factory.mktemp("status")
    db = root / "kit.duckdb"
    seed(db)
    with ik.open(db, user="admin") as kit:
        kit.build_status_page(root / "site")
    oidc = ("--secrets.files", auth_secrets(root / "s.toml"))
    with harness.streamlit_app(db, log=root / "app.log", args=oidc) as url:
        with httpx.Client(base_url=url + "/status-page", timeout=30) as client:
            yield client, root / "site", url


def clockless(html: str) -> str:
    """The page without what moves with the clock: the time it was made and the uptime figures."""
    html = re.sub(r'Last updated <time datetime="[^"]*">[^<]*</time>', "Last updated", html)
    return re.sub(r"\d+\.\d+%", "N%", html)


def test_the_live_page_needs_no_sign_in_and_is_the_static_page(live):
    client, site, _ = live
    answer = client.get("/")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    assert "script-src" not in answer.headers["content-security-policy"]  # default-src 'none': no script runs
    assert clockless(answer.text) == clockless((site / "index.html").read_text())
    assert client.get("", follow_redirects=True).text.startswith("<!doctype html>")


def test_the_page_shows_the_overall_state_each_public_component_and_ongoing_external_updates(live):
    html = live[0].get("/").text
    assert "1 ongoing incident" in html and "Slow pages &lt;script&gt;" in html and "We are looking" in html
    assert "Checkout &lt;script&gt;" in html and "Shop &lt;script&gt;" in html and ">Search</strong>" in html
    assert len(re.findall(r'class="day day-', html)) == 2 * 90
    assert "day day-major_outage" in html  # Checkout's resolved outage three days ago
    # Search is only hit by a private and a test incident: operational, 100% over the 90 days
    search = html[html.index('id="component-search"'):]
    assert "Operational" in search[:400] and "100.00% uptime" in search[:600]


def test_hostile_private_internal_and_personal_text_never_reaches_the_page_or_feeds(live):
    client, site, _ = live
    answers = [client.get(p) for p in ("/", "/feed.atom", "/feed.xml", "/components/search/feed.atom",
                                       "/components/checkout-script-alert-x-script/feed.atom")]
    files = [p.read_text() for p in site.rglob("*") if p.is_file()]
    for text in [a.text for a in answers] + files:
        assert "<script>" not in text and "alert('x')" not in text.replace("alert(&#39;x&#39;)", "")
        for planted in SECRETS:
            assert planted not in text, planted
    assert all(a.status_code == 200 for a in answers)
    assert client.get("/components/internal-component/feed.atom").status_code == 404


def test_each_component_has_its_own_feed_live_and_static(live):
    client, site, _ = live
    slug = "checkout-script-alert-x-script"
    live_feed = ET.fromstring(client.get(f"/components/{slug}/feed.atom").content)
    static = ET.parse(site / "components" / slug / "feed.atom").getroot()
    for feed in (live_feed, static):
        assert [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")] == ["Checkout down: Investigating"]
    search = ET.fromstring(client.get("/components/search/feed.atom").content)
    assert search.findall(f"{ATOM}entry") == []  # only a private and a test incident touched it
    assert sorted(p.relative_to(site).as_posix() for p in site.rglob("*.atom")) == [
        f"components/{slug}/feed.atom", "components/search/feed.atom"]


def test_the_rest_of_the_app_still_asks_to_sign_in(live):
    """The API still wants a token: only the status page is public."""
    _, _, url = live
    assert httpx.get(url + "/api/v1/incidents", timeout=30).status_code == 401


def axe_violations(page) -> list:
    page.add_script_tag(path=str(AXE))
    return page.evaluate("async () => (await axe.run(document, {runOnly: {type: 'tag', values: "
                         "['wcag2a', 'wcag2aa']}})).violations.map(v => v.id + ': ' + v.nodes.length)")


def test_the_live_and_static_pages_have_no_axe_violations(live):
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{AXE} is missing: .ci/run installs it with npm ci --prefix tests/e2e/axe")
        pytest.skip("axe-core is not installed: run npm ci --prefix tests/e2e/axe")
    harness.require_chromium()
    from playwright.sync_api import sync_playwright

    _, site, url = live
    with sync_playwright() as pw:
        browser = harness.launch(pw)
        try:
            for scheme in ("light", "dark"):
                page = browser.new_page(color_scheme=scheme, bypass_csp=True)  # the CSP rightly blocks injected axe
                page.goto(url + "/status-page/")
                assert axe_violations(page) == [], scheme
                page.goto((site / "index.html").as_uri())
                assert axe_violations(page) == [], scheme
                page.close()
        finally:
            browser.close()


def test_a_store_that_cannot_be_opened_answers_503_in_one_sentence(tmp_path):
    db = tmp_path / "held.duckdb"
    with ik.open(db, user="admin"):  # this process holds DuckDB's lock: the app cannot open the file
        with harness.streamlit_app(db, log=tmp_path / "app.log") as url:
            answer = httpx.get(url + "/status-page/", timeout=30)
    assert answer.status_code == 503 and answer.headers["content-type"].startswith("text/plain")
    assert "Traceback" not in answer.text and answer.text.strip() and "\n" not in answer.text.strip()
