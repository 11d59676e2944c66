"""A review as Markdown, or as HTML that prints well. Pure functions over plain data.

HTML goes through Jinja2 with autoescape on, and section bodies (markdown written
by people) through markdown-it with raw HTML switched off, so no user text can
inject markup: ``<script>`` in a section comes out as ``&lt;script&gt;``. Control
characters that XML forbids are removed from every value (``safe_output.xml_text``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markdown_it import MarkdownIt
from markupsafe import Markup

from ..errors import IncidentKitError
from ..follow_up.models import FollowUpStatus, Priority
from ..incident.models import Incident
from ..safe_output import xml_text
from . import prefill
from .models import DEPTH_HELP, Depth, Review, has_follow_ups

FORMATS = {"markdown": "markdown", "md": "markdown", "html": "html"}

_html_env = Environment(loader=PackageLoader("incident_kit.review", "templates"),
                        autoescape=select_autoescape(["html", "j2"]), undefined=StrictUndefined,
                        trim_blocks=True, lstrip_blocks=True, finalize=xml_text)
_md_env = Environment(loader=PackageLoader("incident_kit.review", "templates"), autoescape=False,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
# CommonMark with tables; "html": False escapes any raw HTML people typed; links are validated
# (javascript: and data: URLs are dropped by markdown-it's validateLink).
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


def markdown_to_html(text: str) -> Markup:
    return Markup(_markdown.render(text or ""))


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
    """Only http(s) links become links (the service checks this; imported rows may not have been)."""
    return url if url.lower().startswith(("http://", "https://")) else None


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


def context(incident: Incident, review: Review, follow_ups: pd.DataFrame,
            generated_at: dt.datetime | None = None, facts: prefill.Prefill | None = None,
            related: list[dict] | None = None) -> dict:
    """``facts``: the record's prefill, used for any section nobody has written (e.g. a demo or imported review)."""

    printed: set[str] = set()

    def body(spec, text: str) -> str:
        """What the record says (each fact once, at the first question that shows it), then what people
        wrote; an older review's copy of the record in its text is not printed twice."""
        text = (text or "").strip()
        if facts is None:
            return text
        old_copy = prefill.section_text(spec.key, facts).strip()
        if spec.key != "agenda" and old_copy and old_copy in text:
            text = text.replace(old_copy, "").strip()
        names = [n for n in spec.facts if n not in printed]
        printed.update(names)
        record = "\n\n".join(t for t in (prefill.fact_markdown(n, facts).strip() for n in names) if t)
        return "\n\n".join(t for t in (record, text) if t)

    return {
        "incident": incident,
        "review": review,
        "depth_label": review.depth.label,
        "depth_help": DEPTH_HELP[review.depth],
        "status_label": review.status.label,
        "sections": [{"key": spec.key, "title": spec.title, "body": body(spec, text)}
                     for spec, text in review.visible_sections],
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
        ctx["cell"] = prefill.cell
        return _md_env.get_template("review.md.j2").render(**ctx).strip() + "\n"
    ctx["markdown"] = markdown_to_html
    return _html_env.get_template("review.html.j2").render(**ctx)
