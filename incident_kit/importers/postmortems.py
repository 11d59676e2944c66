"""Markdown postmortems: one document becomes a retrospective incident with a published review.

Two shapes are read, with ``python-frontmatter`` for the YAML header (loaded safely:
``frontmatter_safe``) and ``markdown-it-py`` for the body (no hand-written markdown parsing):

- YAML frontmatter with title, url, start/end time, categories, keywords, company, product,
  summary (and optionally uuid, severity);
- no frontmatter: headings such as Summary, Impact, Timeline (a table or a list), Contributing
  factors / Root cause, Lessons learned, Action items, Stats (``Time to recovery: 25 minutes``).

Each heading's text goes to the review section it names; every other section is kept, under its
own heading, in "Notes", so nothing in the document is dropped. Action items become follow-ups
(``[x]`` done, otherwise open). A document is identified by its frontmatter ``uuid``, else by a
hash of its content, so importing it again adds nothing. Times follow ``doc_times``: a zone that
cannot be placed is a problem, never UTC; times outside the services' bounds are problems too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field

import pandas as pd
from markdown_it import MarkdownIt

from ..clock import utcnow
from ..incident.models import Mode, Status
from . import doc_times, frontmatter_safe, mapping
from .models import Batch, ImportFile
from .reading import Context, cross_file_duplicates, problem, report, time_problem, usable_files

SOURCE = "postmortem"
NOTES = "notes"
# Heading words -> review section key (the first match wins, checked in order).
SECTION_WORDS: list[tuple[tuple[str, ...], str]] = [
    (("action item", "follow-up", "follow up", "followup", "remediation"), "action_items"),
    (("contributing", "root cause", "cause"), "contributing_factors"),
    (("summary", "overview", "description"), "summary"),
    (("impact",), "impact"),
    (("timeline", "chronology"), "timeline"),
    (("went well",), "went_well"),
    (("went wrong", "was hard", "what was difficult"), "was_hard"),
    (("lucky",), "lucky"),
]
FRONT_START = ("start", "start_time", "started_at", "started", "date")
FRONT_END = ("end", "end_time", "resolved_at", "resolved", "ended")
CHECKBOX = re.compile(r"^\[( |x|X)\]\s*")
# Conventional non-postmortem files that a directory of postmortems usually also holds.
SKIPPED_IN_DIRECTORIES = re.compile(r"(^readme|template|^index)", re.I)

_MD = MarkdownIt("commonmark").enable("table")


@dataclass
class Document:
    title: str
    summary: str
    tags: list[str]
    started_at: dt.datetime | None
    declared_at: dt.datetime | None
    resolved_at: dt.datetime | None
    sections: dict[str, str]
    factors: list[str]
    actions: list[tuple[str, str, bool]]  # (title, description, done)
    external_id: str
    declared_by: str | None = None
    severity: str | None = None
    problems: list[str] = field(default_factory=list)


def skip_in_directory(name: str) -> bool:
    """A README, index or template next to the postmortems is not one."""
    return bool(SKIPPED_IN_DIRECTORIES.search(name.rsplit("/", 1)[-1]))


def _key_for(heading: str) -> str:
    h = heading.lower()
    for words, key in SECTION_WORDS:
        if any(w in h for w in words):
            return key
    return NOTES


def _split(lines: list[str], tokens) -> tuple[str | None, str, list[tuple[str, int, str]]]:
    """(first heading text, text before the first section, [(heading, level, body markdown)])."""
    heads = [(i, t) for i, t in enumerate(tokens) if t.type == "heading_open"]
    first_heading = tokens[heads[0][0] + 1].content.strip() if heads else None
    # A first-level heading that opens the document is its title; the sections follow it.
    opens = bool(heads) and heads[0][1].tag == "h1" and not "\n".join(lines[:heads[0][1].map[0]]).strip()
    sections_from = 1 if opens else 0
    bounds = [(t.map[0], t.map[1], tokens[i + 1].content.strip(), int(t.tag[1])) for i, t in heads]
    title_end = bounds[0][1] if sections_from else 0
    body = bounds[sections_from:]
    preface_end = body[0][0] if body else len(lines)
    preface = "\n".join(lines[title_end:preface_end]).strip()
    out = []
    for n, (start, end, text, level) in enumerate(body):
        stop = body[n + 1][0] if n + 1 < len(body) else len(lines)
        out.append((text, level, "\n".join(lines[end:stop]).strip()))
    return first_heading, preface, out


def _list_items(body: str) -> list[str]:
    """Top-level list items' source text (markers removed, continuation lines kept)."""
    lines = body.splitlines()
    depth, items = 0, []
    for t in _MD.parse(body):
        if t.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
        elif t.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
        elif t.type == "list_item_open" and depth == 1:
            chunk = "\n".join(lines[t.map[0]:t.map[1]]).strip()
            items.append(re.sub(r"^(?:[-*+]|\d+[.)])\s*", "", chunk).strip())
    return [i for i in items if i]


