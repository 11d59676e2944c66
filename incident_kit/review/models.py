"""Reviews as plain Python: depths, statuses, which sections each depth has. No I/O."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from ..errors import IncidentKitError, InvalidTransition
from ..incident.models import Status, status_sql


class Depth(StrEnum):
    NONE = "none"          # no review, with a one-line reason (the review is "waived")
    NOTE = "note"          # what happened and why, in a few sentences
    STANDARD = "standard"  # the full written review
    WORKSHOP = "workshop"  # a standard review plus interviews, an agenda and a meeting

    @property
    def label(self) -> str:
        return DEPTH_LABELS[self]


DEPTH_LABELS = {Depth.NONE: "No review", Depth.NOTE: "Short note", Depth.STANDARD: "Standard review",
                Depth.WORKSHOP: "Full workshop"}
DEPTH_HELP = {
    Depth.NONE: "Nothing new to learn; say why in one line. Lets the incident close.",
    Depth.NOTE: "What happened and why, in a few sentences.",
    Depth.STANDARD: "Summary, impact, timeline, contributing factors, what went well, what was hard, "
                    "where we got lucky, follow-ups.",
    Depth.WORKSHOP: "A standard review plus interview notes, a meeting agenda, cross-team participants "
                    "and a scheduled date.",
}


class ReviewStatus(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    PUBLISHED = "published"
    WAIVED = "waived"  # depth "none"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


# Moves a person makes; waiving happens by choosing depth "none", and leaving
# "waived" by choosing another depth.
TRANSITIONS: dict[ReviewStatus, frozenset[ReviewStatus]] = {
    ReviewStatus.DRAFT: frozenset({ReviewStatus.IN_REVIEW}),
    ReviewStatus.IN_REVIEW: frozenset({ReviewStatus.DRAFT, ReviewStatus.PUBLISHED}),
    ReviewStatus.PUBLISHED: frozenset({ReviewStatus.IN_REVIEW}),
    ReviewStatus.WAIVED: frozenset(),
}
# What a person can do next from each status, as (target, button label); follows TRANSITIONS.
STATUS_ACTIONS: dict[ReviewStatus, list[tuple[ReviewStatus, str]]] = {
    ReviewStatus.DRAFT: [(ReviewStatus.IN_REVIEW, "Ready for review")],
    ReviewStatus.IN_REVIEW: [(ReviewStatus.PUBLISHED, "Publish"), (ReviewStatus.DRAFT, "Back to draft")],
    ReviewStatus.PUBLISHED: [(ReviewStatus.IN_REVIEW, "Reopen for edits")],
    ReviewStatus.WAIVED: [],
}
DONE = frozenset({ReviewStatus.PUBLISHED, ReviewStatus.WAIVED})  # what lets an incident close

# The Reviews page's three lists: an incident awaiting a review nobody started is "to do", like a draft.
QUEUE_TO_DO, QUEUE_IN_REVIEW, QUEUE_DONE = "to_do", "in_review", "done"
QUEUES = (QUEUE_TO_DO, QUEUE_IN_REVIEW, QUEUE_DONE)
QUEUE_OF_STATUS = {ReviewStatus.DRAFT: QUEUE_TO_DO, ReviewStatus.IN_REVIEW: QUEUE_IN_REVIEW,
                   ReviewStatus.PUBLISHED: QUEUE_DONE, ReviewStatus.WAIVED: QUEUE_DONE}


def queue_sql(status: str = "r.status") -> str:
    """SQL naming the queue of a review's status (``QUEUE_OF_STATUS``, generated: no query spells it out)."""
    arms = " ".join(f"WHEN '{s.value}' THEN '{q}'" for s, q in QUEUE_OF_STATUS.items())
    return f"CASE {status} {arms} END"


def parse_queue(value) -> str:
    text = str(value or "").strip().lower().replace(" ", "_").replace("-", "_")
    if text not in QUEUES:
        raise IncidentKitError(f"'{str(value)[:40]}' is not a list of reviews; choose one of: {', '.join(QUEUES)}.")
    return text

