"""How pages word things for people: durations, dates, human labels, and user text made inert.

Pure functions (no Streamlit calls), so every page says "1 h 20 min", "Time to
declare" and "Post-incident" the same way, and so they are tested without an app.

``text()`` is the one escape for user text (titles, names, updates, ``?ref=``
values) that goes into ``st.markdown``/``st.title``/``st.warning``...: Streamlit
reads those strings as Markdown (links, images, ``:red[...]``, ``$math$``), so
every character Markdown gives a meaning is backslash-escaped and HTML tags are
shown as text. Table cells in ``st.dataframe`` are drawn as plain text already.
"""

from __future__ import annotations

import datetime as dt
import math
import re

import pandas as pd

from ..clock import human_duration
from ..incident.format import final_line, update_fields
from ..review.models import DEPTH_LABELS as REVIEW_DEPTH_LABELS
from ..words import count, plural  # noqa: F401  (re-exported: pages word counts through display)

UTC = dt.timezone.utc
EMPTY = "—"  # what an empty value reads as, in text and in tables (st.dataframe(placeholder=EMPTY)): never "None"

# The marks that start Markdown anywhere in a line: emphasis, code, links and images, HTML and
# entities, tables, strikethrough, plus ':' (Streamlit's :icon: / :color[...]) and '$' (its LaTeX).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#!|~:$&])")
# Marks that only mean something at the start of a line: lists, quotes, headings by underline, "1." lists.
_LINE_START = re.compile(r"^(\s*)([-+=>]|\d+(?=[.)]))")
# Streamlit turns a bare URL into a link; a zero-width joiner after "://" keeps it text.
_LINK_SCHEME = re.compile(r"(?i)\b(https?|ftp|mailto|javascript|data|file|www)(\\:|\.)")


def text(value, *, limit: int | None = None) -> str:
    """User text as inert Markdown: shown exactly as typed, never as a link, image, HTML or format.

    Newlines become spaces (a title or a name is one line); ``limit`` shortens with an ellipsis.
    """
    if value is None or (not isinstance(value, str) and pd.api.types.is_scalar(value) and pd.isna(value)):
        return ""
    one_line = " ".join(str(value).split())
    if limit is not None and len(one_line) > limit:
        one_line = one_line[: max(1, limit - 1)].rstrip() + "…"
    return block(one_line)


def block(value) -> str:
    """Multi-line user text (an update, a review answer) as inert Markdown; line breaks are kept."""
    if value is None:
        return ""
    lines = str(value).replace("\r\n", "\n").split("\n")
    escaped = [_LINK_SCHEME.sub("\\1\u200d\\2", _MARKDOWN_SPECIAL.sub(r"\\\1", line)) for line in lines]
    escaped = [_LINE_START.sub(lambda m: m.group(1) + (m.group(2) + "\\" if m.group(2)[0].isdigit()
                                                       else "\\" + m.group(2)), line) for line in escaped]
    return "  \n".join(escaped)  # two trailing spaces: a hard line break


# -- durations -------------------------------------------------------------------------
def duration(value) -> str:
    """'45 s', '11 min', '1 h 20 min', '2 d', '2 d 3 h'; '—' when unknown. Accepts a timedelta or minutes."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return "—"
    return human_duration(value)


def minutes(value) -> str:
    """A number of minutes (as analytics frames hold them) in words: 11.0765 -> '11 min'."""
    if value is None or pd.isna(value):
        return "—"
    return duration(dt.timedelta(minutes=float(value)))


# -- dates -------------------------------------------------------------------------------
def _aware(value) -> dt.datetime | None:
    if value is None or value is pd.NaT or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time(), tzinfo=UTC)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def date_time(value, tz: dt.tzinfo | None = None) -> str:
    """'Sun 20 Dec 2026, 15:57 CET' in the viewer's zone; '—' when unknown."""
    ts = _aware(value)
    if ts is None:
        return "—"
    local = ts.astimezone(tz or UTC)
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M} {local.tzname() or ''}".rstrip()


def day(value, tz: dt.tzinfo | None = None) -> str:
    """'20 Dec 2026' (a due date, a publish date); '—' when unknown."""
    ts = _aware(value)
    if ts is None:
        return "—"
    local = ts.astimezone(tz or UTC)
    return f"{local.day} {local:%b %Y}"


def clock(value, tz: dt.tzinfo | None = None) -> str:
    """'15:57' in the viewer's zone (for rows already grouped by day)."""
    ts = _aware(value)
    return "—" if ts is None else f"{ts.astimezone(tz or UTC):%H:%M}"


def local_naive(series: pd.Series, tz: dt.tzinfo | None = None) -> pd.Series:
    """A UTC timestamp column converted to the viewer's zone for a DatetimeColumn (which shows wall time)."""
    values = pd.to_datetime(series, utc=True)
    return values.dt.tz_convert(tz or UTC).dt.tz_localize(None)


# -- labels ------------------------------------------------------------------------------------
STATUS_LABELS = {
    "investigating": "Investigating", "fixing": "Fixing", "monitoring": "Monitoring", "resolved": "Resolved",
    "post_incident": "Post-incident", "closed": "Closed", "declined": "Declined", "merged": "Merged",
    # reviews and follow-ups
    "draft": "Draft", "in_review": "In review", "published": "Published", "waived": "Waived",
    "open": "Open", "in_progress": "In progress", "done": "Done", "wont_do": "Won't do", "cancelled": "Cancelled",
}
DEPTH_LABELS = {str(k): v for k, v in REVIEW_DEPTH_LABELS.items()}  # the review domain's words
AUDIENCE_LABELS = {"internal": "Internal", "external": "External (customers)"}
PRIORITY_LABELS = {"low": "Low", "medium": "Medium", "high": "High", "urgent": "Urgent"}

