"""Private means private: every read and every write by a checked person goes through one rule.

Each test here failed before the rule moved into the services (merge, follow-ups, tracker
links, reviews, subscriptions, settings and import all let an outsider act on a private incident,
or an admin be a typed name).
"""

from __future__ import annotations

import json
import re
import subprocess

import pytest
from .actors import ANA, BOB, ROOT, typed

import incident_kit as ik
from incident_kit import analytics
from incident_kit.catalog import store as catalog_store
from incident_kit.errors import NotAllowed, NotFound
from incident_kit.identity import Person

MISSING = "INC-999"


def refusal(exc: pytest.ExceptionInfo, reference: str) -> str:
    """The refusal with the reference blanked, so a hidden and a missing incident can be compared."""
    return re.sub(rf"(?<![\w-]){re.escape(reference)}(?!\d)", "<ref>", str(exc.value))


def missing_words(call, *args, **kwargs) -> str:
    with pytest.raises(NotFound) as exc:
        call(MISSING, *args, **kwargs)
    return refusal(exc, MISSING)


# -- merge ------------------------------------------------------------------------------------------
def test_an_outsider_cannot_merge_into_a_private_incident(kit, secret, public_one):
    with pytest.raises(NotFound) as exc:
        kit.merge(public_one.reference, secret.reference, by=BOB)
    assert kit.get(public_one.reference).status.value == "investigating"
    assert [e.kind for e in kit.events(secret.reference)].count("merged_in") == 0
    assert refusal(exc, secret.reference) == missing_words(lambda ref: kit.merge(public_one.reference, ref, by=BOB))


def test_an_outsider_cannot_merge_a_private_incident_away(kit, secret, public_one):
    with pytest.raises(NotFound):
        kit.merge(secret.reference, public_one.reference, by=BOB)
    assert kit.get(secret.reference).status.value == "resolved"


def test_a_participant_and_the_local_operator_can_still_merge(kit, secret):
    dup = kit.declare("Payroll file shared again", declared_by=ANA, private=True)
    other = kit.declare("Payroll share, third report", declared_by="ana@example.com", private=True)
    assert kit.merge(dup.reference, secret.reference, by=ANA).status.value == "merged"
    assert kit.merge(other.reference, secret.reference, by="operator").status.value == "merged"  # plain str: trusted


# -- the same refusal, word for word ------------------------------------------------------------------
@pytest.mark.parametrize("action", [
    lambda k, ref: k.get(ref, viewer=BOB),
    lambda k, ref: k.post_update(ref, "We are on it", by=BOB),
    lambda k, ref: k.change_status(ref, "closed", by=BOB),
    lambda k, ref: k.edit(ref, title="Nothing to see", by=BOB),
    lambda k, ref: k.assign_role(ref, "lead", "bob@example.com", by=BOB),
    lambda k, ref: k.add_member(ref, "bob@example.com", by=BOB),
    lambda k, ref: k.change_severity(ref, "Critical", by=BOB),
    lambda k, ref: k.reopen(ref, by=BOB),
    lambda k, ref: k.add_follow_up(ref, "Peek", by=BOB),
    lambda k, ref: k.start_review(ref, depth="note", by=BOB),
    lambda k, ref: k.subscribe("bob@example.com", incident=ref, person=BOB, by=BOB),
], ids=["read", "update", "status", "edit", "role", "member", "severity", "reopen", "follow-up", "review",
        "subscribe"])
def test_a_hidden_incident_and_a_missing_one_get_the_same_refusal(kit, secret, action):
    before = len(kit.events(secret.reference))
    with pytest.raises(NotFound) as hidden:
        action(kit, secret.reference)
    with pytest.raises(NotFound) as missing:
        action(kit, MISSING)
    assert refusal(hidden, secret.reference) == refusal(missing, MISSING)
    assert len(kit.events(secret.reference)) == before  # nothing written


# -- follow-ups and tracker links -------------------------------------------------------------------
def test_tracker_links_cannot_be_written_onto_a_private_incidents_follow_ups(kit, secret):
    item = kit.follow_ups(incident=secret.reference).iloc[0]
    upload = f"Follow up ID,Tracker URL\n{item['reference']},https://evil.example/x\n"
    with pytest.raises(NotFound, match="There is no follow-up"):
        kit.import_tracker_links(upload, by=BOB)
    with pytest.raises(NotFound, match="There is no follow-up"):
        kit.link_follow_up(item["reference"], "https://evil.example/y", by=BOB)
    assert kit.follow_up(item["reference"]).tracker_url is None
    assert kit.import_tracker_links(upload, by=ANA) == {"linked": 1, "unchanged": 0}


