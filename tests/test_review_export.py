from html.parser import HTMLParser

import pytest

import incident_kit as ik
from review_support import resolved_incident

pytestmark = pytest.mark.both_stores

EVIL = '<script>alert("x")</script>'


class Outline(HTMLParser):
    """Collects section ids and headings, table rows per section, and every start tag."""

    def __init__(self):
        super().__init__()
        self.tags, self.sections, self.rows, self.h2 = [], [], {}, []
        self._section, self._in_h2 = None, False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        attrs = dict(attrs)
        if tag == "section":
            self._section = attrs.get("id")
            self.sections.append(self._section)
        if tag == "h2":
            self._in_h2 = True
        if tag == "tr" and self._section:
            self.rows[self._section] = self.rows.get(self._section, 0) + 1

    def handle_endtag(self, tag):
        if tag == "h2":
            self._in_h2 = False

    def handle_data(self, data):
        if self._in_h2:
            self.h2.append(data.strip())


@pytest.fixture
def reviewed(kit):
    inc = resolved_incident(kit)
    kit.start_review(inc.reference, depth="standard", by="bao")
    kit.edit_review_section(inc.reference, "went_well", "- Rollback took **two** minutes\n- Paging worked", by="bao")
    kit.add_follow_up(inc.reference, "Add an alert for queue depth", owner="dev", due="2030-01-31", by="bao")
    fu = kit.add_follow_up(inc.reference, "Rewrite checkout", owner="elif", by="bao")
    kit.set_follow_up_status(fu.reference, "wont_do", reason="Too big for the gain", by="bao")
    return inc


def test_markdown_has_every_section_the_timeline_and_the_follow_ups(kit, reviewed):
    text = kit.export_review(reviewed.reference, format="markdown")
    heads = [line[3:] for line in text.splitlines() if line.startswith("## ")]
    assert heads == ["Summary", "Key times and people", "Impact", "Timeline", "Contributing factors",
                     "What went well", "What was hard", "Where we got lucky", "Notes", "Follow-ups"]
    assert text.startswith(f"# {reviewed.reference} review: {reviewed.title}\n")
    assert "- **Depth:** Standard review" in text and "- **Review status:** Draft" in text
    timeline = text.split("## Timeline")[1].split("## ")[0]
    story = [e for e in kit.events(reviewed.reference) if not e.kind.startswith(("review_", "follow_up_"))]
    assert len([ln for ln in timeline.splitlines() if ln.startswith("| 20")]) == len(story)
    follow = text.split("## Follow-ups")[1]
    assert "| FU-1 | Add an alert for queue depth | dev | Medium | Open | 2030-01-31 |" in follow
    assert "| FU-2 | Rewrite checkout | elif | Medium | Won't do: Too big for the gain |" in follow
    assert "_Not written yet._" in text.split("## What was hard")[1].split("## ")[0]


def test_markdown_and_md_are_the_same_format(kit, reviewed):
    assert kit.export_review(reviewed.reference, format="md").startswith("# ")


def test_html_has_the_same_structure_and_prints_well(kit, reviewed):
    html = kit.export_review(reviewed.reference, format="html")
    outline = Outline()
    outline.feed(html)
    assert outline.sections == ["summary", "key_facts", "impact", "timeline", "contributing_factors", "went_well",
                                "was_hard", "lucky", "notes", "follow-ups"]
    assert outline.h2[-1] == "Follow-ups"
    story = [e for e in kit.events(reviewed.reference) if not e.kind.startswith(("review_", "follow_up_"))]
    assert outline.rows["timeline"] == len(story) + 1  # plus the header row
    assert outline.rows["follow-ups"] == 2 + 1
    assert "<strong>two</strong>" in html  # markdown is rendered
    assert "@media print" in html and "@page" in html
    assert html.lstrip().startswith("<!DOCTYPE html>")


def test_a_note_and_a_waived_review_export_too(kit):
    inc = resolved_incident(kit)
    kit.start_review(inc.reference, depth="note", by="bao")
    md = kit.export_review(inc.reference)
    assert "## What happened and why" in md and "## Follow-ups" in md and "No follow-ups." in md
    other = resolved_incident(kit, title="Minor blip")
    kit.start_review(other.reference, depth="none", reason="Routine; nothing new", by="bao")
    md = kit.export_review(other.reference)
    assert "No review: Routine; nothing new" in md and "## " not in md
    assert "No review: Routine; nothing new" in kit.export_review(other.reference, format="html")


def test_workshop_export_has_its_extra_sections_and_date(kit):
    inc = resolved_incident(kit)
    kit.start_review(inc.reference, depth="workshop", scheduled_for="2030-03-02T13:00:00+00:00", by="bao")
    md = kit.export_review(inc.reference)
    for head in ("## Cross-team participants", "## Meeting agenda", "## Interview notes"):
        assert head in md
    assert "- **Workshop:** 2030-03-02 13:00 UTC" in md


