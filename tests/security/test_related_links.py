"""A related link never tells an outsider about a private incident: not its title, not its reference.

Linking a public incident to a private one once wrote "INC-2 · <private title>" onto the public
incident's timeline, where anyone who may see the public incident read it: ``kit.events``, the
review's record, both review exports and ``export`` without private incidents. Now the timeline
event holds the other incident's reference only, shows only to viewers who may see that incident,
and the title is looked up where it is shown (``kit.related``), for those who may see it.
"""

from __future__ import annotations

import json

import pytest
from .actors import ANA, BOB

pytestmark = pytest.mark.both_stores

SECRET_TITLE = "Payroll file of Acme shared publicly"


@pytest.fixture
def linked(kit):
    """A public incident (INC-1) linked by its participant ana to her private one (INC-2); resolved, reviewed."""
    public = kit.declare("Checkout is slow", declared_by=ANA)
    private = kit.declare(SECRET_TITLE, declared_by=ANA, private=True)
    kit.link_related(public.reference, private.reference, by=ANA)
    kit.resolve(public.reference, by=ANA)
    kit.start_review(public.reference, depth="standard", by=ANA)
    return public.reference, private.reference


def _says(text: str, private_ref: str) -> bool:
    """Whether ``text`` mentions the private incident (its title, or its reference as a whole word)."""
    import re

    return SECRET_TITLE in text or re.search(rf"(?<![\w-]){re.escape(private_ref)}(?!\d)", text) is not None


def test_an_outsider_reads_nothing_of_a_linked_private_incident_on_the_public_timeline(kit, linked):
    public, private = linked
    events = kit.events(public, viewer=BOB)
    assert events and not any(_says(" ".join(str(v) for v in vars(e).values()), private) for e in events)
    assert not any(_says(text, private) for text in kit.timeline(public, viewer=BOB)["text"])
    assert kit.related(public, viewer=BOB) == []


def test_an_outsiders_review_record_and_exports_say_nothing_of_it(kit, linked):
    public, private = linked
    facts = kit.review_prefill(public, viewer=BOB)
    assert not any(_says(f"{e.text} {e.actor}", private) for e in facts.timeline)
    for fmt in ("markdown", "html"):
        assert not _says(kit.export_review(public, format=fmt, viewer=BOB), private), fmt


def test_export_without_private_incidents_leaves_out_the_link_and_its_events(kit, linked, tmp_path):
    public, private = linked
    kit.export(tmp_path / "out", format="json", include_private=False)
    everything = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "out").iterdir())
    assert SECRET_TITLE not in everything
    events = json.loads((tmp_path / "out" / "events.json").read_text(encoding="utf-8"))
    assert not any(private in (e["new_value"], e["old_value"]) for e in events if e["field"] == "related")
    assert json.loads((tmp_path / "out" / "related_incidents.json").read_text(encoding="utf-8")) == []


def test_who_may_see_both_reads_the_reference_and_gets_the_title_when_it_is_shown(kit, linked):
    public, private = linked
    for viewer in (ANA, None):  # a participant of both, and the trusted local operator
        texts = list(kit.timeline(public, viewer=viewer)["text"])
        assert f"Related to {private}" in texts and not any(SECRET_TITLE in t for t in texts)
        assert [r["title"] for r in kit.related(public, viewer=viewer)] == [SECRET_TITLE]
        assert SECRET_TITLE in kit.export_review(public, format="markdown", viewer=viewer)  # "Related incidents"
    kit.unlink_related(public, private, by=ANA)
    assert f"No longer related to {private}" in list(kit.timeline(public, viewer=ANA)["text"])
    assert not any(_says(t, private) for t in kit.timeline(public, viewer=BOB)["text"])


def test_no_title_is_stored_with_the_link_and_one_stored_by_an_older_version_is_never_shown(kit, linked):
    public, private = linked
    assert all(e.detail is None for e in kit.events(public, viewer=None) if e.field == "related")
    # an older version stored the other's title in the event's detail: it is never read back
    kit.db.write(lambda tx: tx.execute("UPDATE events SET detail = ? WHERE field = 'related'", [SECRET_TITLE]))
    for viewer in (ANA, None):
        assert not any(SECRET_TITLE in f"{e.detail}" for e in kit.events(public, viewer=viewer))
        assert not any(SECRET_TITLE in t for t in kit.timeline(public, viewer=viewer)["text"])
    assert not any(_says(" ".join(map(str, vars(e).values())), private) for e in kit.events(public, viewer=BOB))


def test_a_link_between_public_incidents_shows_to_everyone(kit):
    first = kit.declare("Search results stale", declared_by=ANA)
    second = kit.declare("Search index lagging", declared_by=ANA)
    kit.link_related(first.reference, second.reference, by=BOB)
    assert f"Related to {second.reference}" in list(kit.timeline(first.reference, viewer=BOB)["text"])
    assert [r["title"] for r in kit.related(first.reference, viewer=BOB)] == ["Search index lagging"]
