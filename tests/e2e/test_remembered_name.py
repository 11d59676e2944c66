"""Without OIDC the app remembers the typed name per browser: a reload or a shared link does not ask again.

The real app in a real Chromium: the name goes into a first-party cookie, read back
by the server from ``st.context.cookies`` when the next session opens.
"""

from __future__ import annotations

import pytest

import incident_kit as ik

import harness  # tests/e2e is on sys.path: pytest puts a test file's folder there (no __init__.py)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
harness.require_chromium()

# ';' and '=' would end or add a cookie attribute if the value were not encoded.
NAME = "Zoë O'Brien; path=/admin"
COOKIE = "incident_kit_name"


def _signed_in_as(page, name: str) -> None:
    page.get_by_text(f"You are: {name}").wait_for()
    harness.wait_idle(page)
    assert page.get_by_label("Your name").count() == 0


def _remembered(context) -> str | None:
    return next((c["value"] for c in context.cookies() if c["name"] == COOKIE), None)


def test_a_reload_and_a_shared_link_do_not_ask_for_the_name_again(tmp_path, subprocess_env):
    db = tmp_path / "remember.duckdb"
    with ik.open(db, user="tester") as kit:
        kit.declare("Printer queue stuck", declared_by="bao")
    with harness.app_in_browser(db, env=subprocess_env, log=tmp_path / "streamlit.log") as (url, browser):
        mine = browser.new_context(viewport={"width": 1400, "height": 1000})
        mine.set_default_timeout(30_000)
        page = mine.new_page()
        harness.sign_in(page, url, NAME)
        page.wait_for_function(f"document.cookie.includes('{COOKIE}=')")

        page.reload()
        _signed_in_as(page, NAME)
        page.get_by_text("Happening now").wait_for()

        shared = mine.new_page()  # a link a colleague pasted in chat, opened in the same browser
        shared.goto(f"{url}/incident?ref=INC-1")
        _signed_in_as(shared, NAME)
        shared.get_by_role("heading", name="INC-1 · Printer queue stuck").wait_for()
        assert "Traceback" not in shared.content()

        # Another browser (another person) is still asked who they are.
        theirs = browser.new_context().new_page()
        theirs.goto(f"{url}/incident?ref=INC-1")
        theirs.get_by_label("Your name").wait_for(timeout=30_000)

        # "Change name" forgets it in this browser: a reload asks again.
        page.get_by_role("button", name="Change name").click()
        page.get_by_label("Your name").wait_for()
        harness.wait_idle(page)
        page.wait_for_function(f"!document.cookie.includes('{COOKIE}=')")
        assert _remembered(mine) is None
        page.reload()
        page.get_by_label("Your name").wait_for()
