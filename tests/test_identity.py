"""Person: a name that remembers whether a sign-in proved it, and behaves as the name everywhere else."""

import pickle

import pytest

import incident_kit as ik
from incident_kit.identity import NAME_MAX, Person, clean_person, is_checked, is_trusted_name


def test_a_person_is_the_name_for_display_comparison_and_storage(kit):
    ana = Person("ana@example.com", verified=True)
    assert ana == "ana@example.com" and f"{ana}" == "ana@example.com" and {ana: 1}["ana@example.com"] == 1
    inc = kit.declare("Checkout is failing", declared_by=ana)
    assert kit.get(inc.reference).declared_by == "ana@example.com"
    assert kit.events(inc.reference)[0].actor == "ana@example.com"


def test_a_person_survives_pickling_with_its_proof():
    # Streamlit keeps session state by pickling when it runs with persistence on
    back = pickle.loads(pickle.dumps(Person("ana", verified=True)))
    assert isinstance(back, Person) and back.verified and back == "ana"


def test_cleaning_a_name_keeps_the_proof_and_bounds_the_length():
    cleaned = clean_person(Person("  Ana   Silva ", verified=True), "Author")
    assert cleaned == "Ana Silva" and cleaned.verified
    assert type(clean_person("  bao ", "Author")) is str
    with pytest.raises(ik.IncidentKitError, match=f"at most {NAME_MAX} characters"):
        clean_person("x" * (NAME_MAX + 1), "Author")
    with pytest.raises(ik.IncidentKitError, match="Author is required"):
        clean_person("   ", "Author")


def test_who_is_checked_and_who_is_believed():
    typed = Person("eve", verified=False)
    assert is_checked(typed) and not is_checked("operator") and not is_checked(None)
    assert not is_trusted_name(typed, trust_typed_names=False)
    assert is_trusted_name(typed, trust_typed_names=True)
    assert is_trusted_name(Person("ana", verified=True), trust_typed_names=False)
    assert is_trusted_name("local operator", trust_typed_names=False)  # a plain str is vouched for locally
