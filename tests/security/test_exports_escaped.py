"""The review exports (HTML and Markdown, from Python and the CLI) keep every piece of user text inert.

Hostile text goes into every field a person can fill: the record (title, summary, names, updates,
impact, reasons, notes) and the review (answers, contributing factors, follow-ups, a waiver). The HTML
is read with an HTML parser and must hold no image, script, frame or link from user text; the Markdown
is rendered by a permissive CommonMark renderer (raw HTML on, as many viewers have it) and must give
the same. Control characters (but newline and tab) are gone from both. Text the services refuse
(control characters) is planted with SQL, as an import or an older version could have left it.
"""

from __future__ import annotations

import re
import subprocess
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

EVIL = "evil.example"
# Raw HTML (image, script, link, frame, event handler), Markdown images and links (inline, reference,
# autolink), a javascript: link and an entity-spelled tag.
HOSTILE = (f'<img src=http://{EVIL}/t.png> <script>alert(1)</script> <a href="http://{EVIL}/a">a</a> '
           f'<iframe src="http://{EVIL}/f"></iframe> <b onmouseover=alert(1)>b</b> '
           f'![pixel](http://{EVIL}/p.png) [sign in](http://{EVIL}/login) ![ref][r] <http://{EVIL}/auto> '
           f'[js](javascript:alert(1)) &lt;img src=x&gt; *bold* `code` | pipe |')
# Titles, names and factors are short: the same attacks, fewer of them.
SHORT = f"<img src=http://{EVIL}/s.png><script>x</script>![p](http://{EVIL}/p.png)[l](http://{EVIL}/l)"
HOSTILE_BLOCK = HOSTILE + f"\n\n[r]: http://{EVIL}/ref.png\n\n# heading\n\n<div>\n<img src=http://{EVIL}/d.png>\n</div>"
CONTROL = "\x07\x1b\x00\x0b\x0c\x7f\x9b\x85"
CONTROL_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
TRACKER = "https://tracker.example/FU-1"
# Tags the templates and Markdown's own formatting produce; nothing else may appear.
ALLOWED = {"html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "h4", "h5", "h6", "ul",
           "ol", "li", "strong", "em", "span", "p", "section", "table", "thead", "tbody", "tr", "th", "td", "footer",
           "code", "pre", "blockquote", "hr", "br", "a"}
_viewer = MarkdownIt("commonmark", {"html": True}).enable("table")  # a permissive viewer: raw HTML on