def test_an_outsider_cannot_change_a_private_incidents_follow_up(kit, secret):
    ref = kit.follow_ups(incident=secret.reference).iloc[0]["reference"]
    with pytest.raises(NotFound) as hidden:
        kit.set_follow_up_status(ref, "done", by=BOB)
    with pytest.raises(NotFound) as missing:
        kit.set_follow_up_status("FU-999", "done", by=BOB)
    assert refusal(hidden, ref) == refusal(missing, "FU-999")
    with pytest.raises(NotFound):
        kit.edit_follow_up(ref, owner="bob@example.com", by=BOB)
    assert kit.follow_up(ref).status.value == "open"


def test_follow_ups_export_leaves_private_incidents_out_unless_asked(kit, secret, public_one):
    kit.add_follow_up(public_one.reference, "Add a latency alert", by=BOB)
    text = kit.export_follow_ups(format="json")
    assert [r["incident"] for r in json.loads(text)] == [public_one.reference]
    everything = json.loads(kit.export_follow_ups(format="json", include_private=True))
    assert {r["incident"] for r in everything} == {public_one.reference, secret.reference}
    mine = json.loads(kit.export_follow_ups(format="json", viewer=ANA))  # a viewer's download: what they see
    assert {r["incident"] for r in mine} == {public_one.reference, secret.reference}


def test_follow_ups_export_on_the_command_line_leaves_private_out(kit, secret, subprocess_env, python):
    kit.close()

    def export(*extra) -> list[dict]:
        proc = subprocess.run([python, "-m", "incident_kit", "follow-ups", "export", "--format", "json", *extra],
                              env=subprocess_env, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)

    assert export() == []
    assert [r["incident"] for r in export("--include-private")] == [secret.reference]


# -- reviews and subscriptions ---------------------------------------------------------------------------
def test_an_outsider_cannot_write_a_private_incidents_review(kit, secret):
    kit.start_review(secret.reference, depth="note", by=ANA)
    with pytest.raises(NotFound):
        kit.edit_review_section(secret.reference, "summary", "Nothing happened.", by=BOB)
    with pytest.raises(NotFound):
        kit.set_review_status(secret.reference, "in_review", by=BOB)
    assert kit.review(secret.reference).status.value == "draft"


def test_an_outsider_cannot_end_someone_elses_subscription_to_a_private_incident(kit, secret):
    sub = kit.subscribe("ana@example.com", incident=secret.reference, person=ANA, by=ANA)
    with pytest.raises(NotFound) as hidden:
        kit.unsubscribe(sub.id, by=BOB)
    with pytest.raises(NotFound) as missing:
        kit.unsubscribe(999, by=BOB)
    assert refusal(hidden, str(sub.id)) == refusal(missing, "999")
    assert kit.subscriptions(incident=secret.reference)[0].ended_at is None


# -- who is believed -----------------------------------------------------------------------------------
def test_a_typed_name_does_not_open_private_incidents(kit, secret):
    kit.save_settings({"admins": ["root@example.com"]})
    for viewer in (typed("ana@example.com"), typed("root@example.com")):
        with pytest.raises(NotFound):
            kit.get(secret.reference, viewer=viewer)
        assert secret.reference not in kit.incidents(viewer=viewer)["reference"].tolist()
        assert kit.follow_ups(viewer=viewer).empty
    assert kit.get(secret.reference, viewer=ROOT).reference == secret.reference  # signed-in admin
    assert kit.get(secret.reference, viewer=ANA).reference == secret.reference  # signed-in declarer


def test_trusting_typed_names_is_an_explicit_setting(kit, secret):
    kit.save_settings({"trust_typed_names": True})
    assert kit.get(secret.reference, viewer=typed("ana@example.com")).reference == secret.reference
    kit.save_settings({"trust_typed_names": "false"})
    with pytest.raises(NotFound):
        kit.get(secret.reference, viewer=typed("ana@example.com"))


def test_a_typed_name_cannot_declare_a_private_incident(kit):
    with pytest.raises(ik.IncidentKitError, match="Private incidents need a signed-in person"):
        kit.declare("Suspicious login", declared_by=typed("eve"), private=True)
    assert kit.incidents().empty


