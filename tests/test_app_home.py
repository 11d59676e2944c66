"""Home page and identity, through Streamlit's AppTest against a real DuckDB file."""

from __future__ import annotations

import pytest
import streamlit as st

import incident_kit as ik
from incident_kit import demo

from apptest_support import assert_no_traceback, button, plain, start, submit, texts, widget


pytestmark = [pytest.mark.usefixtures("app_db"), pytest.mark.both_stores]  # each test runs the app on its own database


def test_empty_database_invites_to_declare_or_load_demo():
    at = start()
    assert_no_traceback(at)
    assert "No incidents yet" in texts(at)
    assert {"Declare an incident", "Load demo data"} <= {b.label for b in at.button}


def test_declare_button_on_the_empty_screen_opens_the_declare_page():
    at = start()
    button(at, "Declare an incident").click().run()
    assert_no_traceback(at)
    assert at.title[0].value == "Declare an incident"


def test_load_demo_data_fills_the_database_and_shows_what_is_happening(kit):
    at = start()
    button(at, "Load demo data").click().run()
    assert_no_traceback(at)
    assert len(kit.incidents()) == 400
    assert "Loaded 400 demo incidents." in texts(at)
    assert "Active incidents" in texts(at)


def test_home_on_demo_data_lists_the_active_incidents(kit):
    demo.load(kit.db, incidents=120)
    at = start()
    assert_no_traceback(at)
    active = kit.incidents(viewer="ana", active=True)
    assert len(active) > 0
    assert active["reference"].iat[0] in texts(at)
    button(at, "Open").click().run()
    assert_no_traceback(at)
    assert at.title[0].value.startswith(active["reference"].iat[0])


def test_home_counts_the_incidents_once_per_view(kit, monkeypatch):
    # At a million incidents a count reads every incident the viewer may see: the page's first read (is the
    # store empty?) is what the overview shows on the same run; only the overview's timed reruns count again.
    demo.load(kit.db, incidents=40)
    calls = []
    counted = ik.Kit.incident_counts

    def counting(self, *args, **kwargs):
        calls.append(kwargs.get("viewer"))
        return counted(self, *args, **kwargs)

    monkeypatch.setattr(ik.Kit, "incident_counts", counting)
    at = start()
    assert_no_traceback(at)
    assert "Active incidents" in texts(at)
    assert len(calls) == 1
    at.run()
    assert len(calls) == 2


def test_first_visit_asks_once_for_a_display_name():
    at = start(user=None)
    assert_no_traceback(at)
    widget(at.text_input, "Your name").input("  Ana   Silva ")
    submit(at, "Continue").click().run()
    assert_no_traceback(at)
    assert at.session_state["display_name"] == "Ana Silva"
    assert "You are: **Ana Silva**" in [c.value for c in at.sidebar.caption][0]  # typed, not signed in
    at.run()  # later runs do not ask again
    assert not [w for w in at.text_input if w.label == "Your name"]


def test_an_empty_display_name_is_refused_politely():
    at = start(user=None)
    submit(at, "Continue").click().run()
    assert_no_traceback(at)
    assert "Type a name first" in at.error[0].value
    assert "display_name" not in at.session_state


def test_a_signed_in_oidc_user_is_used_without_asking(db_path):
    at = start(user=None, page=None)
    at.user = {"is_logged_in": True, "email": "ana@example.com", "name": "Ana"}
    at.switch_page("incident_kit/ui/views/declare.py").run()
    widget(at.text_input, "What's happening?").input("Badge readers offline")
    submit(at, "Declare incident").click().run()
    assert_no_traceback(at)
    with ik.open(db_path, user="tester") as k:
        assert k.get("INC-1").declared_by == "ana@example.com"


def test_titles_and_names_on_home_are_shown_as_text(kit):
    kit.declare("![pixel](http://evil.example/x.png) checkout :red[down]", declared_by="ana",
                lead="[Sign in again](http://evil.example/login)")
    at = start()
    assert_no_traceback(at)
    [row] = [m.value for m in at.markdown if "INC" in m.value]
    assert "![pixel](http://evil.example/x.png) checkout :red[down]" in plain(row)
    assert "led by [Sign in again](http://evil.example/login)" in plain(row)
    for construct in ("![", "](", ":red["):
        assert construct not in row


def test_with_oidc_configured_a_typed_or_remembered_name_does_not_count():
    at = start(user=None)
    at.secrets["auth"] = {"redirect_uri": "http://127.0.0.1:8501/oauth2callback", "cookie_secret": "x" * 32,
                          "client_id": "kit", "client_secret": "s",
                          "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"}
    at.session_state["display_name"] = "admin"  # e.g. typed before sign-in was set up
    at.run()
    assert_no_traceback(at)
    assert button(at, "Sign in")
    assert not [w for w in at.text_input if w.label == "Your name"]
    assert not at.sidebar.caption


def test_a_typed_name_does_not_open_private_incidents_unless_typed_names_are_trusted(kit):
    kit.declare("Payroll file sent to the wrong team", declared_by="ana", private=True)
    typed = start(user="ana", verified=False)
    assert_no_traceback(typed)
    assert "Payroll file" not in texts(typed)  # anyone could have typed "ana"
    assert "Payroll file" in texts(start(user="ana"))  # signed in as ana: her incident
    kit.set_setting("trust_typed_names", True)
    assert "Payroll file" in texts(start(user="ana", verified=False))


def test_cli_declarations_while_the_app_holds_the_store(db_path, store, subprocess_env):
    """PostgreSQL: 4 alert hooks declare at once while the app runs, and the app shows them. DuckDB: one sentence."""
    import subprocess
    import sys

    at = start()  # the app opens the store in this process and keeps it
    assert_no_traceback(at)
    subprocess_env["INCIDENT_KIT_DB"] = str(db_path)
    hooks = [subprocess.Popen([sys.executable, "-m", "incident_kit", "declare", f"Alert {n} firing", "--by", "pager"],
                              env=subprocess_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for n in range(4)]
    results = [(h.wait(timeout=120), *h.communicate()) for h in hooks]
    if store == "duckdb":
        assert all(code != 0 and "in use by another process" in err and "Traceback" not in err
                   for code, _, err in results)
        return
    assert [code for code, _, _ in results] == [0, 0, 0, 0], [err for _, _, err in results]
    at.run()
    assert_no_traceback(at)
    shown = texts(at)
    assert all(f"Alert {n} firing" in shown for n in range(4))


def test_only_a_real_sign_in_reads_signed_in_as():
    at = start(user="ana@example.com", verified=True)
    assert_no_traceback(at)
    assert "Signed in as **ana@example.com**" in [c.value for c in at.sidebar.caption][0]
    assert "Sign out" in [b.label for b in at.sidebar.button]
