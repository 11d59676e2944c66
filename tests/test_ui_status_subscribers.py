"""Settings: an admin sets the public address, sees the status page's subscribers and removes one (AppTest)."""

from __future__ import annotations

import pytest

from apptest_support import assert_no_traceback, start, submit, texts, widget

pytestmark = pytest.mark.usefixtures("app_db")


def test_an_admin_sets_the_public_address_sees_subscribers_and_removes_one(kit):
    kit.save_settings({"admins": ["ana"], "trust_typed_names": True})
    at = start(user="ana", page="settings")
    widget(at.text_input, "Public address of this app").input("https://status.example.com/")
    submit(at, "Save address").click().run()
    assert_no_traceback(at)
    assert kit.setting("public_url") == "https://status.example.com"
    kit.request_status_updates("cleo@example.com")
    at = start(user="ana", page="settings")
    assert "Waiting for confirmation" in texts(at)
    frames = [f.value for f in at.dataframe if "Email" in f.value]
    assert list(frames[0]["Email"]) == ["cleo@example.com"] and list(frames[0]["Components"]) == ["All"]
    submit(at, "Remove").click().run()
    assert_no_traceback(at)
    (gone,) = kit.status_subscribers()
    assert gone.state == "removed" and gone.email is None


def test_a_bad_public_address_is_one_sentence_and_saves_nothing(kit):
    at = start(user="ana", page="settings")
    widget(at.text_input, "Public address of this app").input("javascript:alert(1)")
    submit(at, "Save address").click().run()
    assert_no_traceback(at)
    assert any(e.value.startswith("The public address must start with http") for e in at.error)
    assert kit.setting("public_url") == ""


def test_people_who_are_not_admins_see_no_subscribers(kit):
    kit.save_settings({"admins": ["ana"], "public_url": "https://status.example.com"})
    kit.request_status_updates("cleo@example.com")
    at = start(user="bao", page="settings")
    assert_no_traceback(at)
    assert "Only admins can see the subscribers and change this." in texts(at)
    assert "cleo@example.com" not in texts(at)
