"""Subscribing on the live status page over HTTP (the status page app in this process, a real DuckDB file and
a real SMTP server): the form, "check your email", one confirm button, RFC 8058 one-click, rate limits."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from starlette.applications import Starlette

from incident_kit.notify.worker import Worker
from incident_kit.web import statuspage

pytest_plugins = ["notify_servers"]  # the smtp_server fixture

BASE = "http://testserver"


@pytest.fixture
def site(kit, db_path, monkeypatch):
    monkeypatch.setenv("INCIDENT_KIT_DB", str(db_path))
    kit.set_setting("public_url", BASE)
    kit.add_component("Checkout")
    kit.add_component("Search")
    with TestClient(Starlette(routes=statuspage.routes()), base_url=BASE) as client:
        yield Site(client)


class Site:
    """The client with paths under /status-page, as the app mounts it."""

    def __init__(self, client):
        self.client = client

    def get(self, path, **kw):
        return self.client.get("/status-page" + path, **kw)

    def post(self, path, **kw):
        return self.client.post("/status-page" + path, **kw)


def drain(kit, smtp):
    worker = Worker(kit, reminders=False, smtp_url=smtp.url)
    try:
        worker.run_once()
    finally:
        worker.close()


def secret(text: str, purpose: str) -> str:
    return re.search(rf"/status-page/{purpose}/([A-Za-z0-9_-]+)", text).group(1)


def paragraphs(html: str) -> list[str]:
    return re.findall(r"<p>(.*?)</p>", html, flags=re.S)


def test_the_page_offers_the_form_with_the_public_components_only_once_an_address_is_set(kit, site):
    kit.add_component("Billing backend", internal=True)
    page = site.get("/").text
    assert '<form method="post" action="subscribe">' in page
    assert 'name="component" value="checkout"' in page and "Billing backend" not in page
    kit.set_setting("public_url", "")
    assert "<form" not in site.get("/").text


def test_subscribe_confirm_with_one_button_and_leave_in_one_click(kit, site, smtp_server):
    answer = site.post("/subscribe", data={"email": "ana@example.com", "component": ["checkout"]})
    assert answer.status_code == 200 and "<h1>Check your email</h1>" in answer.text
    assert answer.headers["cache-control"] == "no-store" and "form-action 'self'" in answer.headers[
        "content-security-policy"]
    drain(kit, smtp_server)
    (message,) = smtp_server.messages
    token = secret(smtp_server.text(message), "confirm")
    shown = site.get(f"/confirm/{token}")  # what a link scanner does: it must not confirm
    assert shown.status_code == 200
    assert len(re.findall("<form", shown.text)) == 1 and len(re.findall("<button", shown.text)) == 1
    assert kit.status_subscribers()[0].state == "pending"
    done = site.post(f"/confirm/{token}")
    assert done.status_code == 200 and "about: Checkout." in done.text
    assert kit.status_subscribers()[0].state == "confirmed"

    incident = kit.declare("Checkout is slow", components={"Checkout": "partial_outage"})
    kit.post_update(incident.reference, "Looking", audience="external")
    drain(kit, smtp_server)
    notice = smtp_server.messages[-1]
    url = notice["List-Unsubscribe"].strip("<>")
    assert notice["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = url.removeprefix(BASE + "/status-page")
    page = site.get(path)
    assert "<button" in page.text and kit.status_subscribers()[0].state == "confirmed"
    # RFC 8058: the mail client POSTs List-Unsubscribe=One-Click to the URL, no cookie, no page in between
    left = site.post(path, content=b"List-Unsubscribe=One-Click",
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert left.status_code == 200 and "<h1>You are unsubscribed</h1>" in left.text
    assert kit.status_subscribers()[0].state == "unsubscribed"


def test_a_dead_or_made_up_link_says_so_in_one_sentence(kit, site):
    for path in ("/confirm/not-a-real-secret-at-all-123456", "/confirm/x", "/unsubscribe/not-a-real-secret-123456"):
        answer = site.post(path)
        assert answer.status_code == 404
        assert "This link is not valid any more" in answer.text and "Traceback" not in answer.text
    assert site.get("/confirm/not-a-real-secret-at-all-123456").status_code == 404


def test_a_bad_address_or_component_is_one_sentence_and_queues_nothing(kit, site):
    for form in ({"email": "nope"}, {"email": "ana@example.com", "component": "nope"}, {}):
        answer = site.post("/subscribe", data=form)
        assert answer.status_code == 400 and "<h1>Please check the form</h1>" in answer.text
    assert kit.status_subscribers() == []


def test_without_a_public_address_nobody_can_subscribe(kit, site):
    kit.set_setting("public_url", "")
    answer = site.post("/subscribe", data={"email": "ana@example.com"})
    assert answer.status_code == 503 and "not open yet" in answer.text
    assert kit.status_subscribers() == []


def test_too_many_requests_from_one_client_get_a_429_with_retry_after(kit, site):
    for i in range(20):
        assert site.post("/subscribe", data={"email": f"p{i}@example.com"}).status_code == 200
    answer = site.post("/subscribe", data={"email": "p99@example.com"})
    assert answer.status_code == 429 and int(answer.headers["retry-after"]) > 0
    assert len(kit.status_subscribers()) == 20


def test_one_address_asked_for_again_and_again_gets_three_emails_and_the_same_answer(kit, site):
    answers = [site.post("/subscribe", data={"email": "cleo@example.com"}) for _ in range(5)]
    assert {(a.status_code, a.text) for a in answers} == {(answers[0].status_code, answers[0].text)}
    assert len(kit.status_subscribers()) == 3


def test_the_static_build_posts_its_form_to_the_public_address(kit, tmp_path):
    kit.set_setting("public_url", "https://status.example.com")
    kit.build_status_page(tmp_path / "site")
    html = (tmp_path / "site" / "index.html").read_text()
    assert '<form method="post" action="https://status.example.com/status-page/subscribe">' in html
