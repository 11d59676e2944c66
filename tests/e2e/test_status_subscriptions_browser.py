"""The whole path of a customer's email subscription, on the real app (``streamlit run app.py`` on a loopback
port, its own notification worker) with aiosmtpd as the SMTP server, in Chromium and over HTTP:

subscribe to one component in the browser; read the confirmation email and confirm (one button); an external
update on that component arrives; one on another component, and an internal update, do not; maintenance
notifies when scheduled and when it starts; RFC 8058's one-click POST unsubscribes; nothing arrives after.
Every page of the path has 0 axe-core violations (WCAG 2 A/AA), the live and the static page included.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path

import httpx
import pytest

import incident_kit as ik
from incident_kit.clock import utcnow

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import harness  # noqa: E402
from notify_servers import SmtpServer  # noqa: E402

pytestmark = pytest.mark.slow
harness.require_chromium()

AXE = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
WAIT = 60  # seconds: the worker looks every 5 s; a cold app on a busy 2-core machine is slow to start it
ANA, WATCHER = "ana@example.com", "watcher@example.com"


def axe_violations(page) -> list:
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{AXE} is missing: .ci/run installs it with npm ci --prefix tests/e2e/axe")
        return []
    page.add_script_tag(path=str(AXE))
    return page.evaluate("async () => (await axe.run(document, {runOnly: {type: 'tag', values: "
                         "['wcag2a', 'wcag2aa']}})).violations.map(v => v.id + ': ' + v.nodes.length)")


def mail_to(smtp: SmtpServer, address: str) -> list:
    return [m for m, rcpt in zip(list(smtp.messages), list(smtp.recipients), strict=True) if address in rcpt]


def wait_for(smtp: SmtpServer, address: str, count: int) -> list:
    deadline = time.monotonic() + WAIT
    while len(mail_to(smtp, address)) < count:
        assert time.monotonic() < deadline, f"{address} got {len(mail_to(smtp, address))} emails, not {count}"
        time.sleep(0.3)
    return mail_to(smtp, address)


def between(text: str, start: str) -> str:
    return text[text.index(start):].split()[0]


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    root = tmp_path_factory.mktemp("subs")
    db, port = root / "kit.duckdb", harness.free_port()
    url = f"http://127.0.0.1:{port}"
    with ik.open(db, user="admin") as kit:
        kit.set_setting("public_name", "Acme")
        kit.set_setting("public_url", url)
        kit.add_component("Checkout")
        kit.add_component("Search")
        token = kit.create_api_token("e2e", ["incidents:write", "incidents:read"]).secret
        kit.build_status_page(root / "site")
    smtp = SmtpServer().start()
    env = {**os.environ, "INCIDENT_KIT_NOTIFY_WORKER": "on", "INCIDENT_KIT_SMTP_URL": smtp.url}
    try:
        with harness.streamlit_app(db, env=env, log=root / "app.log", port=port) as started:
            assert started == url
            api = httpx.Client(base_url=url + "/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=30)
            assert httpx.get(url + "/status-page/", timeout=60).status_code == 200  # opens the store, starts the worker
            yield url, api, smtp, root / "site"
            api.close()
    finally:
        smtp.stop()


def test_a_customer_subscribes_confirms_hears_only_their_component_and_leaves_in_one_click(running):
    from playwright.sync_api import sync_playwright

    url, api, smtp, site = running
    with sync_playwright() as pw:
        browser = harness.launch(pw)
        try:
            page = browser.new_page(bypass_csp=True)  # the CSP rightly blocks the injected axe script
            page.goto((site / "index.html").as_uri())
            assert page.locator(f'form[action="{url}/status-page/subscribe"]').count() == 1
            assert axe_violations(page) == [], "static page"
            page.goto(url + "/status-page/")
            assert axe_violations(page) == [], "live page"
            page.get_by_label("Email address").fill(ANA)
            page.get_by_role("checkbox", name="Checkout").check()
            page.get_by_role("button", name="Subscribe").click()
            page.get_by_role("heading", name="Check your email").wait_for()
            assert axe_violations(page) == [], "check your email"

            (confirmation,) = wait_for(smtp, ANA, 1)
            confirm_url = between(SmtpServer.text(confirmation), f"{url}/status-page/confirm/")
            page.goto(confirm_url)
            assert page.get_by_role("button").count() == 1
            assert axe_violations(page) == [], "confirm page"
            page.get_by_role("button", name="Confirm my subscription").click()
            page.get_by_role("heading", name="You are subscribed").wait_for()
            assert "about: Checkout." in page.content()
            assert axe_violations(page) == [], "subscribed page"

            # A second subscriber, to everything, over plain HTTP: what they receive shows the worker has passed.
            assert httpx.post(url + "/status-page/subscribe", data={"email": WATCHER}, timeout=30).status_code == 200
            (watch,) = wait_for(smtp, WATCHER, 1)
            assert httpx.post(between(SmtpServer.text(watch), f"{url}/status-page/confirm/"),
                              timeout=30).status_code == 200

            checkout = api.post("/incidents", json={"title": "Checkout is slow",
                                                    "components": {"Checkout": "partial_outage"}}).json()["reference"]
            api.post(f"/incidents/{checkout}/updates", json={"message": "Payments take a minute",
                                                              "audience": "external"}).raise_for_status()
            first = wait_for(smtp, ANA, 2)[-1]
            assert first["Subject"] == "[Acme] Checkout is slow: Investigating"
            assert "Payments take a minute" in SmtpServer.text(first)

            search = api.post("/incidents", json={"title": "Search is down",
                                                  "components": {"Search": "major_outage"}}).json()["reference"]
            api.post(f"/incidents/{search}/updates", json={"message": "Search fails",
                                                            "audience": "external"}).raise_for_status()
            api.post(f"/incidents/{checkout}/updates", json={"message": "INTERNAL: restarting db-7",
                                                              "audience": "internal"}).raise_for_status()
            api.post(f"/incidents/{checkout}/updates", json={"message": "Fixed the cache",
                                                              "audience": "external"}).raise_for_status()
            wait_for(smtp, WATCHER, 4)  # watcher: Checkout, Search, Checkout again
            received = [SmtpServer.text(m) for m in wait_for(smtp, ANA, 3)[1:]]
            assert len(received) == 2 and "Fixed the cache" in received[1]
            assert not any("Search" in t or "INTERNAL" in t for t in received)

            start = utcnow() + dt.timedelta(seconds=12)
            api.post("/maintenances", json={"title": "Database upgrade", "start": start.isoformat(),
                                            "end": (start + dt.timedelta(hours=1)).isoformat(),
                                            "components": ["Checkout"]}).raise_for_status()
            notices = wait_for(smtp, ANA, 5)[3:]
            assert [m["Subject"] for m in notices] == ["[Acme] Scheduled maintenance: Database upgrade",
                                                      "[Acme] Maintenance in progress: Database upgrade"]

            leave = notices[-1]["List-Unsubscribe"].strip("<>")
            assert notices[-1]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
            assert f"Unsubscribe (one click): {leave}" in SmtpServer.text(notices[-1])
            page.goto(leave)  # the page a person sees from the visible link: one button, nothing done yet
            assert page.get_by_role("button", name="Unsubscribe").count() == 1
            assert axe_violations(page) == [], "unsubscribe page"
            one_click = httpx.post(leave, content=b"List-Unsubscribe=One-Click", timeout=30,
                                   headers={"Content-Type": "application/x-www-form-urlencoded"})
            assert one_click.status_code == 200 and "You are unsubscribed" in one_click.text
            page.goto(leave)
            assert page.get_by_role("heading", name="You are not subscribed").count() == 1

            before = len(mail_to(smtp, ANA))
            api.post(f"/incidents/{checkout}/updates", json={"message": "Still watching",
                                                              "audience": "external"}).raise_for_status()
            assert "Still watching" in SmtpServer.text(wait_for(smtp, WATCHER, 7)[-1])
            assert len(mail_to(smtp, ANA)) == before
        finally:
            browser.close()
