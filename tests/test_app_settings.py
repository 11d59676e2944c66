"""Settings page: severities, types, roles, admins, through AppTest."""

from __future__ import annotations

import pytest
import streamlit as st

from incident_kit import demo

from apptest_support import assert_no_traceback, button, plain, start, submit, texts, widget


pytestmark = pytest.mark.usefixtures("app_db")  # each test runs the app on its own database


@pytest.mark.parametrize("incidents", [0, 50])
def test_settings_render_on_empty_and_demo_data(kit, incidents):
    if incidents:
        demo.load(kit.db, incidents=incidents)
    at = start(page="settings")
    assert_no_traceback(at)
    page = texts(at)
    assert "No admins are set yet" in page
    assert at.data_editor[0].value["name"].tolist() == [s.name for s in kit.severities()]
    assert "Customer support" in page and "Communications lead" in page


def test_saving_admins_then_a_non_admin_sees_read_only_settings(kit):
    at = start(page="settings")
    widget(at.text_area, "Admins (one per line)").input("ana\n  \ncarmen ")
    widget(at.text_input, "Organisation name on the public status page").input("Acme")
    submit(at, "Save").click().run()
    assert_no_traceback(at)
    assert kit.setting("admins") == ["ana", "carmen"]
    assert kit.setting("public_name") == "Acme"
    assert "Settings saved." in texts(at)

    bao = start(user="bao", page="settings")
    assert_no_traceback(bao)
    assert "Only admins can change settings; ask ana, carmen." in plain(bao.info[0].value)
    assert widget(bao.text_area, "Admins (one per line)").disabled
    assert not [b for b in bao.button if b.label in ("Save severities", "Add type", "Add role")]


def test_adding_a_type_and_a_role(kit):
    at = start(page="settings")
    widget(at.text_input, "New type").input("Finance")
    submit(at, "Add type").click().run()
    assert_no_traceback(at)
    widget(at.text_input, "New role").input("Customer liaison")
    submit(at, "Add role").click().run()
    assert_no_traceback(at)
    assert "finance" in [t.name for t in kit.types()]
    assert "customer_liaison" in [r.name for r in kit.roles()]


def test_an_empty_type_name_is_a_message(kit):
    at = start(page="settings")
    submit(at, "Add type").click().run()
    assert_no_traceback(at)
    assert "An incident type needs a name." in plain(at.error[0].value)


def test_saving_severities_unchanged_keeps_them(kit):
    before = kit.severities()
    at = start(page="settings")
    button(at, "Save severities").click().run()
    assert_no_traceback(at)
    assert kit.severities() == before
    assert "Severities saved." in texts(at)


def test_admin_names_are_shown_as_text_to_non_admins(kit):
    kit.set_setting("admins", ["[Ask here](http://evil.example/login)"])
    bao = start(user="bao", page="settings")
    assert_no_traceback(bao)
    info = bao.info[0].value
    assert "ask [Ask here](http://evil.example/login)." in plain(info)
    assert "](" not in info.replace("\\]\\(", "")  # escaped: no link


# -- who counts as an admin: a typed name is not proof unless the install trusts typed names ----------
def test_a_typed_name_listed_as_admin_gets_no_admin_rights(kit):
    kit.set_setting("admins", ["ana"])
    at = start(user="ana", verified=False, page="settings")
    assert_no_traceback(at)
    assert "Only a signed-in admin can change settings: sign in to prove you are ana" in plain(at.info[0].value)
    assert widget(at.text_area, "Admins (one per line)").disabled
    assert widget(at.toggle, "Trust typed names (one trusted team only)").disabled


def test_a_signed_in_admin_can_trust_typed_names_and_is_warned(kit):
    kit.set_setting("admins", ["ana@example.com"])
    at = start(user="ana@example.com", page="settings")
    assert_no_traceback(at)
    assert not at.info  # a verified admin may edit
    widget(at.toggle, "Trust typed names (one trusted team only)").set_value(True)
    submit(at, "Save").click().run()
    assert_no_traceback(at)
    assert kit.setting("trust_typed_names") is True
    assert "Settings saved." in texts(at)
    assert any("anyone who can open this app can type an admin's name" in w.value for w in at.warning)


def test_with_typed_names_trusted_a_typed_admin_may_edit_and_sees_the_warning_everywhere(kit):
    kit.set_setting("admins", ["ana"])
    kit.set_setting("trust_typed_names", True)
    at = start(user="ana", verified=False, page="settings")
    assert_no_traceback(at)
    assert not widget(at.text_area, "Admins (one per line)").disabled
    assert any("Typed names are trusted" in w.value for w in at.warning)
    home = start(user="ana", verified=False)
    assert "Typed names are trusted, so anyone can act as an admin" in plain(home.sidebar.caption[-1].value)
    bao = start(user="bao", verified=False)
    assert "Typed names are trusted" not in "".join(c.value for c in bao.sidebar.caption)  # admins only


def test_settings_explain_what_a_typed_name_can_and_cannot_protect():
    at = start(page="settings")
    assert_no_traceback(at)
    page = texts(at)
    assert "People type their name; nobody checks it." in page
    assert "It cannot keep anyone out" in page


def test_loading_the_demo_from_settings_goes_through_the_service(kit):
    at = start(page="settings")
    button(at, "Load demo data").click().run()
    assert_no_traceback(at)
    assert len(kit.incidents()) == 400
    assert "Loaded 400 demo incidents." in texts(at)


def test_a_new_type_named_like_markdown_is_confirmed_as_text(kit):
    at = start(page="settings")
    widget(at.text_input, "New type").input("[Finance](http://evil.example)")
    submit(at, "Add type").click().run()
    assert_no_traceback(at)
    [success] = at.success
    assert plain(success.value) == "Type '[Finance](http://evil.example)' added."
    assert "](" not in success.value
