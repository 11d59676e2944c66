"""The searchable text of each incident, joined by the database: exactly the words the index should count."""

from __future__ import annotations

from collections import Counter

import pandas as pd
import pytest

from incident_kit.similar import index, store

# What an incident's text is made of, read straight from the tables (the way texts() assembled it in Python).
PARTS = {
    "incidents": "SELECT id, title, summary, tags FROM incidents",
    "updates": "SELECT incident_id, message FROM updates",
    "factors": "SELECT incident_id, contributing_factors FROM reviews",
    "sections": """SELECT r.incident_id, s.review_id, s.section, s.version, s.body
                   FROM review_sections s JOIN reviews r ON r.id = s.review_id""",
}


def expected_words(tx) -> dict[int, Counter]:
    rows = {name: tx.fetchall(sql) for name, sql in PARTS.items()}
    pieces: dict[int, list[str]] = {}
    for iid, title, summary, tags in rows["incidents"]:
        pieces[iid] = [title, title, summary or "", *(t for t in (tags or []) if t is not None)]
    for iid, message in rows["updates"]:
        pieces[iid].append(message)
    for iid, factors in rows["factors"]:
        pieces[iid].extend(f for f in (factors or []) if f is not None)
    latest: dict[tuple, tuple] = {}
    for iid, review_id, section, version, body in rows["sections"]:
        if (review_id, section) not in latest or latest[(review_id, section)][0] < version:
            latest[(review_id, section)] = (version, iid, body)
    for _, iid, body in latest.values():
        pieces[iid].append(body)
    return {iid: Counter(index.tokens([" ".join(p)])[0]) for iid, p in pieces.items()}


@pytest.mark.both_stores
def test_each_incidents_text_holds_exactly_its_words(kit):
    quiet = kit.declare("Payroll export stalled", declared_by="ana")  # no update, tag, summary or review
    busy = kit.declare("Checkout returns 503 for card payments", declared_by="ana", tags=["payments", "checkout"])
    kit.post_update(busy.reference, "Card payments fail with 503 at the gateway", by="ana")
    kit.post_update(busy.reference, "Gateway certificate renewed; errors dropping", by="ana")
    kit.resolve(busy.reference, by="ana")
    kit.start_review(busy.reference, depth="standard", by="ana")
    kit.edit_review_section(busy.reference, "summary", "Superseded wording about zebras", by="ana")
    kit.edit_review_section(busy.reference, "summary", "An expired certificate stopped card payments", by="ana")
    kit.set_contributing_factors(busy.reference, ["certificate expiry", "monitoring gap"], by="ana")

    frame = kit.db.read(store.texts)
    expected = kit.db.read(expected_words)
    got = {int(i): Counter(t) for i, t in zip(frame["id"], index.tokens(frame["text"].tolist()))}
    assert got == expected
    by_ref = frame.set_index("reference")
    assert "zebra" not in index.tokens([by_ref.loc[busy.reference, "text"]])[0]  # only the section's latest version
    # what it asks for its likes after its title: its summary, labels and contributing factors
    assert by_ref.loc[busy.reference, "headline"] == "payments checkout certificate expiry monitoring gap"
    assert by_ref.loc[quiet.reference, "headline"] == ""


@pytest.mark.both_stores
def test_pages_of_texts_hold_every_incident_once_in_order(kit, monkeypatch):
    """The index reads the texts a page of ids at a time; together the pages are the whole read."""
    for n in range(7):
        kit.declare(f"Queue backlog number {n}", declared_by="ana", tags=[f"q{n}"])
    kit.post_update("INC-6", "Backlog draining", by="ana")
    whole = kit.db.read(store.texts)
    monkeypatch.setattr(store, "PAGE", 3)
    pages = store.pages(kit.db.read)
    frames = list(pages)
    assert pages.size == 7 and [len(f) for f in frames] == [2, 3, 2]  # ids 1-2, 3-5, 6 on (the last page is open)
    joined = pd.concat(frames, ignore_index=True)
    pd.testing.assert_frame_equal(joined, whole)
    assert "draining" in joined.set_index("reference").loc["INC-6", "text"].lower()
    facts = kit.db.read(store.rows)  # the facts read afresh while a big index rebuilds: paged too
    assert facts["reference"].tolist() == [f"INC-{n}" for n in range(1, 8)]
    pd.testing.assert_frame_equal(facts[["id", "reference", "title"]], whole[["id", "reference", "title"]])