# Which incidents a review belongs to. A declined one was no incident after all, and a merged one is
# reviewed with the incident it joined: neither needs a review. A resolved incident, or one in its
# post-incident phase, awaits its review until one is started, and closing waits for it to be done.
NEEDS_NO_REVIEW = frozenset({Status.DECLINED, Status.MERGED})
AWAITS_REVIEW = frozenset({Status.RESOLVED, Status.POST_INCIDENT})
AWAITS_REVIEW_SQL = status_sql(AWAITS_REVIEW)

REASON_MAX = 200  # "one line"


def parse_depth(value) -> Depth:
    text = str(value or "").strip().lower()
    aliases = {"no review": "none", "no": "none", "waive": "none", "short note": "note",
               "standard review": "standard", "full workshop": "workshop", "full": "workshop"}
    text = aliases.get(text, text)
    try:
        return Depth(text)
    except ValueError:
        raise IncidentKitError(f"Depth '{value}' is not one of: none, note, standard, workshop.") from None


def parse_status(value) -> ReviewStatus:
    text = str(value or "").strip().lower().replace("-", "_").replace(" ", "_")
    try:
        return ReviewStatus(text)
    except ValueError:
        raise IncidentKitError(
            f"Review status '{value}' is not one of: draft, in_review, published "
            "(to waive a review, choose depth none with a reason).") from None


def check_transition(current: ReviewStatus, target: ReviewStatus) -> None:
    if target == current:
        raise InvalidTransition(f"The review is already {current.label.lower()}.")
    if target == ReviewStatus.WAIVED:
        raise InvalidTransition("To waive the review, choose “No review” with a one-line reason.")
    if current == ReviewStatus.WAIVED:
        raise InvalidTransition("The review is waived; choose a short note, a standard review or a full workshop "
                                "to write one.")
    if target not in TRANSITIONS[current]:
        allowed = " or ".join(sorted(s.label.lower() for s in TRANSITIONS[current]))
        raise InvalidTransition(f"A review that is {current.label.lower()} cannot become {target.label.lower()}; "
                                f"it can become {allowed}.")


@dataclass(frozen=True)
class SectionSpec:
    """One question of the guided review form.

    ``question`` is what the form asks; ``prompt`` says in a line what a good answer holds;
    ``facts`` names what the record already knows that is shown beside the question (rendered,
    never as text to edit): overview, key_times, durations, roles, severity, impacts, timeline,
    participants. ``prefilled``: the answer starts from a template (the workshop agenda), never
    from record text, so what people write stays theirs.
    """

    key: str
    title: str
    prompt: str
    depths: frozenset[Depth]
    prefilled: bool = False
    question: str = ""
    facts: tuple[str, ...] = ()

    @property
    def ask(self) -> str:
        return self.question or self.title


FACTS = ("overview", "key_times", "durations", "roles", "severity", "impacts", "timeline", "participants")
FACT_TITLES = {"overview": "In short", "key_times": "Key times", "durations": "How long each step took",
               "roles": "Who held which role", "severity": "Severity history", "impacts": "Impact as reported",
               "timeline": "Timeline from the record", "participants": "People on the incident"}

