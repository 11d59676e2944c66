"""A BM25 index (``bm25s``) over every incident's text, rebuilt lazily when the store changes.

Cost model: building tokenises every incident once (~1 s per 10k incidents on 2 cores); a query
tokenises a few words and scores every incident with one sparse pass (a few ms at 10k). The index
is kept per database and rebuilt only when the store's ``data_version()`` moves (the one rule, in
``incident_kit.db``), which it does after any committed change in any process, so answers are never
stale and a quiet store is never re-indexed.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass

import bm25s
import numpy as np
import pandas as pd
import Stemmer

from . import store

# English stemming lets "returning 503" find "returned 503s"; stopwords keep "the"/"and" from scoring.
_STEMMER = Stemmer.Stemmer("english")
_CACHE: "weakref.WeakKeyDictionary[object, Index]" = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def tokens(texts: list[str]) -> list[list[str]]:
    return bm25s.tokenize(texts, stopwords="en", stemmer=_STEMMER, show_progress=False, return_ids=False)


@dataclass
class Index:
    marker: object  # the db.data_version() the index was built for
    frame: pd.DataFrame          # id, reference, title, private, mode, status, started_at, tags, factors, summary
    retriever: bm25s.BM25 | None  # None when there is nothing to search

    @property
    def size(self) -> int:
        return len(self.frame)

    def position(self, reference: str) -> int | None:
        hit = np.flatnonzero(self.frame["reference"].to_numpy() == reference)
        return int(hit[0]) if len(hit) else None

    def query_text(self, pos: int) -> str:
        """What an incident asks when it looks for its likes: its headline facts, not every update."""
        row = self.frame.iloc[pos]
        return " ".join([row["title"], row["title"], row["summary"], *row["tags"], *row["factors"]])

    def scores(self, text: str) -> np.ndarray:
        """BM25 score of every incident for ``text`` (0 where no word matches)."""
        if self.retriever is None:
            return np.zeros(0)
        words = tokens([text])[0]
        if not words:
            return np.zeros(self.size)
        return np.asarray(self.retriever.get_scores(words), dtype=float)


def build(frame: pd.DataFrame, marker) -> Index:
    frame = frame.reset_index(drop=True)
    if frame.empty:
        return Index(marker, frame, None)
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(frame["text"].tolist(), stopwords="en", stemmer=_STEMMER, show_progress=False),
                    show_progress=False)
    return Index(marker, frame.drop(columns=["text"]), retriever)


def current(db, tx, marker) -> Index:
    """The index for ``db`` as of ``tx``: the cached one if nothing changed since, else a new one.

    ``marker`` is ``db.data_version()`` read *before* ``tx`` began, so an index is never kept under a
    version newer than the data it was built from.
    """
    with _LOCK:
        cached = _CACHE.get(db)
        if cached is not None and cached.marker == marker:
            return cached
        fresh = build(store.texts(tx), marker)
        _CACHE[db] = fresh
        return fresh
