"""Settings: an admin creates a token (shown once, in plain words), sees the list and revokes one (AppTest)."""

from __future__ import annotations

import re

import pytest

from apptest_support import assert_no_traceback, start, submit, texts, widget

pytestmark = pytest.mark.usefixtures("app_db")


def _secrets(at) -> list[str]:
    return [c.value for c in at.code if c.value.startswith("ik_")]


def test_an_admin_creates_a_token_sees_it_once_and_it_works(kit):
    kit.save_settings({"admins": ["ana"]})
    at = start(user="ana", page="settings")
    widget(at.text_input, "Token name").input("alertmanager")
    widget(at.multiselect, "What it may do").select("alerts").select("incidents:write")
    widget(at.selectbox, "Expires").select("In 90 days")
    submit(at, "Create token").click().run()
    assert_no_traceback(at)
    page = texts(at)
    assert "Copy it now: it will not be shown again." in page
    [secret] = _secrets(at)
    token = kit.authenticate_api_token(secret)
    assert token.name == "alertmanager" and token.scopes == ("alerts", "incidents:write")
    assert token.created_by == "ana" and token.expires_at is not None
    # people's words in the list, not scope names or snake_case
    assert "Send alerts, Declare and update incidents" in page and "incidents:write" not in page
    assert not re.search(r"\b[a-z]+_[a-z]+\b", " ".join(m.value for m in at.markdown))

    at.run()  # any later run: the secret is gone for good
    assert _secrets(at) == [] and "alertmanager" in texts(at)


def test_an_admin_revokes_a_token_and_it_stops_working(kit):
    kit.save_settings({"admins": ["ana"]})
    new = kit.create_api_token("ci", ["incidents:read"])
    at = start(user="ana", page="settings")
    widget(at.selectbox, "Revoke a token").select("ci")
    submit(at, "Revoke").click().run()
    assert_no_traceback(at)
    assert [s.value for s in at.success] == ["Token **ci** revoked."] and "Revoked" in texts(at)
    assert kit.authenticate_api_token(new.secret) is None
    assert kit.api_tokens()[0].revoked_by == "ana"


def test_people_who_are_not_admins_see_no_tokens_and_cannot_create_one(kit):
    kit.save_settings({"admins": ["ana"]})
    kit.create_api_token("ci", ["incidents:read"])
    at = start(user="bao", page="settings")
    assert_no_traceback(at)
    assert "Only admins can see and create tokens." in texts(at)
    assert "ci" not in [cell for frame in at.dataframe for cell in frame.value.get("Name", [])]
    assert not [b for b in at.button if b.label == "Create token"]


def test_a_bad_token_name_is_one_sentence(kit):
    at = start(user="ana", page="settings")
    widget(at.text_input, "Token name").input("Has Spaces")
    widget(at.multiselect, "What it may do").select("incidents:read")
    submit(at, "Create token").click().run()
    assert_no_traceback(at)
    assert "is not usable" in at.error[0].value and kit.api_tokens() == []
