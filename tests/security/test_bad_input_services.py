"""Bad input reaching the services: one sentence that names the limit, nothing written, no traceback.

Each case here was accepted before (a megabyte name, a year-9999 incident, ``private="false"``
meaning True) or crashed with an exception a person cannot act on (a 5,000-digit reference).
"""

from __future__ import annotations

import datetime as dt

import pytest

from incident_kit.errors import IncidentKitError, NotFound

UTC = dt.timezone.utc
LONG_NAME = "a" * 201
HUGE_REFERENCE = "9" * 5000


def refused(call, *args, match: str, **kwargs) -> str:
    with pytest.raises(IncidentKitError, match=match) as exc:
        call(*args, **kwargs)
    message = str(exc.value)
    assert "\n" not in message and len(message) < 300  # one sentence, never a dump of the input
    return message


# -- text lengths ------------------------------------------------------------------------------------
@pytest.mark.parametrize("action", [
    lambda k, ref, name: k.declare("Disk full", declared_by=name),
    lambda k, ref, name: k.declare("Disk full", declared_by="ana", lead=name),
    lambda k, ref, name: k.post_update(ref, "Still looking", by=name),
    lambda k, ref, name: k.assign_role(ref, "lead", name, by="ana"),
    lambda k, ref, name: k.add_member(ref, name, by="ana"),
    lambda k, ref, name: k.add_follow_up(ref, "Add an alert", owner=name, by="ana"),
    lambda k, ref, name: k.subscribe("ops@example.com", person=name, incident=ref, by="ana"),
    lambda k, ref, name: k.save_settings({"admins": [name]}),
], ids=["declarer", "lead", "author", "role", "member", "owner", "subscriber", "admin"])
def test_a_name_over_200_characters_is_refused_naming_the_limit(kit, action):
    inc = kit.declare("Disk full", declared_by="ana")
    before = len(kit.events(inc.reference))
    refused(action, kit, inc.reference, LONG_NAME, match="at most 200 characters")
    assert len(kit.events(inc.reference)) == before and len(kit.incidents()) == 1
    action(kit, inc.reference, "b" * 200)  # the limit itself is fine


def test_an_update_over_20000_characters_is_refused_naming_the_limit(kit):
    inc = kit.declare("Disk full", declared_by="ana")
    refused(kit.post_update, inc.reference, "x" * 20_001, by="ana", match="the limit is 20,000 characters")
    refused(kit.post_update, inc.reference, "ok", impact="x" * 20_001, by="ana", match="20,000")
    assert kit.updates(inc.reference) == []
    assert kit.post_update(inc.reference, "x" * 20_000, by="ana").message == "x" * 20_000


def test_a_summary_over_the_bound_is_refused(kit):
    refused(kit.declare, "Disk full", declared_by="ana", summary="x" * 1_000_000, match="the limit is 20,000")
    inc = kit.declare("Disk full", declared_by="ana")
    refused(kit.edit, inc.reference, summary="x" * 1_000_000, by="ana", match="20,000")
    assert kit.get(inc.reference).summary == ""


# -- references ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("reference", [HUGE_REFERENCE, "INC-" + HUGE_REFERENCE, "INC-99999999999999999999"])
@pytest.mark.parametrize("action", [
    lambda k, ref: k.get(ref),
    lambda k, ref: k.get(ref, viewer="ana"),
    lambda k, ref: k.summary(ref),
    lambda k, ref: k.post_update(ref, "hello", by="ana"),
    lambda k, ref: k.add_follow_up(ref, "x", by="ana"),
    lambda k, ref: k.timeline(ref),
], ids=["get", "get-as-viewer", "summary", "update", "follow-up", "timeline"])
def test_an_absurd_reference_is_simply_not_found(kit, reference, action):
    kit.declare("Disk full", declared_by="ana")
    with pytest.raises(NotFound, match="^There is no incident") as exc:
        action(kit, reference)
    assert len(str(exc.value)) < 200  # the reference is not echoed in full


def test_a_list_limit_beyond_any_database_is_refused_in_a_sentence(kit):
    refused(kit.incidents, limit=99999999999999999999, match="limit must be a whole number")
    refused(kit.incidents, limit=-1, match="limit must be a whole number")
    assert kit.incidents(limit=0).empty


# -- dates ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("field, value, match", [
    ("declared_at", dt.datetime(9999, 1, 1, tzinfo=UTC), "in the future"),
    ("declared_at", dt.datetime(1, 1, 1, tzinfo=UTC), "before 1990-01-01"),
    ("declared_at", "1989-12-31T23:59:00+00:00", "before 1990-01-01"),
    ("started_at", dt.datetime(1, 1, 1, tzinfo=UTC), "before 1990-01-01"),
    ("started_at", "9999-12-31T00:00:00+00:00", "100 years ahead"),
])
def test_declaring_outside_1990_to_tomorrow_is_refused(kit, field, value, match):
    from incident_kit.incident import service

    refused(service.declare, kit.db, "Clock skew", declared_by="ana", match=match, **{field: value})
    assert kit.incidents().empty


