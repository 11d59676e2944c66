"""Rules that pages and queries used to keep copies of now come from their one home (issue 22)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from incident_kit.catalog.models import DEFAULT_CADENCE_MINUTES


@pytest.mark.both_stores
def test_reviews_to_do_are_the_resolved_incidents_without_a_review_that_the_viewer_may_see(kit):
    kit.declare("Checkout is down", declared_by="ana")                 # INC-1: resolved, no review
    kit.resolve("INC-1", by="ana")
    kit.declare("Leaked key", declared_by="bao", private=True)         # INC-2: private, resolved, no review
    kit.resolve("INC-2", by="bao")
    kit.declare("Search stale", declared_by="bao", lead="carmen")      # INC-3: post-incident, no review
    kit.resolve("INC-3", by="bao")
    kit.change_status("INC-3", "post_incident", by="bao")
    kit.declare("Login errors", declared_by="ana")                     # INC-4: reviewed
    kit.resolve("INC-4", by="ana")
    kit.start_review("INC-4", depth="note", by="ana")
    kit.declare("Still burning", declared_by="ana")                    # INC-5: active
    kit.declare("Not an incident", declared_by="ana")                  # INC-6: declined
    kit.decline("INC-6", reason="A false alarm", by="ana")

    assert list(kit.reviews_to_do()["incident"]) == ["INC-3", "INC-2", "INC-1"]  # newest resolved first
    assert list(kit.reviews_to_do(viewer="carmen")["incident"]) == ["INC-3", "INC-1"]
    assert list(kit.reviews_to_do(viewer="bao")["incident"]) == ["INC-3", "INC-2", "INC-1"]
    row = kit.reviews_to_do().set_index("incident").loc["INC-3"]
    assert (row["lead"], row["declared_by"], row["incident_status"]) == ("carmen", "bao", "post_incident")


@pytest.mark.both_stores
def test_an_incident_whose_severity_is_gone_promises_the_default_cadence_in_every_query(kit):
    """The page promises the catalog's default; the list, the reminders and the board promise the same."""
    declared = kit.declare("Checkout is down", declared_by="ana", severity="Major")
    # A database whose severity row is gone (edited by hand, or restored from a partial backup).
    kit.db.write(lambda tx: tx.execute("UPDATE incidents SET severity = ? WHERE id = ?", ["Retired", declared.id]))

    promised = pd.Timestamp(declared.declared_at) + pd.Timedelta(minutes=DEFAULT_CADENCE_MINUTES)
    assert kit.update_cadence("Retired") == DEFAULT_CADENCE_MINUTES
    assert kit.incidents()["next_update_due"].iloc[0] == promised
    assert kit.status_board()["next_update_due"].iloc[0] == promised
    later = declared.declared_at + dt.timedelta(minutes=DEFAULT_CADENCE_MINUTES + 1)
    late = kit.needs_update(now=later)
    assert list(late["reference"]) == ["INC-1"] and late["cadence_minutes"].iloc[0] == DEFAULT_CADENCE_MINUTES
