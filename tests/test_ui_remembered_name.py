"""The remembered display name: what a cookie may bring back (the browser round trip is in tests/e2e)."""

from __future__ import annotations

from incident_kit.identity import NAME_MAX
from incident_kit.ui import remembered_name


def test_a_remembered_name_is_one_line_and_as_long_as_a_name_may_be():
    assert remembered_name.clean("  Ana \n  Silva ") == "Ana Silva"
    assert remembered_name.clean("a" * NAME_MAX) == "a" * NAME_MAX
    assert remembered_name.clean("a" * (NAME_MAX + 1)) is None  # a forged, oversized cookie is ignored
    assert remembered_name.clean("   ") is None


def test_outside_a_browser_session_nothing_is_remembered():
    assert remembered_name.read() is None
