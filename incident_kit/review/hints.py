"""Blameless-language hints: non-blocking suggestions, each with the reason behind it. Pure functions.

A hint never stops anyone from saving. Its ``key`` (rule + the matched words) is
what a dismissal stores, so a dismissed hint stays dismissed while the words stay.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    code: str
    pattern: re.Pattern
    why: str
    suggestion: str


def _rx(text: str) -> re.Pattern:
    return re.compile(text, re.IGNORECASE)


RULES: list[Rule] = [
    Rule("human_error", _rx(r"\bhuman[\s-]+errors?\b"),
         "“Human error” ends the inquiry where it should start: people act sensibly given what they see.",
         "Describe what made the action reasonable at the time, and what the system allowed."),
    Rule("should_have", _rx(r"\bshould(?:n['’]t| not)?\s+have\b"),
         "“Should have” judges the past with hindsight; nobody at the time knew what we know now.",
         "Say what was known and done at the time, and what would make the better path easier next time."),
    Rule("failed_to", _rx(r"\bfail(?:ed|s|ing)?\s+to\b"),
         "“Failed to” frames a gap as someone's failure and hides why the step did not happen.",
         "Describe what happened (“the check did not run”) and the conditions around it."),
    Rule("careless", _rx(r"\bcareless(?:ly|ness)?\b"),
         "“Careless” judges a person's character, and people stop sharing details when they feel judged.",
         "Describe the action and what made it easy to get wrong."),
    Rule("root_cause", _rx(r"\broot[\s-]+causes?\b"),
         "Incidents rarely have one “root cause”; naming one stops the search for the other conditions.",
         "Write “contributing factors” instead, and list several."),
]

NAMED_MISTAKE = "named_mistake"
NAMED_MISTAKE_WHY = ("Attaching a person's name to a mistake invites blame and makes people less open "
                     "in the next review.")
NAMED_MISTAKE_SUGGESTION = "Name the role or the step instead (“the deploy step”, “the on-call engineer”)."
# Words that describe a mistake; a participant's name in the same sentence as one fires the hint.
MISTAKE_WORDS = _rx(
    r"\b(?:mistakes?|mistaken(?:ly)?|errors?|erroneous(?:ly)?|forg[eo]t(?:ten)?|broke|broken|break|missed|"
    r"fail(?:ed|ure)?|wrong(?:ly)?|blame[sd]?|fault|neglect(?:ed)?|overlooked|ignored|messed up|screwed up|"
    r"accidentally|by accident|oversight|did(?:n['’]t| not)|forgot)\b")
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")


@dataclass(frozen=True)
class Hint:
    code: str
    key: str          # what a dismissal stores: code + the matched words, lower-case
    match: str        # the words as written
    start: int
    end: int
    why: str
    suggestion: str

    @property
    def message(self) -> str:
        return f"“{self.match}”: {self.why} {self.suggestion}"


def _key(code: str, words: str) -> str:
    return f"{code}:{' '.join(words.lower().split())}"


def find(text: str, *, names: Iterable[str] = ()) -> list[Hint]:
    """Every hint in ``text``, in reading order. ``names``: the incident's participants."""
    text = text or ""
    hints: list[Hint] = []
    for rule in RULES:
        for m in rule.pattern.finditer(text):
            hints.append(Hint(rule.code, _key(rule.code, m.group(0)), m.group(0), m.start(), m.end(),
                              rule.why, rule.suggestion))
    wanted = sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True)
    if wanted:
        name_rx = re.compile(r"(?<![\w@])(" + "|".join(re.escape(n) for n in wanted) + r")(?![\w@])", re.IGNORECASE)
        for sentence in _SENTENCE.finditer(text):
            body = sentence.group(0)
            if not MISTAKE_WORDS.search(body):
                continue
            for m in name_rx.finditer(body):
                hints.append(Hint(NAMED_MISTAKE, _key(NAMED_MISTAKE, m.group(0)), m.group(0),
                                  sentence.start() + m.start(), sentence.start() + m.end(),
                                  NAMED_MISTAKE_WHY, NAMED_MISTAKE_SUGGESTION))
    hints.sort(key=lambda h: (h.start, h.code))
    return hints


def without_dismissed(hints: list[Hint], dismissed: Iterable[str]) -> list[Hint]:
    gone = set(dismissed)
    return [h for h in hints if h.key not in gone]


def authored(text: str, *, prefilled: str = "") -> str:
    """Only what a person wrote: drops lines copied from the record (``prefilled``, the text the
    section started with) and quoted lines ("> ..." picked from the timeline), keeps the rest in place.

    Hints look at this, so the app's own record text (e.g. the declarer's name beside "failed")
    never fires a hint before anyone has written a word.
    """
    record = {" ".join(line.split()) for line in (prefilled or "").splitlines() if line.strip()}
    kept = []
    for line in (text or "").splitlines():
        flat = " ".join(line.split())
        kept.append("" if flat in record or flat.startswith(">") else line)
    return "\n".join(kept)
