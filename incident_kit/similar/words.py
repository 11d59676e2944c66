"""Turning incidents' texts into a BM25 index (``bm25s``) a page at a time, here or in a process of its own.

Memory model: the texts arrive in pages (``store.Pages``); each page is tokenised (``bm25s.tokenize``,
stemmed, English stopwords) and kept only as its token ids, one int32 array for the page plus each
text's length, against one vocabulary for every page. No text is kept once its page is tokenised, and
no Python list per token (a million incidents hold ~90M tokens: as Python lists of ints they took
several GiB). ``Words.index`` hands those ids to ``bm25s.BM25.index`` one incident at a time. The index
equals the one ``bm25s`` builds from all the texts at once: the same words per incident, the same
numbers (a word's id differs, which no score depends on); ``tests/test_similar_index.py`` checks it.
"""

from __future__ import annotations

import logging
import os
import pickle
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator

import bm25s
import numpy as np
import Stemmer

# English stemming lets "returning 503" find "returned 503s"; stopwords keep "the"/"and" from scoring.
_STEMMER = Stemmer.Stemmer("english")
log = logging.getLogger(__name__)


def tokens(texts: list[str]) -> list[list[str]]:
    return bm25s.tokenize(texts, stopwords="en", stemmer=_STEMMER, show_progress=False, return_ids=False)


class _Ids:
    """Each incident's token ids, as the Python list ``bm25s`` counts, made one at a time from the pages
    (``bm25s.BM25.index`` takes its length and iterates it, three times)."""

    def __init__(self, flat: list[np.ndarray], lengths: list[np.ndarray]):
        self._flat, self._lengths = flat, lengths
        self._count = sum(len(n) for n in lengths)

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[list[int]]:
        for flat, lengths in zip(self._flat, self._lengths):
            ends = np.cumsum(lengths).tolist()
            start = 0
            for end in ends:
                yield flat[start:end].tolist()
                start = end


class _Corpus:
    """What ``bm25s.BM25.index`` takes as already tokenised: ``ids`` per document and the ``vocab``."""

    def __init__(self, ids: _Ids, vocab: dict[str, int]):
        self.ids, self.vocab = ids, vocab


class Words:
    """The token ids of every text added so far, page by page, against one vocabulary."""

    def __init__(self) -> None:
        self.vocab: dict[str, int] = {}
        self._flat: list[np.ndarray] = []
        self._lengths: list[np.ndarray] = []

    def add(self, texts: list[str]) -> None:
        page = bm25s.tokenize(texts, stopwords="en", stemmer=_STEMMER, show_progress=False)
        local = sorted(page.vocab.items(), key=lambda item: item[1])  # this page's ids are 0..n-1
        to_global = np.array([self.vocab.setdefault(word, len(self.vocab)) for word, _ in local], dtype=np.int32)
        lengths = np.fromiter((len(ids) for ids in page.ids), dtype=np.int32, count=len(page.ids))
        flat = np.fromiter((i for ids in page.ids for i in ids), dtype=np.int32, count=int(lengths.sum()))
        self._flat.append(to_global[flat] if len(flat) else flat)
        self._lengths.append(lengths)

    def index(self) -> bm25s.BM25 | None:
        """The BM25 index of every text added; None when no text had a word to search (every incident
        titled with stopwords only, say: bm25s cannot index an empty vocabulary)."""
        if not self.vocab:
            return None
        retriever = bm25s.BM25()
        retriever.index(_Corpus(_Ids(self._flat, self._lengths), dict(self.vocab)), show_progress=False)
        return retriever


def index_here(pages: Iterable[list[str]]) -> bm25s.BM25 | None:
    """The index of every page of texts, built in this process."""
    words = Words()
    for texts in pages:
        words.add(texts)
    return words.index()


class Apart:
    """``index_here`` in a Python process of its own (started, then gone): the same index, built on the other core.

    Tokenising is pure Python: in a thread it held the interpreter the app's pages need, so while a 200k
    store was indexed (~3 s) the Insights page took 5.9 s instead of 1.7 s to appear. Each page of texts
    goes to the child pickled on its stdin as it is read (the child tokenises it while the next is read);
    the index comes back pickled through a temporary file (not a pipe: the answer is read once the child
    is done, never held twice in memory). A plain ``python -c`` child rather than ``multiprocessing``:
    spawning re-imports the caller's main script, which a script or notebook calling ``kit.similar`` at
    top level does not guard. ``add`` and ``index`` raise ``OSError`` when the child cannot run or fails.
    """

    def __init__(self) -> None:
        package_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")])))
        self._out = tempfile.TemporaryFile()
        self._err = tempfile.TemporaryFile()
        try:
            self._child = subprocess.Popen(
                [sys.executable, "-c", "from incident_kit.similar.words import _child; _child()"],
                stdin=subprocess.PIPE, stdout=self._out, stderr=self._err, env=env)
        except OSError:
            self.close()
            raise

    def add(self, texts: list[str]) -> None:
        try:
            pickle.dump(texts, self._child.stdin, protocol=pickle.HIGHEST_PROTOCOL)
        except (BrokenPipeError, ValueError) as exc:
            raise OSError(self._why(f"the indexing process stopped reading ({exc})")) from exc

    def index(self) -> bm25s.BM25 | None:
        try:
            pickle.dump(None, self._child.stdin, protocol=pickle.HIGHEST_PROTOCOL)  # no more pages
            self._child.stdin.close()
        except (BrokenPipeError, ValueError):
            pass
        if self._child.wait() != 0:
            raise OSError(self._why("the indexing process failed"))
        self._out.seek(0)
        try:
            retriever = pickle.load(self._out)  # noqa: S301 (our own child's answer, in a file only we hold)
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError) as exc:
            raise OSError(f"{type(exc).__name__}: {exc}") from exc
        if retriever is not None and not isinstance(retriever, bm25s.BM25):
            raise OSError("it did not return an index")
        return retriever

    def _why(self, default: str) -> str:
        self._child.kill()
        self._child.wait()
        self._err.seek(0)
        lines = self._err.read().decode(errors="replace").strip().splitlines()
        return lines[-1][:300] if lines else default

    def close(self) -> None:
        child = getattr(self, "_child", None)
        if child is not None and child.poll() is None:
            child.kill()
            child.wait()
        self._out.close()
        self._err.close()


def _child() -> None:
    """The child's side of ``Apart``: pages of texts pickled on stdin until None, the index pickled on stdout."""
    words = Words()
    while (texts := pickle.load(sys.stdin.buffer)) is not None:
        words.add(texts)
    pickle.dump(words.index(), sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)
