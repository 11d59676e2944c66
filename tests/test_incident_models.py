import pytest

from incident_kit.errors import InvalidTransition
from incident_kit.incident.models import (ACTIVE, REOPENABLE, TRANSITIONS, Status, check_transition,
                                          parse_status)

ALLOWED = {
    ("investigating", "fixing"), ("investigating", "monitoring"), ("investigating", "resolved"),
    ("investigating", "declined"), ("investigating", "merged"),
    ("fixing", "investigating"), ("fixing", "monitoring"), ("fixing", "resolved"), ("fixing", "declined"),
    ("fixing", "merged"),
    ("monitoring", "investigating"), ("monitoring", "fixing"), ("monitoring", "resolved"),
    ("monitoring", "declined"), ("monitoring", "merged"),
    ("resolved", "post_incident"), ("resolved", "closed"),
    ("post_incident", "closed"),
}


@pytest.mark.parametrize("current", list(Status))
@pytest.mark.parametrize("target", list(Status))
def test_every_transition_follows_the_lifecycle_table(current, target):
    if (current.value, target.value) in ALLOWED:
        check_transition(current, target)
    else:
        with pytest.raises(InvalidTransition):
            check_transition(current, target)


def test_transition_table_matches_the_documented_rules():
    assert {(a.value, b.value) for a, targets in TRANSITIONS.items() for b in targets} == ALLOWED


def test_resolved_is_not_closed_and_is_reopenable():
    assert Status.RESOLVED != Status.CLOSED
    assert Status.RESOLVED in REOPENABLE and Status.RESOLVED not in ACTIVE


@pytest.mark.parametrize("current, target, advice", [
    (Status.RESOLVED, Status.FIXING, "reopen it to move it back to fixing"),  # back from resolved: reopen
    (Status.INVESTIGATING, Status.CLOSED, "allowed next: declined, fixing, merged, monitoring, resolved"),
    (Status.MONITORING, Status.MONITORING, "already monitoring"),  # the same status, said plainly
    (Status.MERGED, Status.CLOSED, "it is final"),
])
def test_a_refused_move_says_what_to_do_instead(current, target, advice):
    with pytest.raises(InvalidTransition, match=advice):
        check_transition(current, target)


@pytest.mark.parametrize("text,expected", [("Post-incident", Status.POST_INCIDENT), (" FIXING ", Status.FIXING),
                                           ("post incident", Status.POST_INCIDENT)])
def test_parse_status_is_forgiving_about_case_and_separators(text, expected):
    assert parse_status(text) is expected


def test_parse_status_names_the_valid_choices():
    with pytest.raises(InvalidTransition, match="Status 'done' is not one of: investigating, fixing"):
        parse_status("done")


def test_an_unknown_status_is_quoted_back_short_however_long():
    from incident_kit.errors import InvalidTransition
    from incident_kit.incident.models import parse_status

    with pytest.raises(InvalidTransition) as refused:
        parse_status("x" * 100_000)
    assert len(str(refused.value)) < 200 and "…" in str(refused.value)