# Column and metric names as people read them. Anything not listed falls back to "Sentence case".
FIELD_LABELS = {
    "reference": "Reference", "incident": "Incident", "title": "Title", "severity": "Severity", "status": "Status",
    "depth": "Review", "open_follow_ups": "Open follow-ups", "updated_at": "Last changed", "due_at": "Due",
    "tracker_url": "Tracker link", "owner": "Owner", "priority": "Priority", "overdue": "Overdue",
    "external_id": "ID in the source", "declared_by": "Declared by", "declared_at": "Declared",
    "started_at": "Impact started", "resolved_at": "Resolved", "closed_at": "Closed", "type": "Type",
    "lead": "Incident lead", "comms_lead": "Comms lead", "accountable": "Updates by", "source": "Source",
    "time_to_declare": "Time to declare", "time_to_first_update": "Time to first update",
    "time_to_resolve": "Time to resolve", "update_gap": "Gap between updates", "impact_duration": "Duration of impact",
    "n": "Incidents", "count": "Count", "median": "Median", "p50": "Median", "p90": "Slowest 10 % (90th percentile)",
    "mean": "Average", "section": "Section", "version": "Version", "edited_at": "Saved", "edited_by": "By",
    "next_update_due": "Next update due", "last_update_at": "Last update", "late": "Late by",
    "minutes_late": "Late by", "summary": "Summary", "tags": "Tags", "private": "Private", "mode": "Mode",
    "created_at": "Created", "created_by": "Created by", "published_at": "Published",
}


def status(value) -> str:
    """An incident, review or follow-up status in the app's words: 'post_incident' -> 'Post-incident'."""
    raw = getattr(value, "value", value)
    key = str(raw or "").strip().lower()
    return STATUS_LABELS.get(key, key.replace("_", " ").capitalize() or "—")


def depth(value) -> str:
    raw = str(getattr(value, "value", value) or "").strip().lower()
    return DEPTH_LABELS.get(raw, raw.replace("_", " ").capitalize() or "—")


def field(name: str) -> str:
    """A column or metric identifier as a label: 'time_to_declare' -> 'Time to declare'."""
    key = str(name)
    return FIELD_LABELS.get(key, key.replace("_", " ").strip().capitalize())


def type_labels(types) -> dict[str, str]:
    """The catalog's incident types as ``{name: display name}`` ('customer_support' -> 'Customer support')."""
    return {t.name: t.label for t in types or []}


def label(value, labels: dict[str, str]) -> str:
    """A stored name in the catalog's words: its display name if ``labels`` knows it, else as stored; '—' if empty."""
    shown = value_or_none(value)
    return EMPTY if shown is None else labels.get(shown, shown)


def value_or_none(cell) -> str | None:
    """A cell as text, or None when it is empty (None, NaN, NaT, or only spaces): never the words 'None' or 'nan'."""
    if cell is None or (pd.api.types.is_scalar(cell) and pd.isna(cell)):
        return None
    return str(cell).strip() or None


def yes_no(value) -> str:
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return "—"
    return "Yes" if bool(value) else "No"


def value(cell) -> str:
    """Any table cell for display: None/NaN/NaT -> '—', never the word 'None'."""
    shown = value_or_none(cell)
    return EMPTY if shown is None else shown


def follow_up_frame(frame: pd.DataFrame, *, with_incident: bool = True) -> pd.DataFrame:
    """Follow-ups as people read them: no identifiers, statuses in words, due dates as '20 Dec 2026'."""
    out = pd.DataFrame({"Follow-up": frame["reference"]})
    if with_incident:
        out["Incident"] = frame["incident"]
    out["What"] = frame["title"]
    out["Owner"] = [value(v) for v in frame["owner"]]
    out["Priority"] = [PRIORITY_LABELS.get(p, str(p).capitalize()) for p in frame["priority"]]
    out["Status"] = [status(v) for v in frame["status"]]
    out["Due"] = [day(v) for v in frame["due_at"]]
    out["Overdue"] = [yes_no(v) for v in frame["overdue"]]
    if "tracker_url" in frame:
        out["Tracker link"] = [v if isinstance(v, str) and v.lower().startswith(("http://", "https://")) else None
                               for v in frame["tracker_url"]]
    return out.reset_index(drop=True)


# -- updates ---------------------------------------------------------------------------------
UPDATE_PARTS = ("status", "message", "impact", "doing", "next_update_at")  # what update_markdown lays out
def update_markdown(*, status, message: str = "", impact: str = "", doing: str = "", next_update_at=None,
                    tz: dt.tzinfo | None = None) -> str:
    """An update as the app shows it: the same parts as every other surface (``incident.format``), with the
    next update in the app's date format ('Sun 6 Dec 2026, 09:24 UTC', the viewer's zone) and the text inert."""
    lines = [f"**{f.label}:** " + (date_time(f.at, tz) if f.at is not None else block(f.text))
             for f in update_fields(status=status, impact=impact, doing=doing, next_update_at=next_update_at)]
    parts = ["  \n".join(lines)]
    if (message or "").strip():
        parts.append(block(message.strip()))
    closing = final_line(status, next_update_at)
    if closing:
        parts.append(closing)
    return "\n\n".join(parts)


# What a collapsed update shows: enough to know where things stand ("Current status" and the start of the text).
UPDATE_GLANCE_CHARS = 160


def update_glance(*, status, message: str = "", impact: str = "", **_ignored) -> str:
    """The first lines of an update for a list of incidents: its status and the start of what was written."""
    first = " ".join((message or impact or "").split())
    head = update_fields(status=status)[0]
    return f"**{head.label}:** {block(head.text)}" + (f"  \n{text(first, limit=UPDATE_GLANCE_CHARS)}" if first else "")
