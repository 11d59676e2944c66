"""A BM25 index (``bm25s``) over every incident's text, rebuilt lazily when the store changes.

Cost model: building reads every incident's text (joined by the database, ``store.PAGE`` incidents per
read) and tokenises and indexes it once (~0.25 s at 10k incidents, ~3.3 s at 100k, ~40 s at 1M, on 2
cores); each page's texts are dropped once tokenised (``words``), so the build's memory is the facts
kept plus one page, not every text (at 1M: ~0.7 GiB for the process asking and ~0.6 GiB for the
indexing process, against 3.1-4.9 GiB when every text was read at once). A query tokenises a few words
and scores every incident with one sparse pass (a few ms at 10k, ~20 ms at 1M). The index is kept per database and rebuilt only when the store's
``data_version()`` moves (the one rule, in ``incident_kit.db``), which it does after any committed
change in any process; a quiet store is never re-indexed. The app starts the first build in the
background when it opens the store (``warm``), and a question asked meanwhile waits for it.

Up to ``REBUILD_INLINE_MAX`` incidents the question that finds the store changed rebuilds the index
before answering (about 2 s at that size), so answers follow every change at once. Above it a rebuild
takes longer than anyone should wait while typing a title, so it runs in a background thread while
questions keep being answered from the previous index *with the facts they show read afresh* (a
question reads its best matches', ``service._best``; "what keeps coming back" every incident's, once
per data version, ``Index.with_rows``): privacy, title, mode and status are always current, and only
the words of incidents changed since (and incidents declared since) wait for the rebuild. Above
``BUILD_APART_ABOVE`` incidents the tokenising and indexing run in a Python process of their own, so
a rebuild does not hold the interpreter the app's pages run in.
"""

from __future__ import annotations

import threading
import weakref
import logging
from dataclasses import dataclass, field, replace

import bm25s
import numpy as np
import pandas as pd

from . import store, words
from .words import tokens

_CACHE: "weakref.WeakKeyDictionary[object, Index]" = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()
_REBUILDING: "weakref.WeakKeyDictionary[object, threading.Thread]" = weakref.WeakKeyDictionary()
# While a rebuild runs: (data version, the index it refreshed, that index with the version's facts), so
# questions under one data version read every incident's facts once (at 1M on PostgreSQL ~2 s), not each.
_REFRESHED: "weakref.WeakKeyDictionary[object, tuple]" = weakref.WeakKeyDictionary()
# Incidents up to which a changed store is re-indexed before answering (~2 s on 2 cores); above, in the
# background while the previous index answers with current facts.
REBUILD_INLINE_MAX = 20_000
# Incidents above which the words are tokenized and indexed in a separate process (``_index_apart``).
BUILD_APART_ABOVE = 20_000
log = logging.getLogger(__name__)
# What ``Index.with_rows`` reads afresh (``store.ROWS``): everything an answer shows or filters on.
FACTS = ("reference", "title", "private", "mode", "status", "started_at", "declared_at")


