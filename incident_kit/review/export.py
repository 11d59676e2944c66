"""A review as Markdown, or as HTML that prints well. Pure functions over plain data.

Every piece of user text is hostile, the record (titles, names, updates, impact, the
summary) and the answers people wrote alike, and each is made safe by ``safe_output``:

* The record is plain text: in Markdown it is escaped (``markdown_text``) so a reader
  shows it exactly as typed; the HTML template shows it through Jinja2's autoescape,
  and the record tables (Markdown built from escaped text) through ``markdown_html``.
* Answers are Markdown: the Markdown file keeps their formatting but not their raw
  HTML, images or links (``markdown_answer``); the HTML renders them with markdown-it,
  raw HTML off, images as their description and links as text (``markdown_html``).
* Every value loses its control characters but newline and tab (``document_text``, the
  ``finalize`` hook of both environments).

No user text becomes a live link or loads anything; the one link is a follow-up's
tracker URL, and only if it is http(s) with a host.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from urllib.parse import quote

import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from ..errors import IncidentKitError
from ..follow_up.models import FollowUpStatus, Priority
from ..incident.models import Incident
from ..safe_output import document_text, http_url, markdown_answer, markdown_html, markdown_text
from . import prefill
from .models import DEPTH_HELP, Depth, Review, has_follow_ups

FORMATS = {"markdown": "markdown", "md": "markdown", "html": "html"}

_html_env = Environment(loader=PackageLoader("incident_kit.review", "templates"),
                        autoescape=select_autoescape(["html", "j2"]), undefined=StrictUndefined,
                        trim_blocks=True, lstrip_blocks=True, finalize=document_text)
_md_env = Environment(loader=PackageLoader("incident_kit.review", "templates"), autoescape=False,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                      finalize=document_text)
_md_env.filters["md"] = markdown_text


def markdown_to_html(text: str) -> Markup:
    """Markdown as HTML in which nothing loads or links (``safe_output.markdown_html``)."""
    return Markup(markdown_html(text))


@dataclass(frozen=True)
class FollowUpRow:
    reference: str
    title: str
    owner: str
    priority: str
    status: str
    due: str
    tracker_url: str | None
    reason: str | None
    overdue: bool


def _text(value) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


def _safe_url(url: str) -> str | None:
    """Only http(s) links with a host become links (the service checks this; imported rows may not have been)."""
    try:
        return http_url(url) if url else None
    except IncidentKitError:
        return None


def markdown_url(url: str) -> str:
    """A checked URL as a Markdown link destination (``<...>``): what would end it is percent-encoded."""
    return quote(url, safe="/:?#[]@!$&'()*+,;=%~")


def follow_up_rows(frame: pd.DataFrame) -> list[FollowUpRow]:
    rows = []
    for r in frame.to_dict(orient="records"):
        due = r["due_at"]
        rows.append(FollowUpRow(
            reference=r["reference"], title=r["title"], owner=_text(r["owner"]) or "—",
            priority=Priority(r["priority"]).label, status=FollowUpStatus(r["status"]).label,
            due="—" if due is None or pd.isna(due) else pd.Timestamp(due).strftime("%Y-%m-%d"),
            tracker_url=_safe_url(_text(r["tracker_url"])), reason=_text(r["wont_do_reason"]) or None,
            overdue=bool(r["overdue"])))
    return rows


def escaped_facts(p: prefill.Prefill) -> prefill.Prefill:
    """The record with every piece of user text as literal Markdown, so the record tables are safe."""
    md = markdown_text
    inc = p.incident
    return replace(
        p,
        incident=replace(inc, title=md(inc.title), summary=md(inc.summary), severity=md(inc.severity),
                         declared_by=md(inc.declared_by)),
        timeline=[replace(e, text=md(e.text), actor=md(e.actor)) for e in p.timeline],
        roles=[replace(r, role=md(r.role), person=md(r.person)) for r in p.roles],
        severity_history=[replace(c, severity=md(c.severity), previous=md(c.previous) if c.previous else None,
                                  actor=md(c.actor), reason=md(c.reason) if c.reason else None)
                          for c in p.severity_history],
        impacts=[replace(i, author=md(i.author), audience=md(i.audience), text=md(i.text)) for i in p.impacts],
        participants=[md(name) for name in p.participants])


def context(incident: Incident, review: Review, follow_ups: pd.DataFrame,
            generated_at: dt.datetime | None = None, facts: prefill.Prefill | None = None,
            related: list[dict] | None = None) -> dict:
    """``facts``: the record's prefill, used for any section nobody has written (e.g. a demo or imported review).

    Each section has ``record`` (safe Markdown from the record) and ``text`` (the Markdown people wrote,
    as they wrote it: each format neutralises it for itself)."""

    printed: set[str] = set()
    safe_facts = escaped_facts(facts) if facts is not None else None

    def section(spec, text: str) -> dict:
        """What the record says (each fact once, at the first question that shows it), then what people
        wrote; an older review's copy of the record in its text is not printed twice."""
        text = (text or "").strip()
        record = ""
        if facts is not None:
            old_copy = prefill.section_text(spec.key, facts).strip()
            if spec.key != "agenda" and old_copy and old_copy in text:
                text = text.replace(old_copy, "").strip()
            names = [n for n in spec.facts if n not in printed]
            printed.update(names)
            record = "\n\n".join(t for t in (prefill.fact_markdown(n, safe_facts).strip() for n in names) if t)
        return {"key": spec.key, "title": spec.title, "record": record, "text": text}

    return {
        "incident": incident,
        "review": review,
        "depth_label": review.depth.label,
        "depth_help": DEPTH_HELP[review.depth],
        "status_label": review.status.label,
        "sections": [section(spec, text) for spec, text in review.visible_sections],
        "show_follow_ups": has_follow_ups(review.depth),
        "follow_ups": follow_up_rows(follow_ups),
        "factors": list(review.contributing_factors),
        "related": [{"reference": r["reference"], "title": r["title"]} for r in related or ()],
        "waived": review.depth == Depth.NONE,
        "when": prefill.when,
        "generated_at": prefill.when(generated_at) if generated_at else None,
    }


def render(incident: Incident, review: Review, follow_ups: pd.DataFrame, *, format: str = "markdown",
           generated_at: dt.datetime | None = None, facts: prefill.Prefill | None = None,
           related: list[dict] | None = None) -> str:
    fmt = FORMATS.get(str(format).strip().lower())
    if fmt is None:
        raise IncidentKitError(f"Export format '{format}' is not one of: markdown (md), html.")
    ctx = context(incident, review, follow_ups, generated_at, facts, related)
    if fmt == "markdown":
        ctx["cell"] = lambda text: prefill.cell(markdown_text(text))
        ctx["answer"] = markdown_answer
        ctx["url"] = markdown_url
        return _md_env.get_template("review.md.j2").render(**ctx).strip() + "\n"
    ctx["markdown"] = markdown_to_html
    return _html_env.get_template("review.html.j2").render(**ctx)