def test_analytics_follow_the_same_rule(kit, secret):
    kit.save_settings({"admins": ["root@example.com"]})
    refs = lambda viewer: set(analytics.response_times(kit, viewer=viewer, modes=None)["reference"])  # noqa: E731
    assert secret.reference in refs(ROOT)
    assert secret.reference not in refs(typed("root@example.com"))
    assert secret.reference not in refs(BOB)


# -- admins ----------------------------------------------------------------------------------------------
def test_admins_as_one_string_is_refused_and_never_makes_a_letter_an_admin(kit, secret):
    with pytest.raises(ik.IncidentKitError, match="list of names"):
        kit.save_settings({"admins": "ana"})
    with pytest.raises(ik.IncidentKitError, match="list of names"):
        kit.set_setting("admins", "ana")
    kit.db.write(lambda tx: catalog_store.set_setting(tx, "admins", "ana"))  # as an older version stored it
    kit.db.memo.bump()
    letter = Person("a", verified=True)
    assert not kit.can_administer(letter)
    with pytest.raises(NotFound):
        kit.get(secret.reference, viewer=letter)
    assert kit.can_administer(Person("ana", verified=True))  # the old string still names its one admin
    assert kit.setting("admins") == ["ana"]  # and reads back as a list (pages join it with commas)


def test_only_a_signed_in_admin_changes_settings_once_admins_are_named(kit):
    assert kit.can_administer(BOB)  # nobody named yet: anyone may, to name the first admin
    kit.save_settings({"admins": ["root@example.com"]}, by=BOB)
    assert not kit.can_administer(BOB) and not kit.can_administer(typed("root@example.com"))
    assert kit.can_administer(ROOT)
    with pytest.raises(NotAllowed, match="Only admins"):
        kit.save_settings({"public_name": "Evil Corp"}, by=BOB)
    with pytest.raises(NotAllowed, match="sign in"):
        kit.save_settings({"public_name": "Evil Corp"}, by=typed("root@example.com"))
    kit.save_settings({"public_name": "Acme"}, by=ROOT)
    assert kit.setting("public_name") == "Acme"


def test_settings_are_saved_all_or_nothing(kit):
    with pytest.raises(ik.IncidentKitError):
        kit.save_settings({"public_name": "Acme", "admins": "root"})
    assert kit.setting("public_name") == "Our services"


def test_once_admins_are_named_only_admins_import(kit, tmp_path):
    kit.save_settings({"admins": ["root@example.com"]})
    csv_file = tmp_path / "incidents.csv"
    csv_file.write_bytes(kit.csv_template())
    with pytest.raises(NotAllowed, match="Only admins can import"):
        kit.import_files("csv", [csv_file], by=BOB)
    assert kit.incidents().empty
    assert kit.import_files("csv", [csv_file], by=ROOT).new > 0


def test_once_admins_are_named_only_admins_load_the_demo(kit):
    kit.save_settings({"admins": ["root@example.com"]})
    with pytest.raises(NotAllowed):
        kit.load_demo(incidents=5, by=BOB)
    assert kit.incidents().empty
    assert kit.load_demo(incidents=5, by=ROOT)["incidents"] == 5


def test_a_signed_in_person_cannot_redirect_someone_elses_reminders(kit):
    kit.save_settings({"admins": ["root@example.com"]})
    with pytest.raises(NotAllowed):
        kit.set_contact("ana@example.com", "mailto://bob@evil.example", by=BOB)
    assert kit.contact("ana@example.com") is None
    kit.set_contact("bob@example.com", "bob@example.com", by=BOB)  # their own: fine
    kit.set_contact("ana@example.com", "ana@example.com", by=ROOT)  # an admin: fine
    assert kit.contact("ana@example.com") == "ana@example.com"


def test_a_signed_in_person_cannot_subscribe_an_admins_name_to_their_own_channel(kit, secret):
    kit.save_settings({"admins": ["root@example.com"]})
    with pytest.raises(NotAllowed):
        kit.subscribe("mailto://bob@evil.example", person="root@example.com", min_severity="Minor", by=BOB)
    assert kit.subscriptions() == []
    kit.subscribe("bob@example.com", min_severity="Minor", person=BOB, by=BOB)  # themselves: fine


def test_only_an_admin_ends_other_peoples_rule_subscriptions(kit):
    kit.save_settings({"admins": ["root@example.com"]})
    sub = kit.subscribe("ana@example.com", min_severity="Major", person=ANA, by=ANA)
    with pytest.raises(NotFound):
        kit.unsubscribe(sub.id, by=BOB)
    assert kit.unsubscribe(sub.id, by=ROOT).ended_at is not None
