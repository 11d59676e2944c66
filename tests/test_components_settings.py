"""Settings: admins add and archive components; everyone sees the catalog with each one's state (AppTest)."""

from __future__ import annotations

import re

import pytest

from apptest_support import assert_no_traceback, start, submit, texts, widget

pytestmark = pytest.mark.usefixtures("app_db")


def test_an_admin_adds_a_component_and_sees_it_with_its_state(kit):
    kit.save_settings({"admins": ["ana"]})
    at = start(user="ana", page="settings")
    widget(at.text_input, "New component").input("Checkout **bold** <b>x</b>")
    widget(at.text_input, "Group (optional)").input("Shop")
    widget(at.toggle, "Your team only").set_value(True)
    submit(at, "Add component").click().run()
    assert_no_traceback(at)
    [made] = kit.components()
    assert (made.name, made.group, made.internal) == ("Checkout **bold** <b>x</b>", "Shop", True)
    # the name is escaped Markdown: shown as typed, never bold, never HTML
    assert [s.value for s in at.success] == [r"Component Checkout \*\*bold\*\* \<b\>x\</b\> added."]
    kit.declare("Pay fails", components={made.name: "major_outage"})
    at.run()
    page = texts(at)
    assert "Major outage" in page and "Your team only" in page
    assert not re.search(r"\b[a-z]+_[a-z]+\b", " ".join(m.value for m in [*at.markdown, *at.caption]))


def test_an_admin_archives_a_component_and_it_stays_listed_as_archived(kit):
    kit.save_settings({"admins": ["ana"]})
    kit.add_component("Search")
    at = start(user="ana", page="settings")
    widget(at.selectbox, "Archive a component").select("Search")
    submit(at, "Archive").click().run()
    assert_no_traceback(at)
    assert kit.components() == [] and kit.components(include_archived=True)[0].archived
    assert "Archived" in texts(at)


def test_a_duplicate_name_is_one_sentence_on_the_page(kit):
    kit.save_settings({"admins": ["ana"]})
    kit.add_component("Checkout")
    at = start(user="ana", page="settings")
    widget(at.text_input, "New component").input("checkout")
    submit(at, "Add component").click().run()
    assert_no_traceback(at)
    assert [e.value for e in at.error] == ["There is already a component named Checkout."]
    assert len(kit.components()) == 1


def test_people_who_are_not_admins_see_the_catalog_but_cannot_change_it(kit):
    kit.save_settings({"admins": ["ana"]})
    kit.add_component("Checkout")
    at = start(user="bao", page="settings")
    assert_no_traceback(at)
    page = texts(at)
    assert "Checkout" in page and "Only admins can add or archive components." in page
    assert not [b for b in at.button if b.label in ("Add component", "Archive")]
