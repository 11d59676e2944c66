"""The BM25 index: comparing a few incidents with each other gives the numbers scoring everyone gives."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from incident_kit.similar import index

DFDS = Path(__file__).resolve().parent / "fixtures" / "postmortems-dfds"


def test_scores_among_a_few_incidents_are_the_full_scores_to_the_last_bit(kit):
    kit.import_files("postmortems", [p for p in sorted(DFDS.glob("PM2*.md")) if "PM2020-003" not in p.name])
    kit.declare("Kafka consumer lag after the broker upgrade", declared_by="ana", tags=["kafka"])
    kit.declare("the of and", declared_by="ana")  # only stopwords: a question with no words scores nothing
    idx = kit.db.read(lambda tx: index.current(kit.db, tx, kit.db.data_version(), wait=True))
    everyone = list(range(idx.size))
    rng = np.random.default_rng(3)
    for queries, among in ((everyone, everyone),
                           (sorted(rng.choice(idx.size, 7, replace=False).tolist()), everyone[::3]),
                           ([idx.size - 1], everyone)):
        full = np.array([idx.scores(idx.query_text(p))[among] for p in queries])
        assert np.array_equal(idx.scores_among(queries, among), full)
    assert (idx.scores_among(everyone, everyone) > 0).sum() > idx.size  # the data makes real matches
    assert not idx.scores_among([idx.size - 1], everyone).any()


def test_a_big_store_is_indexed_in_a_process_of_its_own_with_the_same_scores(kit, monkeypatch):
    """Above BUILD_APART_ABOVE incidents the words are indexed by a separate Python process (a real one
    here, on a small store), so a rebuild never holds the interpreter the app's pages need."""
    kit.import_files("postmortems", [p for p in sorted(DFDS.glob("PM2*.md")) if "PM2020-003" not in p.name])
    frame = kit.db.read(index.store.texts)
    here = index.build(frame, "here")
    monkeypatch.setattr(index, "BUILD_APART_ABOVE", 0)
    apart = index.build(frame, "apart")
    assert apart.retriever is not here.retriever and apart.size == here.size
    for p in range(here.size):
        question = here.query_text(p)
        assert np.array_equal(apart.scores(question), here.scores(question))


def test_when_no_process_can_be_started_the_index_is_built_here(kit, monkeypatch, caplog):
    kit.declare("Kafka consumer lag on orders", declared_by="ana")
    frame = kit.db.read(index.store.texts)
    monkeypatch.setattr(index, "BUILD_APART_ABOVE", 0)
    monkeypatch.setattr("sys.executable", "/nonexistent/python")
    built = index.build(frame, "fallback")
    assert built.scores("kafka lag")[0] > 0
    assert "indexing in this one" in caplog.text