_S, _W = Depth.STANDARD, Depth.WORKSHOP
SECTIONS: list[SectionSpec] = [
    SectionSpec("what_happened", "What happened and why",
                "In a few sentences: what people saw, why it happened, and what is changing so it is less "
                "likely or less bad next time.",
                frozenset({Depth.NOTE}), question="What happened, and why?",
                facts=("overview", "key_times", "impacts", "timeline")),
    SectionSpec("summary", "Summary", "Two or three sentences a colleague outside the team can follow.",
                frozenset({_S, _W}), question="How would you sum it up for a colleague in another team?",
                facts=("overview",)),
    SectionSpec("key_facts", "Key times and people",
                "The record is shown beside: add what it missed or got wrong, e.g. when someone first noticed.",
                frozenset({_S, _W}), question="Anything to add to the key times and roles?",
                facts=("key_times", "durations", "roles", "severity")),
    SectionSpec("impact", "Impact", "Who was affected, how, and for how long; numbers if you have them.",
                frozenset({_S, _W}), question="Who was affected, and how?", facts=("impacts", "durations")),
    SectionSpec("timeline", "Timeline",
                "Pick moments from the record to quote, and say what was happening around them that the "
                "record does not show.",
                frozenset({_S, _W}), question="What does the timeline not show?", facts=("timeline",)),
    SectionSpec("contributing_factors", "Contributing factors",
                "The conditions that made this possible: technical, organisational, timing. Usually several.",
                frozenset({_S, _W}), question="What made this possible?", facts=("timeline",)),
    SectionSpec("went_well", "What went well", "What helped: keep doing it.", frozenset({_S, _W}),
                question="What went well?"),
    SectionSpec("was_hard", "What was hard", "Where people struggled: missing information, tools, access.",
                frozenset({_S, _W}), question="What was hard?"),
    SectionSpec("lucky", "Where we got lucky", "What could easily have made this worse.", frozenset({_S, _W}),
                question="Where did we get lucky?"),
    SectionSpec("notes", "Notes", "Anything else worth keeping: lessons, attendees, figures, links.",
                frozenset({_S, _W}), question="Anything else worth keeping?"),
    SectionSpec("participants", "Cross-team participants", "Who joins the workshop, from which teams.",
                frozenset({_W}), question="Who should join the workshop?", facts=("participants", "roles")),
    SectionSpec("agenda", "Meeting agenda", "The workshop's agenda; a suggested one is filled in.",
                frozenset({_W}), prefilled=True, question="What is the agenda?"),
    SectionSpec("interviews", "Interview notes", "Notes from conversations with the people involved, before the "
                "workshop.", frozenset({_W}), question="What did the people involved tell you?"),
]
SECTION_BY_KEY = {s.key: s for s in SECTIONS}


def sections_for(depth: Depth) -> list[SectionSpec]:
    return [s for s in SECTIONS if depth in s.depths]


# What a person can do next with a review, by status: (target, button label), in the app's words.
STATUS_ACTIONS: dict[ReviewStatus, list[tuple[ReviewStatus, str]]] = {
    ReviewStatus.DRAFT: [(ReviewStatus.IN_REVIEW, "Ready for review")],
    ReviewStatus.IN_REVIEW: [(ReviewStatus.PUBLISHED, "Publish"), (ReviewStatus.DRAFT, "Back to draft")],
    ReviewStatus.PUBLISHED: [(ReviewStatus.IN_REVIEW, "Reopen for edits")],
    ReviewStatus.WAIVED: [],
}


def has_follow_ups(depth: Depth) -> bool:
    """A review at this depth lists the incident's follow-ups."""
    return depth != Depth.NONE


# Suggested depth, counted from the highest severity down (the team decides; this is a hint).
SUGGESTED_FROM_HIGHEST_SEVERITY = (Depth.WORKSHOP, Depth.STANDARD)
SUGGESTED_OTHERWISE = Depth.NOTE


def suggest_depth(severity_rank: int, levels: int) -> Depth:
    from_top = levels - severity_rank
    if 0 <= from_top < len(SUGGESTED_FROM_HIGHEST_SEVERITY):
        return SUGGESTED_FROM_HIGHEST_SEVERITY[from_top]
    return SUGGESTED_OTHERWISE


@dataclass(frozen=True)
class Review:
    id: int
    incident_id: int
    incident: str  # reference
    depth: Depth
    status: ReviewStatus
    waived_reason: str | None
    created_at: dt.datetime
    created_by: str
    published_at: dt.datetime | None
    scheduled_for: dt.datetime | None
    contributing_factors: tuple[str, ...]
    updated_at: dt.datetime
    sections: dict[str, str] = field(default_factory=dict)  # key -> current markdown (every key ever written)

    @property
    def visible_sections(self) -> list[tuple[SectionSpec, str]]:
        """The sections of the current depth, in order, with their current text."""
        return [(spec, self.sections.get(spec.key, "")) for spec in sections_for(self.depth)]

    @property
    def lets_incident_close(self) -> bool:
        return self.status in DONE

    def to_dict(self) -> dict:
        from ..clock import iso

        return {
            "incident": self.incident, "depth": self.depth.value, "status": self.status.value,
            "waived_reason": self.waived_reason, "created_at": iso(self.created_at), "created_by": self.created_by,
            "published_at": iso(self.published_at), "scheduled_for": iso(self.scheduled_for),
            "contributing_factors": list(self.contributing_factors),
            "sections": {spec.key: text for spec, text in self.visible_sections},
        }
