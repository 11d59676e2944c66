"""The BM25 index: comparing a few incidents with each other gives the numbers scoring everyone gives."""

from __future__ import annotations

from pathlib import Path

import bm25s
import numpy as np

from incident_kit.similar import index, store, words

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
    pages = store.pages(kit.db.read)
    here = index.build(pages, "here")
    monkeypatch.setattr(index, "BUILD_APART_ABOVE", 0)
    monkeypatch.setattr(store, "PAGE", 2)  # several pages sent to the process, as at scale
    apart = index.build(store.pages(kit.db.read), "apart")
    assert apart.retriever is not here.retriever and apart.size == here.size
    for p in range(here.size):
        question = here.query_text(p)
        assert np.array_equal(apart.scores(question), here.scores(question))


def test_when_no_process_can_be_started_the_index_is_built_here(kit, monkeypatch, caplog):
    kit.declare("Kafka consumer lag on orders", declared_by="ana")
    monkeypatch.setattr(index, "BUILD_APART_ABOVE", 0)
    monkeypatch.setattr("sys.executable", "/nonexistent/python")
    built = index.build(store.pages(kit.db.read), "fallback")
    assert built.scores("kafka lag")[0] > 0
    assert "indexing in this one" in caplog.text


def test_an_index_built_page_by_page_equals_one_built_from_every_text_at_once(kit):
    """The build tokenises a page of texts at a time (memory); the index must be bm25s' own for all the texts
    at once, to the last bit: the same words, the same numbers for every incident under every word."""
    kit.import_files("postmortems", [p for p in sorted(DFDS.glob("PM2*.md")) if "PM2020-003" not in p.name])
    kit.declare("the of and", declared_by="ana")  # only stopwords: no word at all
    texts = kit.db.read(store.texts)["text"].tolist() + [""]
    whole = bm25s.BM25()
    whole.index(bm25s.tokenize(texts, stopwords="en", stemmer=words._STEMMER, show_progress=False),
                show_progress=False)
    paged = words.index_here([texts[i:i + 3] for i in range(0, len(texts), 3)])
    assert set(paged.vocab_dict) == set(whole.vocab_dict) and len(whole.vocab_dict) > 500
    for word, column in whole.vocab_dict.items():
        if word == "":  # bm25s' placeholder for an empty question, outside the matrix
            continue
        mine = paged.vocab_dict[word]
        a, b = whole.scores["indptr"][column:column + 2], paged.scores["indptr"][mine:mine + 2]
        assert np.array_equal(whole.scores["indices"][a[0]:a[1]], paged.scores["indices"][b[0]:b[1]]), word
        assert np.array_equal(whole.scores["data"][a[0]:a[1]], paged.scores["data"][b[0]:b[1]]), word
    for question in ("kafka consumer lag", texts[0], "503 errors after the deploy"):
        assert np.array_equal(paged.get_scores(index.tokens([question])[0]),
                              whole.get_scores(index.tokens([question])[0]))
