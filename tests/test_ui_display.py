"""Display helpers: durations, dates and labels in people's words; user text made inert Markdown."""

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd
from markdown_it import MarkdownIt

from incident_kit.ui import display

_md = MarkdownIt("commonmark").enable("table")  # the same CommonMark rules Streamlit's renderer follows


def test_durations_read_like_people_say_them():
    assert display.duration(dt.timedelta(minutes=11, seconds=4)) == "11 min"
    assert display.duration(dt.timedelta(minutes=80)) == "1 h 20 min"
    assert display.duration(dt.timedelta(days=2)) == "2 d"
    assert display.minutes(11.0765) == "11 min"
    assert display.minutes(None) == "—"


def test_the_app_and_notifications_say_how_long_in_the_same_words():
    from incident_kit.notify.messages import late_text

    for minutes in (0.5, 11, 60, 80, 24 * 60, 49 * 60 + 30):
        assert late_text(minutes) == display.minutes(minutes)
    assert late_text(125) == "2 h 5 min"


def test_dates_are_local_and_readable():
    at = dt.datetime(2026, 12, 20, 14, 57, 37, tzinfo=dt.timezone.utc)
    from zoneinfo import ZoneInfo

    assert display.date_time(at, ZoneInfo("Europe/Paris")) == "Sun 20 Dec 2026, 15:57 CET"
    assert display.day(at) == "20 Dec 2026"
    assert display.date_time(None) == "—"


def test_labels_use_the_apps_words_not_identifiers():
    assert display.status("post_incident") == "Post-incident"
    assert display.status("in_review") == "In review"
    assert display.depth("note") == "Short note"
    assert display.field("time_to_declare") == "Time to declare"
    assert display.field("p90") == "Slowest 10 % (90th percentile)"
    assert display.value(None) == "—"


def test_hostile_text_renders_as_the_same_text_with_no_link_image_or_html():
    hostile = "![x](http://host/x.png) [SIGN IN AGAIN](http://host/login) <img src=x> **bold** :red[alarm] $x$"
    html = _md.render(display.text(hostile))
    assert "<a " not in html and "<img" not in html and "<strong>" not in html
    assert "&lt;img src=x&gt;" in html and "SIGN IN AGAIN" in html
    plain = display.text("Checkout 500s, ana's deploy")
    assert _md.render(plain).strip() in ("<p>Checkout 500s, ana's deploy</p>", "<p>Checkout 500s, ana&#x27;s deploy</p>")


def test_long_text_is_shortened_and_newlines_kept_only_in_blocks():
    assert display.text("a\nb") == "a b"
    assert display.text("x" * 50, limit=10).endswith("…")
    assert "  \n" in display.block("line one\nline two")


def test_line_starts_that_would_make_lists_or_headings_stay_text():
    for raw in ("- not a list", "1. not a list", "# not a heading", "> not a quote", "==="):
        html = _md.render(display.block(raw))
        assert html.strip().startswith("<p>") and "<ul>" not in html and "<ol>" not in html
    assert display.text("api-gateway nodes") == "api-gateway nodes"  # ordinary words stay readable


def test_counts_are_worded_with_the_right_plural():
    assert [display.count(n, "incident") for n in (0, 1, 2, 1234)] == [
        "0 incidents", "1 incident", "2 incidents", "1,234 incidents"]
    assert display.count(1, "follow-up") == "1 follow-up" and display.count(3, "policy") == "3 policies"
    assert display.plural(2, "person") == "people" and display.plural(1, "was") == "was"
    assert display.plural(2, "comes", "come") == "come" and display.plural(1, "comes", "come") == "comes"


def test_empty_values_never_read_none_or_nan():
    assert [display.value(v) for v in (None, float("nan"), pd.NaT, "  ", "x")] == ["—", "—", "—", "—", "x"]
    assert display.label(None, {}) == display.EMPTY


def test_catalog_names_read_as_their_display_names():
    from incident_kit.catalog.models import IncidentType

    labels = display.type_labels([IncidentType("customer_support", "Customer support", "", False)])
    assert display.label("customer_support", labels) == "Customer support"
    assert display.label("retired_type", labels) == "retired_type"  # unknown: as stored, never dropped


def test_an_update_reads_in_the_pages_date_format_and_its_text_stays_text():
    when = dt.datetime(2026, 12, 6, 8, 24, tzinfo=dt.timezone.utc)
    shown = display.update_markdown(status="fixing", message="[click](http://x) *now*", impact="Some",
                                    next_update_at=when, tz=ZoneInfo("Europe/London"))
    assert "**Next update by:** Sun 6 Dec 2026, 08:24 GMT" in shown  # as the page says dates, not '2026-12-06 08:24 UTC'
    assert "**Current status:** Fixing" in shown and "**What we're doing:** Investigating." in shown
    assert "\\[click\\]" in shown and "\\*now\\*" in shown
    closing = display.update_markdown(status="resolved", message="All refunded.")
    assert closing.split("\n\n") == ["**Current status:** Resolved", "All refunded.", "There will be no further updates."]


def test_an_updates_glance_is_its_status_and_the_start_of_its_text():
    glance = display.update_glance(status="investigating", message="word " * 100, doing="ignored")
    first, second = glance.split("  \n")
    assert first == "**Current status:** Investigating"
    assert len(second) <= display.UPDATE_GLANCE_CHARS and second.endswith("…")