def test_all_user_text_is_escaped_in_html(kit):
    inc = kit.declare(f"Title {EVIL}", declared_by=f"ana{EVIL}", severity="Major", summary=f"Summary {EVIL}",
                      lead=f"bao{EVIL}")
    kit.post_update(inc.reference, f"Update {EVIL}", by=f"carmen{EVIL}", impact=f"Impact {EVIL}")
    kit.change_severity(inc.reference, "Critical", reason=f"Reason {EVIL}", by="x")
    kit.resolve(inc.reference, by="x", note=f"Note {EVIL}")
    kit.start_review(inc.reference, depth="workshop", by="x")
    kit.edit_review_section(inc.reference, "went_well", f"Went well {EVIL} <img src=x onerror=alert(1)> "
                            "[link](javascript:alert(1))", by="x")
    kit.set_contributing_factors(inc.reference, [f"factor {EVIL}"], by="x")
    kit.add_follow_up(inc.reference, f"Follow-up {EVIL}", owner=f"dev{EVIL}", by="x",
                      tracker_url='https://example.com/"><script>x</script>')
    wont = kit.add_follow_up(inc.reference, "second", by="x")
    kit.set_follow_up_status(wont.reference, "wont_do", reason=f"Because {EVIL}", by="x")
    html = kit.export_review(inc.reference, format="html")
    outline = Outline()
    outline.feed(html)
    assert "script" not in outline.tags and "img" not in outline.tags
    assert "<script" not in html and "<img" not in html and 'href="javascript:' not in html
    assert html.count("&lt;script&gt;") >= 12  # title, summary, update, impact, names, reason, section, ...
    assert 'href="https://example.com/&#34;&gt;&lt;script&gt;x&lt;/script&gt;"' in html


def test_unknown_format_and_missing_review_are_explained(kit):
    inc = resolved_incident(kit)
    with pytest.raises(ik.IncidentKitError, match="no review to export"):
        kit.export_review(inc.reference)
    kit.start_review(inc.reference, depth="note", by="bao")
    with pytest.raises(ik.IncidentKitError, match="markdown \\(md\\), html"):
        kit.export_review(inc.reference, format="pdf")


def test_sections_nobody_wrote_are_filled_from_the_record(kit):
    """A review that has no written sections (demo data, imported history) still exports what the record knows."""
    import datetime as dt

    from incident_kit import demo

    demo.load(kit.db, incidents=80, now=dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc))
    reviews = kit.reviews()
    ref = reviews[(reviews.depth == "standard") & (reviews.status == "published")].incident.iloc[0]
    text = kit.export_review(ref, format="markdown")
    timeline = text.split("## Timeline", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in timeline.splitlines() if line.startswith("| 20")]
    assert len(rows) == len(kit.events(ref)) - sum(
        e.kind.startswith(("review_", "follow_up_")) for e in kit.events(ref))
    assert "| Declared |" in text and "_Not written yet._" in text.split("## Contributing factors", 1)[1]


def test_answers_keep_their_formatting_and_links_read_as_text_in_both_formats(kit):
    inc = resolved_incident(kit)
    kit.start_review(inc.reference, depth="note", by="bao")
    kit.edit_review_section(inc.reference, "what_happened", "- **Rollback** took `4 min`\n- See [the runbook]"
                            "(https://wiki.example/runbook)\n\n> quoted", by="bao")
    html = kit.export_review(inc.reference, format="html")
    assert "<strong>Rollback</strong>" in html and "<code>4 min</code>" in html and "<blockquote>" in html
    assert "the runbook (https://wiki.example/runbook)" in html and "<a " not in html
    md = kit.export_review(inc.reference, format="markdown")
    assert "- **Rollback** took `4 min`" in md and "> quoted" in md
    assert "\\[the runbook](https://wiki.example/runbook)" in md  # a link's text and address, not a link


def test_record_text_reads_as_typed_in_markdown(kit):
    inc = kit.declare("Cache *stampede* on [eu-1] | 2024. #ops <b>", declared_by="ana_b")
    kit.resolve(inc.reference, by="ana_b")
    kit.start_review(inc.reference, depth="note", by="ana_b")
    md = kit.export_review(inc.reference, format="markdown")
    title = md.splitlines()[0]
    assert title == "# INC-1 review: Cache \\*stampede\\* on \\[eu-1\\] &#124; 2024. #ops &lt;b&gt;"
    from markdown_it import MarkdownIt

    assert MarkdownIt("commonmark").render(title) == \
        "<h1>INC-1 review: Cache *stampede* on [eu-1] | 2024. #ops &lt;b&gt;</h1>\n"