class Tags(HTMLParser):
    """Every start tag with its attributes, and all text."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def assert_inert(html: str, *, links: tuple[str, ...] = ()) -> Tags:
    """No image, script, frame or handler; the only links are ``links``; no attribute names the evil host."""
    parsed = Tags(html)
    names = {tag for tag, _ in parsed.tags}
    assert names <= ALLOWED, names - ALLOWED
    for tag, attrs in parsed.tags:
        assert not any(a.startswith("on") for a in attrs), (tag, attrs)
        assert not any(EVIL in (v or "") or "javascript:" in (v or "") for v in attrs.values()), (tag, attrs)
        if tag == "a":
            assert attrs.get("href") in links, attrs
    return parsed


def plant(kit, table: str, column: str, value: str, where: str = "id = 1") -> None:
    kit.db.write(lambda tx: tx.execute(f"UPDATE {table} SET {column} = ? WHERE {where}", [value]))


@pytest.fixture
def hostile(kit):
    """A workshop review with hostile text in every field people fill, and control characters planted."""
    inc = kit.declare(f"Title {SHORT}", declared_by=f"ana {SHORT}", severity="Major",
                      summary=f"Summary {HOSTILE_BLOCK}", lead=f"bao {SHORT}")
    ref = inc.reference
    kit.post_update(ref, f"Update {HOSTILE_BLOCK}", by=f"carmen {SHORT}", impact=f"Impact {HOSTILE}")
    kit.change_severity(ref, "Critical", reason=f"Reason {HOSTILE}", by="bao")
    kit.assign_role(ref, "comms", f"dev {SHORT}", by="bao")
    kit.post_update(ref, "Second update", by="bao", impact=f"Impact two {HOSTILE}")
    kit.resolve(ref, by="bao", note=f"Note {HOSTILE}")
    kit.start_review(ref, depth="workshop", by="bao")
    for section in ("summary", "went_well", "was_hard", "timeline", "impact", "notes"):
        kit.edit_review_section(ref, section, f"{section} {HOSTILE_BLOCK}", by="bao")
    kit.set_contributing_factors(ref, [f"factor {SHORT}"], by="bao")
    kit.add_follow_up(ref, f"Follow-up {SHORT}", owner=f"elif {SHORT}", tracker_url=TRACKER, by="bao")
    wont = kit.add_follow_up(ref, "Second", by="bao")
    kit.set_follow_up_status(wont.reference, "wont_do", reason=f"Because {HOSTILE}", by="bao")
    other = kit.declare(f"Other {SHORT}", declared_by="ana")
    kit.link_related(ref, other.reference, by="bao")
    plant(kit, "incidents", "title", f"Title {CONTROL} {SHORT}")
    plant(kit, "updates", "message", f"Update {CONTROL} {HOSTILE_BLOCK}", where="id = (SELECT min(id) FROM updates)")
    plant(kit, "incidents", "summary", f"Summary {CONTROL} {HOSTILE_BLOCK}")
    return ref


def test_the_html_review_export_has_no_image_script_or_link_from_user_text(kit, hostile):
    html = kit.export_review(hostile, format="html")
    parsed = assert_inert(html, links=(TRACKER,))
    assert [a["href"] for tag, a in parsed.tags if tag == "a"] == [TRACKER]  # the follow-up's tracker link only
    assert not CONTROL_CHARS.search(html)
    text = "".join(parsed.text)
    # shown as typed: the tags and the Markdown are text a reader sees
    assert f"Title  <img src=http://{EVIL}/s.png>" in text  # the control characters are gone
    assert f"Update {HOSTILE}" in text  # record text: exactly as typed (one line in the timeline)
    assert f"sign in (http://{EVIL}/login)" in text  # an answer's link: its text and address, not live
    assert "<script>alert(1)</script>" in text


def test_the_markdown_review_export_renders_to_nothing_live(kit, hostile):
    md = kit.export_review(hostile, format="markdown")
    assert not CONTROL_CHARS.search(md)
    assert "<script" not in md and "<img" not in md and "<iframe" not in md and f"<http://{EVIL}" not in md
    assert not re.search(r"(?<!\\)\[(pixel|sign in|ref|js)\]", md)  # every "[" from user text is escaped
    parsed = assert_inert(_viewer.render(md), links=(TRACKER,))
    assert f"Title  <img src=http://{EVIL}/s.png>" in "".join(parsed.text)  # still says what was typed
    assert md.count(f"[Follow-up") == 1 and f"(<{TRACKER}>)" in md


def test_a_waived_review_and_the_cli_export_are_inert_too(kit, hostile, subprocess_env, python, tmp_path):
    other = kit.declare(f"Waived {SHORT}", declared_by="ana")
    kit.resolve(other.reference, by="ana")
    kit.start_review(other.reference, depth="none", reason=f"Routine {SHORT}", by="ana")
    for fmt in ("html", "markdown"):
        out = kit.export_review(other.reference, format=fmt)
        assert_inert(out if fmt == "html" else _viewer.render(out))
    kit.close()
    for fmt in ("html", "md"):
        target = tmp_path / f"review.{fmt}"
        done = subprocess.run([python, "-m", "incident_kit", "review", "export", hostile, "--format", fmt,
                               "--output", str(target)], env=subprocess_env, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stderr
        out = target.read_text(encoding="utf-8")
        assert not CONTROL_CHARS.search(out)
        assert_inert(out if fmt == "html" else _viewer.render(out), links=(TRACKER,))


def test_a_tracker_url_that_is_not_http_is_not_a_link(kit, hostile):
    plant(kit, "follow_ups", "tracker_url", "javascript:alert(1)", where="id = 1")
    assert_inert(kit.export_review(hostile, format="html"))
    assert "(<javascript:" not in kit.export_review(hostile, format="markdown")


# -- the helpers, on any text -------------------------------------------------------------------
_ALPHABET = st.sampled_from(list("<>[]()!\\`*_~#-+=|&;:/.1 \n\tabhtpsimgrc\"'") + ["http://", "<img src=", "![",
                                                                                    "<script>", "&lt;", CONTROL])


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=40).map("".join))
def test_people_markdown_never_renders_as_html_image_or_link(text):
    from incident_kit.safe_output import markdown_answer, markdown_html

    for html in (markdown_html(text), _viewer.render(markdown_answer(text))):
        assert_inert(html)
        assert not CONTROL_CHARS.search(html)


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=40).map("".join))
def test_record_text_reads_exactly_as_typed_in_any_commonmark_reader(text):
    from incident_kit.safe_output import markdown_text

    line = " ".join(CONTROL_CHARS.sub("", text).split())  # one line, as the record's tables hold it
    html = _viewer.render(markdown_text(line))
    parsed = assert_inert(html)
    assert "".join(parsed.text).strip() == line
    assert {tag for tag, _ in parsed.tags} <= {"p"}
