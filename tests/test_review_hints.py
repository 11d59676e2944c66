import re
from pathlib import Path

import pytest

from incident_kit.review import hints
from review_support import resolved_incident

pytestmark = pytest.mark.both_stores

FIXTURE = Path(__file__).parent / "fixtures" / "dfds_postmortem_phrases.md"


def _fixture_lines(kind: str) -> list[str]:
    text = FIXTURE.read_text(encoding="utf-8")
    part = re.split(r"<!-- (?:blame-laden|neutral)[^>]*-->", text)
    body = part[1] if kind == "blame" else part[2]
    return [line for line in body.splitlines() if line.strip()]


@pytest.mark.parametrize("text, code", [
    ("The outage was caused by human error.", "human_error"),
    ("Human-error during the deploy.", "human_error"),
    ("We should have caught this in review.", "should_have"),
    ("Someone shouldn't have merged it.", "should_have"),
    ("The on-call engineer failed to page the database team.", "failed_to"),
    ("A careless change to the config.", "careless"),
    ("The root cause was an expired certificate.", "root_cause"),
    ("Two root-causes were found.", "root_cause"),
])
def test_each_phrase_fires_with_a_reason(text, code):
    found = hints.find(text)
    assert [h.code for h in found] == [code]
    assert found[0].why and found[0].suggestion
    assert found[0].match.lower() in text.lower()


def test_root_cause_suggests_contributing_factors():
    (hint,) = hints.find("The root cause was DNS.")
    assert "contributing factors" in hint.suggestion


def test_a_participants_name_attached_to_a_mistake_fires():
    found = hints.find("Bao forgot to renew the certificate.", names=["ana", "bao"])
    assert [(h.code, h.match) for h in found] == [("named_mistake", "Bao")]
    assert "name" in found[0].why


def test_a_name_in_a_neutral_sentence_is_fine():
    assert hints.find("Bao rolled back the deploy and Ana told the customers.", names=["ana", "bao"]) == []
    # a name in one sentence and a mistake word in the next are not attached
    assert hints.find("Bao joined at 10:00. The job broke at 11:00.", names=["bao"]) == []


def test_names_match_whole_words_only():
    assert hints.find("The database error was handled.", names=["dat", "bas"]) == []


@pytest.mark.parametrize("line", _fixture_lines("blame"))
def test_real_postmortem_phrasing_fires(line):
    assert hints.find(line), line


def test_real_neutral_postmortem_text_stays_silent():
    neutral = "\n".join(_fixture_lines("neutral"))
    assert len(neutral) > 500
    assert hints.find(neutral, names=["ana", "bao", "carmen"]) == []


def test_hints_on_a_review_can_be_dismissed_and_stay_dismissed(kit):
    inc = resolved_incident(kit)
    kit.start_review(inc.reference, depth="standard", by="bao")
    kit.edit_review_section(inc.reference, "contributing_factors",
                            "The root cause was a config flag. carmen failed to notice the alert.", by="bao")
    found = {(h.section, h.hint.key) for h in kit.review_hints(inc.reference)}
    assert found == {("contributing_factors", "root_cause:root cause"),
                     ("contributing_factors", "failed_to:failed to"),
                     ("contributing_factors", "named_mistake:carmen")}
    kit.dismiss_review_hint(inc.reference, "contributing_factors", "root_cause:root cause", by="bao")
    assert kit.events(inc.reference)[-1].kind == "review_hint_dismissed"
    kit.edit_review_section(inc.reference, "contributing_factors",
                            "The root cause was a config flag; the alert went unnoticed.", by="bao")
    assert [h.hint.key for h in kit.review_hints(inc.reference)] == []


def test_dismissing_an_unknown_hint_is_refused(kit):
    inc = resolved_incident(kit)
    kit.start_review(inc.reference, depth="note", by="bao")
    with pytest.raises(Exception, match="no open hint"):
        kit.dismiss_review_hint(inc.reference, "what_happened", "careless:careless", by="bao")


def test_prefilled_review_text_raises_no_hints(kit):
    inc = resolved_incident(kit)
    kit.start_review(inc.reference, depth="workshop", by="bao")
    assert kit.review_hints(inc.reference) == []


def test_hints_stay_silent_on_record_text_and_quotes_but_fire_on_what_people_write(kit):
    from incident_kit.review import prefill

    inc = resolved_incident(kit)
    # the record itself names a person beside a mistake word (an impact line written during the incident)
    kit.post_update(inc.reference, "Still watching", by="bao", impact="ana's deploy failed for card payments")
    kit.start_review(inc.reference, depth="standard", by="bao")
    facts = kit.review_prefill(inc.reference)
    # an older review copied the record into the answer: those lines are the app's, not the author's
    kit.edit_review_section(inc.reference, "impact", prefill.section_text("impact", facts), by="bao")
    quoted = "\n".join(prefill.quote(e) for e in facts.timeline)
    kit.edit_review_section(inc.reference, "timeline", quoted + "\nWe saw the graphs late.", by="bao")
    assert kit.review_hints(inc.reference) == []
    kit.edit_review_section(inc.reference, "timeline", quoted + "\nana forgot the canary.", by="bao")
    assert [(h.section, h.hint.key) for h in kit.review_hints(inc.reference)] == [
        ("timeline", "named_mistake:ana")]
