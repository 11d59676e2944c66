"""OIDC sign-in end to end: a real OpenID provider on loopback, the real app, a real browser.

The provider is ``oidc-provider-mock`` (a complete OpenID Connect server built on
Authlib that accepts any client; its consent form has one field, ``sub``, which it
also issues as the ``email`` claim). The app gets an ``[auth]`` secrets file of its
own through ``--secrets.files``; the redirect URI uses 127.0.0.1, the host the
browser uses, so the session cookie set on the callback comes back to the app.
"""

from __future__ import annotations

import contextlib
import secrets
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

import incident_kit as ik

import harness  # tests/e2e is on sys.path: pytest puts a test file's folder there (no __init__.py)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
harness.require_chromium()

EMAIL = "ana.silva@example.com"


@contextlib.contextmanager
def oidc_provider(log: Path):
    """Start ``python -m oidc_provider_mock`` on a free loopback port; yield its issuer URL; stop it."""
    port = harness.free_port()
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1",
                                 "--port", str(port)], stdout=out, stderr=subprocess.STDOUT)
        issuer = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + harness.STARTUP_SECONDS
            while True:
                assert proc.poll() is None, f"the OIDC provider exited; see {log}"
                try:
                    with urllib.request.urlopen(issuer + "/.well-known/openid-configuration", timeout=2):
                        break
                except OSError:
                    assert time.monotonic() < deadline, f"the OIDC provider did not answer; see {log}"
                    time.sleep(0.2)
            yield issuer
        finally:
            proc.terminate()
            proc.wait(timeout=20)


def auth_secrets(path: Path, issuer: str) -> Path:
    """The ``[auth]`` section st.login reads; ``{port}`` is filled in by Streamlit with its own port."""
    path.write_text(
        "[auth]\n"
        'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        'client_id = "incident-kit-e2e"\n'
        'client_secret = "e2e-client-secret"\n'
        f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n')
    return path


def test_signing_in_through_oidc_then_declaring_privately_records_the_email_as_declarer(tmp_path, subprocess_env):
    db = tmp_path / "oidc.duckdb"
    with oidc_provider(tmp_path / "oidc.log") as issuer, \
            harness.app_in_browser(db, env=subprocess_env, log=tmp_path / "streamlit.log",
                                   args=("--secrets.files", auth_secrets(tmp_path / "secrets.toml", issuer))) \
            as (url, browser):
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(30_000)
        page.goto(url)
        assert page.get_by_label("Your name").count() == 0  # with OIDC, nobody types a name
        page.get_by_role("button", name="Sign in").click()

        page.wait_for_url(issuer + "/**")  # the provider's own consent form
        page.locator('input[name="sub"]').fill(EMAIL)
        page.get_by_role("button", name="Authorize").click()

        page.wait_for_url(url + "/**")
        page.get_by_text(f"Signed in as {EMAIL}").wait_for()
        harness.wait_idle(page)
        expect(page.get_by_role("button", name="Sign out")).to_be_visible(timeout=30_000)

        harness.go(page, "Declare")
        page.get_by_label("What's happening?").fill("Badge readers offline in Lisbon")
        page.get_by_label("What's happening?").press("Tab")  # the title is sent (and answered) before anything else
        harness.wait_idle(page)
        # Private needs a proved identity: a typed name would be refused, a signed-in person is not.
        page.get_by_text("More details (optional)").click()
        private = page.get_by_label("Private", exact=True)
        page.get_by_text("Private", exact=True).click()
        private.wait_for(state="attached")
        harness.wait_idle(page)
        expect(private).to_be_checked(timeout=30_000)  # each change reruns the page: declare only once it has landed
        page.get_by_role("button", name="Declare incident").click()
        page.wait_for_url("**/incident?ref=INC-1")
        page.get_by_role("heading", name="INC-1 · Badge readers offline in Lisbon").wait_for()
        harness.wait_idle(page)
        # The timeline names the signed-in email as the one who declared it.
        page.get_by_test_id("stMarkdownContainer").filter(has_text=f"{EMAIL} · Declared").first.wait_for()
        assert "Traceback" not in page.content()

    with ik.open(db, user="tester") as kit:  # Streamlit has stopped: the file is ours to read
        incident = kit.get("INC-1")
        assert (incident.declared_by, incident.private) == (EMAIL, True)
        assert kit.events("INC-1")[0].actor == EMAIL