def _timeline_cells(body: str) -> list[str]:
    """The first cell of each table row (header excluded), or the start of each list item."""
    cells, row_first = [], False
    for t in _MD.parse(body):
        if t.type == "tr_open":
            row_first = True
        elif t.type == "inline" and row_first:
            cells.append(t.content)
            row_first = False
    cells = cells[1:]  # the header row
    return cells + [item.split("|")[0][:40] for item in _list_items(body)]


def _stats(body: str) -> dict[str, str]:
    out = {}
    for item in _list_items(body):
        key, sep, value = item.partition(":")
        if sep:
            out[key.strip().lower()] = value.strip()
    return out


def _words(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v for v in re.split(r"[,;]", value) if v.strip()]
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if str(v).strip()]
    return [str(value)]


def _first_sentence(text: str) -> str:
    plain = " ".join(re.sub(r"[#*_`>|]", " ", text).split())
    return re.split(r"(?<=[.!?])\s", plain, maxsplit=1)[0] if plain else ""


def _action(item: str) -> tuple[str, str, bool]:
    done = False
    m = CHECKBOX.match(item)
    if m:
        done = m.group(1).lower() == "x"
        item = item[m.end():]
    one_line = " ".join(item.split())
    title = one_line.split("\n")[0]
    if len(title) > 200:
        title = title[:199] + "…"
    return title, (item.strip() if title != one_line else ""), done


