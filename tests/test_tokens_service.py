"""API tokens through the Kit: creation, checking, revocation, expiry, audit and Idempotency-Key declarations."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

import incident_kit as ik
from incident_kit.clock import utcnow
from incident_kit.errors import IncidentKitError, NotAllowed, NotFound
from incident_kit.identity import Person, is_machine
from incident_kit.tokens import idempotency, service

pytestmark = pytest.mark.both_stores

ADMIN = Person("ana@example.com", verified=True)


def test_a_created_token_authenticates_and_acts_as_token_name(kit):
    new = kit.create_api_token("alertmanager", ["incidents:write", "alerts"], expires="90d")
    assert new.secret.startswith("ik_") and len(new.secret) == 43
    assert new.to_dict()["scopes"] == ["alerts", "incidents:write"]  # always in the documented order
    token = kit.authenticate_api_token(new.secret)
    assert token.name == "alertmanager" and token.allows("alerts") and not token.allows("incidents:read")
    assert token.identity == "token:alertmanager" and is_machine(token.identity)
    inc = kit.declare("Disk full", declared_by=token.identity)
    assert inc.declared_by == "token:alertmanager"
    assert kit.events(inc.reference)[0].actor == "token:alertmanager"


def test_wrong_unknown_and_malformed_secrets_are_all_refused_alike(kit):
    new = kit.create_api_token("ci", ["incidents:read"])
    forged = new.secret[:11] + ("A" if new.secret[11] != "A" else "B") + new.secret[12:]  # same prefix, wrong rest
    for secret in (forged, "ik_" + "x" * 40, "not-a-token", "", "ik_", "ik_" + "y" * 5000, new.secret + " "):
        assert kit.authenticate_api_token(secret) is None


def test_revoked_and_expired_tokens_no_longer_authenticate(kit):
    revoked = kit.create_api_token("old-bot", ["incidents:read"])
    kit.revoke_api_token("old-bot")
    assert kit.authenticate_api_token(revoked.secret) is None
    soon = service.create(kit.db, "short", ["incidents:read"], by="tester",
                          now=utcnow() - dt.timedelta(hours=2), expires="1h")
    assert kit.authenticate_api_token(soon.secret) is None
    listed = {t.name: t.state(utcnow()) for t in kit.api_tokens()}
    assert listed == {"old-bot": "revoked", "short": "expired"}


def test_a_name_is_never_reused_so_the_timeline_stays_unambiguous(kit):
    kit.create_api_token("deploy", ["incidents:write"])
    kit.revoke_api_token("deploy")
    with pytest.raises(IncidentKitError, match="exists already"):
        kit.create_api_token("Deploy", ["incidents:write"])
    with pytest.raises(IncidentKitError, match="already revoked"):
        kit.revoke_api_token("deploy")
    with pytest.raises(NotFound, match="no API token named nobody"):
        kit.revoke_api_token("nobody")


@pytest.mark.parametrize("name,scopes,expires,words", [
    ("Has Space", ["incidents:read"], None, "not usable"),
    ("x" * 64, ["incidents:read"], None, "not usable"),
    ("ok", [], None, "at least one scope"),
    ("ok", ["admin"], None, "not one of"),
    ("ok", ["incidents:read"], "5y", "not a duration"),
    ("ok", ["incidents:read"], "0d", "between 1 hour and 3650 days"),
    ("ok", ["incidents:read"], "99999d", "between 1 hour and 3650 days"),
])
def test_bad_names_scopes_and_expiries_get_one_sentence_and_create_nothing(kit, name, scopes, expires, words):
    with pytest.raises(IncidentKitError, match=words):
        kit.create_api_token(name, scopes, expires=expires)
    assert kit.api_tokens() == []


def test_once_admins_exist_only_a_verified_admin_manages_tokens(kit):
    kit.save_settings({"admins": [str(ADMIN)], "trust_typed_names": True})
    for outsider in (Person("bob", verified=True), ik.identity.machine("token:ci")):
        with pytest.raises(NotAllowed):
            kit.create_api_token("bob-bot", ["incidents:read"], by=outsider)
        with pytest.raises(NotAllowed):
            kit.api_tokens(viewer=outsider)
    new = kit.create_api_token("ana-bot", ["incidents:read"], by=ADMIN)
    with pytest.raises(NotAllowed):
        kit.revoke_api_token("ana-bot", by=Person("bob", verified=True))
    assert [t.created_by for t in kit.api_tokens(viewer=ADMIN)] == [str(ADMIN)]
    assert kit.revoke_api_token("ana-bot", by=ADMIN).revoked_by == str(ADMIN)
    assert kit.authenticate_api_token(new.secret) is None


def test_a_token_never_administers_even_before_any_admin_is_named(kit):
    machine = ik.identity.machine("token:ci")
    assert kit.can_administer(Person("anyone")) and not kit.can_administer(machine)
    with pytest.raises(NotAllowed):
        kit.create_api_token("escalate", ["incidents:write"], by=machine)
    with pytest.raises(NotAllowed):
        kit.save_settings({"admins": ["token:ci"]}, by=machine)


def test_creating_and_revoking_is_audited_in_its_own_table_and_touches_no_incident(kit):
    kit.create_api_token("ci", ["incidents:read", "metrics:read"], by="ops")
    kit.revoke_api_token("ci", by="lead")
    audit = kit.api_token_audit()
    assert [(a["token"], a["kind"], a["actor"], a["detail"]) for a in audit] == [
        ("ci", "created", "ops", "incidents:read metrics:read"), ("ci", "revoked", "lead", None)]
    assert kit.incidents().empty


def test_last_used_is_written_at_most_once_a_minute(kit):
    new = kit.create_api_token("busy", ["incidents:read"])
    assert kit.api_tokens()[0].last_used_at is None
    first = utcnow()
    kit.authenticate_api_token(new.secret)
    stamped = kit.api_tokens()[0].last_used_at
    assert stamped is not None and stamped >= first - dt.timedelta(seconds=1)
    version = kit.db.data_version()
    for _ in range(20):
        assert kit.authenticate_api_token(new.secret) is not None
    assert kit.api_tokens()[0].last_used_at == stamped
    if kit.db.dialect == "duckdb":  # the write generation counts writes: none happened
        assert kit.db.data_version() == version


# -- Idempotency-Key ------------------------------------------------------------------------------------
BOT = ik.identity.machine("token:bot")


def test_a_retry_with_the_same_key_gets_the_same_incident(kit):
    first, created = kit.declare_once("key-1", "Checkout failing", declared_by=BOT, severity="Major")
    again, created_again = kit.declare_once("key-1", "Checkout failing", declared_by=BOT, severity="Major")
    assert (created, created_again) == (True, False) and again.reference == first.reference
    other, _ = kit.declare_once("key-1", "Checkout failing", declared_by=ik.identity.machine("token:other"),
                                severity="Major")
    assert other.reference != first.reference  # keys belong to one token
    with pytest.raises(IncidentKitError, match="different declaration"):
        kit.declare_once("key-1", "Something else", declared_by=BOT)
    assert len(kit.incidents()) == 2


def test_a_failed_declaration_frees_its_key_for_a_corrected_retry(kit):
    with pytest.raises(IncidentKitError, match="Severity"):
        kit.declare_once("key-2", "Disk full", declared_by=BOT, severity="Apocalyptic")
    inc, created = kit.declare_once("key-2", "Disk full", declared_by=BOT, severity="Minor")
    assert created and kit.incidents()["reference"].tolist() == [inc.reference]


@pytest.mark.parametrize("key", ["", " ", "k" * 256, "clé", "line\nbreak"])
def test_an_unusable_key_is_one_sentence(kit, key):
    with pytest.raises(IncidentKitError, match="Idempotency-Key must be"):
        kit.declare_once(key, "Disk full", declared_by=BOT)
    assert kit.incidents().empty


def test_a_key_left_pending_by_the_earlier_three_transaction_design_is_taken_over_at_once(kit):
    owner = str(BOT)
    kit.db.write(lambda tx: idempotency.store.claim_key(tx, owner, "key-3", idempotency.request_hash(
        {"title": "Disk full"}), "someone-else", utcnow()))
    inc, created = kit.declare_once("key-3", "Disk full", declared_by=BOT)
    assert created and inc.title == "Disk full"
    again, created = kit.declare_once("key-3", "Disk full", declared_by=BOT)
    assert not created and again.reference == inc.reference


def test_a_declaration_that_fails_after_claiming_leaves_no_key_and_no_incident(kit):
    kit.add_component("Checkout")  # an unknown component refuses the declaration inside the transaction
    with pytest.raises(IncidentKitError, match="There is no component"):
        kit.declare_once("key-4", "Disk full", declared_by=BOT, components={"Nope": "major_outage"})
    assert kit.incidents().empty
    assert kit.db.read(lambda tx: tx.fetchone("SELECT count(*) FROM api_idempotency_keys"))[0] == 0


def test_concurrent_retries_with_one_key_declare_one_incident(kit):
    results = []

    def send():
        results.append(kit.declare_once("storm", "Database down", declared_by=BOT))

    threads = [threading.Thread(target=send) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(kit.incidents()) == 1
    assert len(results) == 8 and sum(created for _, created in results) == 1  # every retry gets the incident
    assert {inc.reference for inc, _ in results} == {"INC-1"}
