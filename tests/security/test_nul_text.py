"""A NUL character in what a person types or a file holds: the same text on both stores, or one sentence.

PostgreSQL's text cannot hold NUL (psycopg refused the whole statement with a DataError) while DuckDB
kept it: the services drop it from typed text, and the PostgreSQL store turns any other into a sentence.
"""

from __future__ import annotations

import pytest

from incident_kit.errors import IncidentKitError
from incident_kit.identity import Person


@pytest.mark.both_stores
def test_typed_text_with_nul_is_saved_without_it_on_both_stores(kit):
    inc = kit.declare("Disk\x00 full", declared_by=Person("a\x00na", verified=True), summary="Sum\x00mary")
    kit.post_update(inc.reference, "Still\x00 failing", by="ana", impact="Some\x00 users")
    again = kit.get(inc.reference)
    assert (again.title, again.declared_by, again.summary) == ("Disk full", "ana", "Summary")
    assert kit.updates(inc.reference)[-1].message == "Still failing"
    kit.add_follow_up(inc.reference, "Add\x00 an alert", by="ana")


@pytest.mark.both_stores
def test_text_that_still_carries_nul_is_one_sentence_never_a_database_error(kit, store):
    inc = kit.declare("Disk full", declared_by="ana")
    try:
        kit.add_member(inc.reference, "bea", by="ana")
        kit.edit(inc.reference, tags=["disk\x00"], by="ana")
    except IncidentKitError as exc:  # PostgreSQL: one sentence
        assert store == "postgres" and "NUL character" in str(exc)