def parse(text: str, *, content_id: str, now: dt.datetime | None = None) -> Document:
    """One postmortem document (pure: no I/O). ``problems`` lists what makes it unimportable."""
    problems: list[str] = []
    now = now or utcnow()
    meta, content, unreadable = frontmatter_safe.split(text)
    if unreadable:
        problems.append(unreadable)
    lines = content.splitlines()
    first_heading, preface, found = _split(lines, _MD.parse(content))

    sections: dict[str, list[str]] = {}
    timeline_body, stats, actions, factor_items = "", {}, [], []
    last = None
    for heading, level, body in found:
        key = _key_for(heading)
        if heading.lower().strip() in ("stats", "statistics"):
            stats.update(_stats(body))
        if key == "action_items" and level <= 2:
            items = _list_items(body)
            actions += [_action(i) for i in items]
            if items or not body:
                last = None
                continue
            key = NOTES  # prose instead of a list: kept as written
        if key == "timeline":
            timeline_body += "\n" + body
        if key == "contributing_factors":
            factor_items += _list_items(body)
        if level >= 3 and last:  # a sub-section stays with the section above it
            target, text = last, f"#### {heading}\n\n{body}"
        elif key == NOTES:
            target, text = NOTES, f"### {heading}\n\n{body}"
        else:
            target, text = key, body
        sections.setdefault(target, []).append(text.strip())
        last = target
    if preface:
        sections.setdefault("summary", []).insert(0, preface)
    if meta.get("url"):
        sections.setdefault(NOTES, []).append(f"Source: <{meta['url']}>")

    title = " ".join(str(meta.get("title") or "").split()) or first_heading or _first_sentence(content)
    title = mapping.clean_title(title)[0] if title else ""
    if not title:
        problems.append("has no title: add a first heading (# What happened) or a 'title' in the frontmatter")
    summary_text = str(meta.get("summary") or "").strip() or "\n\n".join(sections.get("summary", []))
    summary = summary_text.split("\n\n")[0].strip()

    started, resolved, times = _times(meta, timeline_body, content, problems, now=now)
    detection = doc_times.duration(stats.get("time to detection") or stats.get("time to detect"))
    recovery = doc_times.duration(stats.get("time to recovery") or stats.get("time to resolve")
                                  or stats.get("time to resolution"))
    if resolved is None and started is not None:
        resolved = started + recovery if recovery is not None else (times[-1] if times else started)
    cells = _timeline_cells(timeline_body)
    if started is None and not problems and cells:
        problems.append(f"has no date: its timeline's first time '{cells[0].strip()[:30]}' is not a date such as "
                        "2024-01-31 14:05; correct it (or add 'start' to the frontmatter)")
    elif started is None and not problems:
        problems.append("has no date: add 'start' (and 'end') to the frontmatter, or a timeline whose rows begin "
                        "with a date such as 2024-01-31 14:05")
    if started is not None and resolved is not None and resolved < started:
        problems.append(f"ends ({resolved:%Y-%m-%d %H:%M} UTC) before it starts ({started:%Y-%m-%d %H:%M} UTC); "
                        "correct the times")
    declared = started + detection if started is not None and detection is not None else started
    if declared is not None and resolved is not None and declared > resolved:
        declared = resolved
    for what, at in (("its end", resolved), ("its declaration", declared)):
        wrong = at is not None and not problems and time_problem(at, now=now, what=what)
        if wrong:  # e.g. a recovery time that runs past now
            problems.append(wrong)

    tags = mapping.tags([*_words(meta.get("categories")), *_words(meta.get("keywords")),
                         *_words(meta.get("product")), *_words(stats.get("category"))])
    factors = mapping.tags(_first_sentence(f)[:80] for f in factor_items if len(f) <= 80)
    identity = str(meta.get("uuid") or meta.get("id") or "").strip() or content_id
    return Document(title=title, summary=summary, tags=tags, started_at=started, declared_at=declared,
                    resolved_at=resolved, sections={k: "\n\n".join(v).strip() for k, v in sections.items()},
                    factors=factors, actions=actions, external_id=identity,
                    declared_by=" ".join(str(meta.get("company") or "").split()) or None,
                    severity=str(meta["severity"]) if meta.get("severity") else None, problems=problems)


def _times(meta: dict, timeline: str, content: str, problems: list[str], *, now: dt.datetime
           ) -> tuple[dt.datetime | None, dt.datetime | None, list[dt.datetime]]:
    """(start, end, the document's own times in order): the frontmatter's start and end, else the timeline's
    first time (else the first date the document mentions). Its times are used only in a zone it states, and
    only inside the services' bounds; why not goes to ``problems``."""
    start = doc_times.front_time(meta, FRONT_START, problems)
    end = doc_times.front_time(meta, FRONT_END, problems)
    zone = doc_times.stated_zone(timeline if timeline.strip() else content)
    found = [t for t in (doc_times.stamp(c, zone.tz) for c in _timeline_cells(timeline)) if t is not None]
    if not found:  # no timeline with dates: the first date the document mentions
        first = doc_times.stamp(content, zone.tz)
        found = [first] if first else []
    times: list[dt.datetime] = []
    if zone.problem or any(t.tzinfo is None for t in found):
        if start is None and found:  # the document's times were needed: say why they cannot be used
            problems.append(zone.problem or doc_times.NO_ZONE)
    else:
        times = sorted(found)
    if start is None and times:
        start = times[0]
    for what, at in (("its start", start), ("its end", end)):
        wrong = at is not None and time_problem(at, now=now, what=what)
        if wrong:
            problems.append(wrong)
            return None, None, []
    return start, end, times


