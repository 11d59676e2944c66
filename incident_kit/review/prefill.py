"""What a new review already knows, taken from the incident record. Pure functions.

``gather`` collects the facts (the timeline from ``incident.timeline.build``, key
times and the durations between them, who held which role, the severity history,
the impact statements from updates); ``section_text`` turns them into the
editable markdown a new section starts with.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

if TYPE_CHECKING:  # pandas loads only where a frame is built, so write commands start fast
    import pandas as pd

from ..incident import timeline as incident_timeline
from ..incident.models import Event, Incident, Update
from ..incident.timeline import ROLE_LABELS, Entry

# The learning phase's own bookkeeping (starting the review, editing it, adding
# follow-ups) is not part of the story of the incident.
BOOKKEEPING_PREFIXES = ("review_", "follow_up_")
DEFAULT_AGENDA = """1. Welcome and ground rules: we are here to learn, not to blame (5 min)
2. Walk through the timeline together; add what the record missed (20 min)
3. Contributing factors: what made this possible? (20 min)
4. What went well, what was hard, where we got lucky (10 min)
5. Follow-ups: owners and due dates (5 min)"""


@dataclass(frozen=True)
class KeyTime:
    label: str
    value: dt.datetime | None


@dataclass(frozen=True)
class Duration:
    label: str
    start: str
    end: str
    value: dt.timedelta | None


@dataclass(frozen=True)
class RoleSpan:
    role: str
    person: str
    start: dt.datetime
    end: dt.datetime | None


@dataclass(frozen=True)
class SeverityChange:
    occurred_at: dt.datetime
    severity: str
    previous: str | None
    actor: str
    reason: str | None


@dataclass(frozen=True)
class Impact:
    posted_at: dt.datetime
    author: str
    audience: str
    text: str


@dataclass(frozen=True)
class Prefill:
    incident: Incident
    timeline: list[Entry]
    key_times: list[KeyTime]
    durations: list[Duration]
    roles: list[RoleSpan]
    severity_history: list[SeverityChange]
    impacts: list[Impact]
    participants: list[str] = field(default_factory=list)


def story_events(events: list[Event]) -> list[Event]:
    return [e for e in events if not e.kind.startswith(BOOKKEEPING_PREFIXES)]


def _ts(value) -> dt.datetime | None:
    import pandas as pd

    if value is None or pd.isna(value):  # NaT is a datetime too
        return None
    return pd.Timestamp(value).to_pydatetime()


def gather(incident: Incident, events: list[Event], updates: list[Update], role_history: pd.DataFrame,
           members: list[str] = (), types: Mapping[str, str] | None = None) -> Prefill:
    """The review's facts; ``types`` maps type names to the catalog's display names (for the timeline)."""
    story = story_events(events)
    first_update = min((u.posted_at for u in updates), default=None)
    key_times = [KeyTime("Started", incident.started_at), KeyTime("Declared", incident.declared_at),
                 KeyTime("First update", first_update), KeyTime("Resolved", incident.resolved_at)]
    at = {k.label: k.value for k in key_times}

    def span(label, a, b):
        va, vb = at[a], at[b]
        return Duration(label, a, b, (vb - va) if va and vb else None)

    durations = [span("Started → declared (time to declare)", "Started", "Declared"),
                 span("Declared → first update", "Declared", "First update"),
                 span("Declared → resolved", "Declared", "Resolved"),
                 span("Started → resolved (duration of impact)", "Started", "Resolved")]
    roles = [RoleSpan(str(r.role), str(r.person), _ts(r.assigned_at), _ts(r.unassigned_at))
             for r in role_history.itertuples()]
    changes = [e for e in story if e.kind == "severity_changed"]
    initial = changes[0].old_value if changes else incident.severity
    severity_history = [SeverityChange(incident.declared_at, initial, None, incident.declared_by, None)]
    severity_history += [SeverityChange(e.occurred_at, e.new_value, e.old_value, e.actor, e.detail) for e in changes]
    impacts: list[Impact] = []
    for u in updates:
        text = (u.impact or "").strip()
        if text and (not impacts or impacts[-1].text != text):
            impacts.append(Impact(u.posted_at, u.author, u.audience.value, text))
    people = [incident.declared_by, *(r.person for r in roles), *members]
    participants = list(dict.fromkeys(p for p in people if p))
    return Prefill(incident, incident_timeline.build(story, updates, types), key_times, durations, roles,
                   severity_history, impacts, participants)


# -- rendering to markdown -------------------------------------------------------
def when(value: dt.datetime | None) -> str:
    return "—" if value is None else value.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M")


def span_text(value: dt.timedelta | None) -> str:
    if value is None:
        return "—"
    if value < dt.timedelta(0):
        # e.g. declared → resolved of a retrospective incident, written up after it was over
        return f"none: the second came first (by {span_text(-value)})"
    minutes = int(round(value.total_seconds() / 60))
    sign, minutes = ("-" if minutes < 0 else ""), abs(minutes)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    parts = ([f"{days} d"] if days else []) + ([f"{hours} h"] if hours else []) + [f"{mins} min"]
    return sign + " ".join(parts if minutes else ["0 min"])


def cell(text) -> str:
    """Markdown table cell: one line, pipes escaped."""
    return " ".join(str(text if text is not None else "").split()).replace("|", "\\|")


def timeline_rows(entries: list[Entry]) -> list[tuple[str, str, str]]:
    """(time, who, what) per entry: the rows of the timeline table."""
    rows = []
    for e in entries:
        what = e.text + (f" [{e.audience} update]" if e.audience else "")
        rows.append((when(e.occurred_at), e.actor, what))
    return rows


def timeline_markdown(entries: list[Entry]) -> str:
    lines = ["| Time (UTC) | Who | What |", "|---|---|---|"]
    lines += [f"| {t} | {cell(who)} | {cell(what)} |" for t, who, what in timeline_rows(entries)]
    return "\n".join(lines)


def key_facts_markdown(p: Prefill) -> str:
    lines = ["| Moment | Time (UTC) |", "|---|---|"]
    lines += [f"| {k.label} | {when(k.value)} |" for k in p.key_times]
    lines += ["", "| Between | Duration |", "|---|---|"]
    lines += [f"| {d.label} | {span_text(d.value)} |" for d in p.durations]
    lines += ["", "**Who held which role**", ""]
    if p.roles:
        lines += ["| Role | Person | From (UTC) | Until (UTC) |", "|---|---|---|---|"]
        lines += [f"| {cell(ROLE_LABELS.get(r.role, r.role))} | {cell(r.person)} | {when(r.start)} | "
                  f"{when(r.end) if r.end else 'end'} |" for r in p.roles]
    else:
        lines.append(f"No roles were assigned; {cell(p.incident.declared_by)} declared the incident.")
    lines += ["", "**Severity history**", "", "| Time (UTC) | Severity | By | Why |", "|---|---|---|---|"]
    for s in p.severity_history:
        label = f"{s.previous} → {s.severity}" if s.previous else f"{s.severity} (declared)"
        lines.append(f"| {when(s.occurred_at)} | {cell(label)} | {cell(s.actor)} | {cell(s.reason or '')} |")
    return "\n".join(lines)


def impact_markdown(p: Prefill) -> str:
    if not p.impacts:
        return "No impact statements were posted with updates. Who was affected, how, and for how long?"
    lines = ["Impact as reported in updates:", ""]
    lines += [f"- {when(i.posted_at)} ({i.author}, {i.audience}): {' '.join(i.text.split())}" for i in p.impacts]
    return "\n".join(lines)


def _overview(p: Prefill) -> str:
    inc = p.incident
    at = {k.label: k.value for k in p.key_times}
    dur = {d.label: d.value for d in p.durations}
    sentence = (f"{inc.reference} “{inc.title}” ({inc.severity}) started {when(at['Started'])} UTC, "
                f"was declared {when(at['Declared'])} UTC")
    if at["Resolved"]:
        sentence += (f" and resolved {when(at['Resolved'])} UTC "
                     f"({span_text(dur['Started → resolved (duration of impact)'])} of impact)")
    return sentence + "."


def starting_text(key: str) -> str:
    """What a new answer starts with: a template for the agenda, otherwise nothing (record text is shown
    beside the question, never copied into what people write)."""
    return DEFAULT_AGENDA if key == "agenda" else ""


def quote(entry: Entry) -> str:
    """A timeline entry quoted into an answer: '> 2026-11-26 14:05 UTC · bao · Rolled back the deploy'."""
    what = " ".join(entry.text.split()) + (f" [{entry.audience} update]" if entry.audience else "")
    return f"> {when(entry.occurred_at)} UTC · {' '.join(str(entry.actor).split())} · {what}"


def fact_markdown(name: str, p: Prefill) -> str:
    """One fact the record knows (names as in ``review.models.FACTS``), as markdown for exports."""
    if name == "overview":
        summary = (p.incident.summary or "").strip()
        return "\n\n".join([_overview(p)] + ([summary] if summary else []))
    if name == "key_times":
        return "\n".join(["| Moment | Time (UTC) |", "|---|---|"]
                         + [f"| {k.label} | {when(k.value)} |" for k in p.key_times])
    if name == "durations":
        return "\n".join(["| Between | Duration |", "|---|---|"]
                         + [f"| {d.label} | {span_text(d.value)} |" for d in p.durations])
    if name == "roles":
        if not p.roles:
            return f"No roles were assigned; {cell(p.incident.declared_by)} declared the incident."
        return "\n".join(["| Role | Person | From (UTC) | Until (UTC) |", "|---|---|---|---|"]
                         + [f"| {cell(ROLE_LABELS.get(r.role, r.role))} | {cell(r.person)} | {when(r.start)} | "
                            f"{when(r.end) if r.end else 'end'} |" for r in p.roles])
    if name == "severity":
        lines = ["| Time (UTC) | Severity | By | Why |", "|---|---|---|---|"]
        for c in p.severity_history:
            label = f"{c.previous} → {c.severity}" if c.previous else f"{c.severity} (declared)"
            lines.append(f"| {when(c.occurred_at)} | {cell(label)} | {cell(c.actor)} | {cell(c.reason or '')} |")
        return "\n".join(lines)
    if name == "impacts":
        return impact_markdown(p) if p.impacts else ""
    if name == "timeline":
        return timeline_markdown(p.timeline)
    if name == "participants":
        return "\n".join(f"- {cell(person)}" for person in p.participants)
    return ""


def record_text(key: str, p: Prefill) -> str:
    """What the record says for a section (every fact shown beside its question), as markdown."""
    from .models import SECTION_BY_KEY

    spec = SECTION_BY_KEY.get(key)
    return "\n\n".join(t for t in (fact_markdown(n, p) for n in (spec.facts if spec else ())) if t)


def section_text(key: str, p: Prefill) -> str:
    """The markdown older versions started each section with (record text people then edited).

    Kept so hints can tell those prefilled lines from what people wrote (see ``hints.authored``)."""
    inc = p.incident
    summary = (inc.summary or "").strip()
    if key == "what_happened":
        parts = [_overview(p)]
        if summary:
            parts.append(summary)
        if p.impacts:
            parts.append(f"Impact: {' '.join(p.impacts[-1].text.split())}")
        parts.append("Why it happened: ")
        return "\n\n".join(parts)
    if key == "summary":
        return "\n\n".join([_overview(p)] + ([summary] if summary else []))
    if key == "key_facts":
        return key_facts_markdown(p)
    if key == "impact":
        return impact_markdown(p)
    if key == "timeline":
        return timeline_markdown(p.timeline)
    if key == "participants":
        return "\n".join(f"- {name}" for name in p.participants)
    if key == "agenda":
        return DEFAULT_AGENDA
    return ""