def test_posted_at_may_not_be_in_the_future_but_the_next_update_may(kit):
    from incident_kit.incident import service

    inc = kit.declare("Disk full", declared_by="ana")
    soon = dt.datetime.now(UTC) + dt.timedelta(days=3)
    refused(service.post_update, kit.db, inc.reference, "x", by="ana", posted_at=soon, match="in the future")
    assert kit.post_update(inc.reference, "x", by="ana", next_update_at=soon).next_update_at == soon
    refused(kit.post_update, inc.reference, "x", by="ana", next_update_at=dt.datetime(9999, 1, 1, tzinfo=UTC),
            match="100 years ahead")


def test_a_follow_up_may_be_due_years_ahead_but_not_in_year_9999(kit):
    inc = kit.declare("Disk full", declared_by="ana")
    assert kit.add_follow_up(inc.reference, "Replace the array", due="2030-06-30", by="ana").due_at.year == 2030
    refused(kit.add_follow_up, inc.reference, "Typo", due="9999-01-01", by="ana", match="100 years ahead")
    refused(kit.add_follow_up, inc.reference, "Typo", due=dt.date(1, 1, 1), by="ana", match="before 1990")
    assert len(kit.follow_ups()) == 1


# -- booleans -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value, expected", [(True, True), (False, False), ("yes", True), ("true", True),
                                             ("false", False), ("no", False), ("0", False), (1, True)])
def test_private_takes_real_booleans_and_clear_words(kit, value, expected):
    inc = kit.declare("Suspicious login", declared_by="ana", private=value)
    assert inc.private is expected and kit.get(inc.reference).private is expected


@pytest.mark.parametrize("value", ["maybe", "secret", 2, 0.5, [], "ja"])
def test_anything_else_for_private_is_refused_with_a_sentence(kit, value):
    refused(kit.declare, "Suspicious login", declared_by="ana", private=value, match="must be yes or no")
    inc = kit.declare("Suspicious login", declared_by="ana")
    refused(kit.edit, inc.reference, private=value, by="ana", match="must be yes or no")
    assert kit.get(inc.reference).private is False and len(kit.incidents()) == 1


def test_a_setting_that_is_a_yes_or_no_takes_only_yes_or_no(kit):
    refused(kit.save_settings, {"trust_typed_names": "perhaps"}, match="must be yes or no")
    assert kit.setting("trust_typed_names") is False
    kit.save_settings({"trust_typed_names": "yes"})
    assert kit.setting("trust_typed_names") is True


def test_an_unknown_setting_is_refused_and_nothing_is_saved(kit):
    refused(kit.save_settings, {"public_name": "Acme", "colour": "red"}, match="Unknown setting 'colour'")
    assert kit.setting("public_name") == "Our services"


# -- sizes -----------------------------------------------------------------------------------------------------
def test_a_demo_of_absurd_size_is_refused_before_any_work(kit):
    refused(kit.load_demo, incidents=99999999999999999999, match="1 to 100,000 incidents")
    refused(kit.load_demo, incidents=0, match="1 to 100,000 incidents")
    assert kit.incidents().empty


def test_an_absurd_follow_up_id_is_refused_in_a_sentence(kit):
    refused(kit.follow_up, "FU-" + HUGE_REFERENCE, match="is not a follow-up id")
    refused(kit.complete_follow_up, HUGE_REFERENCE, by="ana", match="is not a follow-up id")


@pytest.mark.parametrize("action", [
    lambda k, ref, text: k.decline(ref, reason=text, by="ana"),
    lambda k, ref, text: k.change_status(ref, "fixing", note=text, by="ana"),
    lambda k, ref, text: k.change_severity(ref, "Major", reason=text, by="ana"),
], ids=["decline", "status-note", "severity-reason"])
def test_a_reason_over_2000_characters_is_refused_naming_the_limit(kit, action):
    inc = kit.declare("Disk full", declared_by="ana")
    before = len(kit.events(inc.reference))
    refused(action, kit, inc.reference, "x" * 2_001, match="the limit is 2,000 characters")
    assert len(kit.events(inc.reference)) == before


def test_catalog_names_are_bounded_like_people(kit):
    refused(kit.add_type, "x" * 201, match="the limit is 200 characters")
    refused(kit.add_role, "x" * 201, match="the limit is 200 characters")
    assert len(kit.types()) == 7