@dataclass
class Index:
    marker: object  # the db.data_version() the index was built for
    frame: pd.DataFrame          # id, reference, title, private, mode, status, started_at, declared_at, headline
    retriever: bm25s.BM25 | None  # None when there is nothing to search
    current: bool = True  # False: words from ``marker``, facts read afresh while a rebuild runs
    # True: facts from ``marker`` too; whoever shows an incident reads its facts afresh (``service._best``)
    stale_facts: bool = False
    # Per incident, kept as arrays so a question does not convert a million strings (a third of its time):
    searchable: np.ndarray = field(init=False, repr=False)  # not a test incident
    private: np.ndarray = field(init=False, repr=False)
    _words_only: "Index | None" = field(init=False, default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.searchable = (self.frame["mode"] != "test").to_numpy(dtype=bool, na_value=False) \
            if len(self.frame) else np.zeros(0, dtype=bool)
        self.private = self.frame["private"].to_numpy(dtype=bool, na_value=True) \
            if len(self.frame) else np.zeros(0, dtype=bool)

    def words_only(self) -> "Index":
        """This index with ``current`` and ``stale_facts`` set: its words and facts as built, for a question
        that reads afresh the facts of the incidents it shows (one view per index, kept)."""
        if self._words_only is None:
            self._words_only = replace(self, current=False, stale_facts=True)
        return self._words_only

    def with_rows(self, rows: pd.DataFrame) -> "Index":
        """This index's words with the incidents' facts as ``rows`` (``store.rows``) hold them now.

        Positions stay the index's own; an incident no longer found keeps its old facts but is marked
        private, so only the visibility check against the store can let it through (it never does).
        """
        fresh = rows.set_index("id").reindex(self.frame["id"].to_numpy())  # one aligned pass
        found = fresh["reference"].notna().to_numpy()
        frame = self.frame.copy()
        for column in FACTS:  # ``.array`` keeps each column's own type (tz-aware times stay one array, not objects)
            frame[column] = fresh[column].array if found.all() else \
                np.where(found, fresh[column].to_numpy(dtype=object), frame[column].to_numpy(dtype=object))
        if not found.all():
            frame["private"] = np.where(found, frame["private"].to_numpy(dtype=object), True)
        return replace(self, frame=frame, current=False)

    @property
    def size(self) -> int:
        return len(self.frame)

    def position(self, reference: str) -> int | None:
        hit = np.flatnonzero((self.frame["reference"] == reference).to_numpy(dtype=bool, na_value=False))
        return int(hit[0]) if len(hit) else None

    def query_text(self, pos: int) -> str:
        """What an incident asks when it looks for its likes: its headline facts, not every update."""
        title, headline = self.frame["title"].iat[pos], self.frame["headline"].iat[pos]
        return " ".join([title, title, headline])

    def scores(self, text: str) -> np.ndarray:
        """BM25 score of every incident for ``text`` (0 where no word matches)."""
        if self.retriever is None:
            return np.zeros(0)
        words = tokens([text])[0]
        if not words:
            return np.zeros(self.size)
        return np.asarray(self.retriever.get_scores(words), dtype=float)

    def relevance(self, text: str) -> np.ndarray:
        """Every incident's BM25 score for ``text`` as a share of the most any incident could score for it
        (``ceiling``): 0 shares no word, 1 would hold every word of ``text`` as often as a text can."""
        scores = self.scores(text)
        top = self.ceiling(tokens([text])[0]) if len(scores) else 0.0
        return scores / top if top > 0 else np.zeros(len(scores))

    def relevance_to(self, pos: int, title: str | None = None) -> np.ndarray:
        """Every incident's relevance (``relevance``) for incident ``pos``'s title: what Declare asked when
        it was typed, scored as every typed question is, so a score means one thing everywhere (the bar
        differs: ``similar.MIN_RELEVANCE_BY_REFERENCE``). A title with no word to search asks with the
        headline (``query_text``).

        Two rules measured worse on the demo (benchmarks/bench_similar_relevance.py --by-reference). A
        share of the score the incident gives itself (the rule before) let one rare shared word through:
        a newly declared "Checkout failing for card payments" found "Office access cards not working"
        (only "card") at 0.27 (0.20 now), and precision over up to 50 suggestions was 0.87 at 0.35 (0.92
        now). The whole headline over its ceiling ranked worse (precision 0.88 at recall 0.97, against
        0.98 at 0.97 by title) and its ceiling grows with every word of a long summary no other incident
        holds: the third DFDS "503" outage found the first at 0.23 (0.65 by title).
        """
        title = str(self.frame["title"].iat[pos] or "") if title is None else title
        return self.relevance(title if tokens([title])[0] else self.query_text(pos))

    def ceiling(self, words: list[str]) -> float:
        """The most any incident could score for ``words``: the sum of each word's idf.

        Each word adds idf x tf / (tf + k1 x (1 - b + b x length / average length)) to a BM25 (Lucene)
        score, which nears the idf as the word repeats and never reaches it. A word no incident holds
        counts with the idf of a word found nowhere (the most informative kind): an incident that
        matches only the ordinary words of a question ("log" of "log in with Google") stays low.
        """
        if self.retriever is None or not words:
            return 0.0
        counts = np.diff(self.retriever.scores["indptr"])  # documents holding each word (its postings)
        n = float(self.retriever.scores["num_docs"])
        vocab = self.retriever.vocab_dict
        df = np.array([counts[vocab[w]] if w in vocab else 0 for w in words], dtype=float)
        return float(np.log1p((n - df + 0.5) / (df + 0.5)).sum())  # bm25s' Lucene idf (its default method)


    def scores_among(self, queries: list[int], among: list[int]) -> np.ndarray:
        """BM25 scores (rows: each of ``queries`` asking its ``query_text``; columns: each of ``among``).

        The same numbers ``scores`` gives at those positions (the same float32 sums, added in the same
        order), without scoring every other incident: "what keeps coming back" compares 1,000 incidents
        with each other, and scoring all 200k for each of them took 1.2 s.
        """
        out = np.zeros((len(queries), len(among)), dtype=np.float32)
        if self.retriever is None or not len(among):
            return out.astype(float)
        index = self.retriever.scores
        column = np.full(index["num_docs"], -1, dtype=np.int64)
        column[np.asarray(among, dtype=np.int64)] = np.arange(len(among))
        hit = column[index["indices"]] >= 0  # postings of the incidents compared, token by token
        starts = np.concatenate(([0], np.cumsum(hit)))[index["indptr"]]
        data, cols = index["data"][hit], column[index["indices"][hit]]
        out = out.astype(np.dtype(self.retriever.dtype))
        for row, words in enumerate(tokens([self.query_text(p) for p in queries])):
            ids = self.retriever.get_tokens_ids(words)
            for token in ids:  # in the query's order, as bm25s adds them
                np.add.at(out[row], cols[starts[token]:starts[token + 1]], data[starts[token]:starts[token + 1]])
            if ids and self.retriever.nonoccurrence_array is not None:
                out[row] += self.retriever.nonoccurrence_array[ids].sum()
        return out.astype(float)


def build(source, marker) -> Index:
    """The index of ``source``: every incident's ``store.texts`` as one frame, or ``store.Pages``.

    Each page's texts are tokenised as it is read and dropped (``words``); only the facts an answer
    shows stay, in the frame. Above ``BUILD_APART_ABOVE`` incidents the tokenising and indexing run in a
    process of their own (``words.Apart``); if that process cannot run, the pages are read again and
    indexed here.
    """
    pages = [source] if isinstance(source, pd.DataFrame) else source
    size = len(source) if isinstance(source, pd.DataFrame) else source.size
    if size > BUILD_APART_ABOVE:
        try:
            return _build(pages, marker, words.Apart())
        except OSError as exc:
            log.warning("Could not index the incidents in a separate process (%s); indexing in this one.", exc)
    return _build(pages, marker, words.Words())


def _build(pages, marker, indexer) -> Index:
    facts = []
    try:
        for page in pages:
            indexer.add(page["text"].tolist())
            facts.append(page.drop(columns=["text"]))
        retriever = indexer.index()
    finally:
        if isinstance(indexer, words.Apart):
            indexer.close()
    frame = pd.concat(facts, ignore_index=True) if len(facts) > 1 else facts[0].reset_index(drop=True)
    return Index(marker, frame, retriever if len(frame) else None)


def current(db, tx, marker, *, wait: bool = False, facts: bool = True) -> Index:
    """The index for ``db`` as of ``tx``: the cached one if nothing changed since, else a new one.

    ``marker`` is ``db.data_version()`` read *before* ``tx`` began, so an index is never kept under a
    version newer than the data it was built from. A big store that changed gets the previous index
    with current facts while it is rebuilt in the background (see the module docstring), unless
    ``wait``: then it is rebuilt here. With ``facts=False`` it gets the previous index as it is
    (``Index.words_only``) and reads afresh the facts of what it shows: reading every incident's facts
    took 3 s on DuckDB and 11 s and 1.5 GiB on PostgreSQL at 1M. Callers first wait for a first build
    under way (``ready``).
    """
    with _LOCK:
        cached = _CACHE.get(db)
        if cached is not None and cached.marker == marker:
            return cached
        if cached is None or wait or cached.size <= REBUILD_INLINE_MAX:
            fresh = build(store.pages(lambda work: work(tx)), marker)
            _CACHE[db] = fresh
            return fresh
        _rebuild_in_background(db)
        if not facts:
            return cached.words_only()
        kept = _REFRESHED.get(db)
        if kept is not None and kept[0] == marker and kept[1] is cached:
            return kept[2]
    refreshed = cached.with_rows(store.rows(tx))
    with _LOCK:
        _REFRESHED[db] = (marker, cached, refreshed)
    return refreshed


def ready(db) -> None:
    """Wait for the first build of ``db``'s index if one is under way (``warm``) and none is kept yet.

    Called before a question opens its read: a question waiting here holds no connection the build needs
    (a PostgreSQL pool has a few), and it then answers from that build instead of starting a second one.
    """
    with _LOCK:
        running = _REBUILDING.get(db) if _CACHE.get(db) is None else None
    if running is not None:
        running.join()


def warm(db) -> None:
    """Start building ``db``'s index in a background thread unless one is kept or being built.

    The app calls this once when it opens the store: at 200k incidents the first build takes ~4.5 s,
    which the first person to look for similar or recurring incidents would otherwise wait through.
    """
    with _LOCK:
        if _CACHE.get(db) is None:
            _rebuild_in_background(db)


def _rebuild_in_background(db) -> None:
    """Start one rebuild of ``db``'s index in a daemon thread unless one is running (call with _LOCK held)."""
    running = _REBUILDING.get(db)
    if running is not None and running.is_alive():
        return

    def rebuild() -> None:
        try:
            marker = db.data_version()  # before the read, as in ``current``
            fresh = build(store.pages(db.read), marker)  # a read per page: none lasts while words are indexed
        except Exception:  # the store closed or failed: the next question tries again
            log.warning("Rebuilding the similar-incident index failed; the next question will try again.",
                        exc_info=True)
            return
        with _LOCK:
            _CACHE[db] = fresh

    thread = threading.Thread(target=rebuild, name="similar-index", daemon=True)
    _REBUILDING[db] = thread
    thread.start()


def wait_for_rebuild(db, timeout: float | None = None) -> None:
    """Block until a background rebuild of ``db``'s index (if any) has finished (tests, benchmarks)."""
    with _LOCK:
        running = _REBUILDING.get(db)
    if running is not None:
        running.join(timeout)