def content_hash(text: str) -> str:
    """The same document (up to line endings and surrounding blank space) hashes the same."""
    normal = "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").strip().splitlines())
    return "sha256:" + hashlib.sha256(normal.encode("utf-8")).hexdigest()[:32]


def read(files: list[ImportFile], ctx: Context, progress=None) -> tuple[Batch | None, pd.DataFrame]:
    problems: list[dict] = []
    docs: list[tuple[str, Document]] = []
    by_lower = {s.lower(): s for s in ctx.severities}
    for file, text in usable_files(files, ctx, problems, progress):
        doc = parse(text, content_id=content_hash(text), now=ctx.now)
        if doc.severity and doc.severity.lower() not in by_lower:
            doc.problems.append(f"severity '{doc.severity}' is not one of: {', '.join(ctx.severities)}")
        problems += [problem(file.name, p, id=doc.external_id) for p in doc.problems]
        docs.append((file.name, doc))
    ids = pd.DataFrame({"external_id": [d.external_id for _, d in docs], "_file": [n for n, _ in docs],
                        "_where": "(whole file)"})
    problems += cross_file_duplicates(ids, "external_id", "This postmortem (same uuid or same content)")
    if problems or not docs:
        if not docs and not problems:
            problems.append(problem("(no files)", "no postmortems to import"))
        return None, report(problems)
    return _normalise(docs, ctx, by_lower), report([])


def _normalise(docs: list[tuple[str, Document]], ctx: Context, by_lower: dict[str, str]) -> Batch:
    def utc(values):
        return pd.Series(pd.to_datetime(values, utc=True)).astype("datetime64[us, UTC]")

    ds = [d for _, d in docs]
    resolved = utc([d.resolved_at for d in ds])
    inc = pd.DataFrame({
        "source": SOURCE,
        "external_id": [d.external_id for d in ds],
        "title": [d.title for d in ds],
        "summary": [d.summary for d in ds],
        "severity": [by_lower[d.severity.lower()] if d.severity else ctx.severities[0] for d in ds],
        "type": None,
        # A published postmortem means the learning is done: the incident is closed when it was resolved.
        "status": Status.CLOSED.value,
        "mode": Mode.RETROSPECTIVE.value,
        "private": False,
        "declared_by": [d.declared_by or str(ctx.by) for d in ds],
        "declared_at": utc([d.declared_at for d in ds]),
        "started_at": utc([d.started_at for d in ds]),
        "resolved_at": resolved,
        "closed_at": resolved,
        "tags": [d.tags for d in ds],
    })
    upd = pd.DataFrame(columns=["source", "incident_external_id", "external_id", "posted_at", "author", "audience",
                                "status", "message"])
    learning = pd.DataFrame({"external_id": inc["external_id"], "sections": [d.sections for d in ds],
                             "factors": [d.factors for d in ds], "actions": [d.actions for d in ds]})
    return Batch(inc, upd, learning=learning)


def write_learning(tx, fresh: pd.DataFrame, learning: pd.DataFrame, *, by: str, now: dt.datetime) -> tuple[int, int]:
    """Inside the import's transaction: a published review and the follow-ups of each NEW incident.

    Incidents imported before keep the review and follow-ups the team may have edited since.
    Returns (reviews, follow-ups) written.
    """
    from ..follow_up import service as follow_ups
    from ..review import imported as reviews

    ids = dict(zip(fresh["external_id"], fresh["id"]))
    n_reviews = n_follow_ups = 0
    for row in learning[learning["external_id"].isin(set(ids))].itertuples(index=False):
        iid = int(ids[row.external_id])
        reviews.add_published(tx, iid, row.sections, row.factors, by=by, now=now,
                              detail="imported from a postmortem document")
        n_reviews += 1
        for title, description, done in row.actions:
            follow_ups.add_imported(tx, iid, title, description=description, done=done, by=by, now=now)
            n_follow_ups += 1
    return n_reviews, n_follow_ups
