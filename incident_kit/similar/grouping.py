"""Recurring groups from a similarity matrix, and a name for each group: pure functions, no store.

Groups are cut from an average-linkage tree (``scipy.cluster.hierarchy``): two groups join only when
their incidents, taken pair by pair across the two, read alike *on average*. One shared word between
two members no longer pulls two groups together, so a group does not chain A to D through B and C the
way connected components over pairwise matches (single linkage) did: on the 400-incident demo single
linkage made one group of 194 incidents (queue backlogs, certificates, full disks and app crashes,
joined through shared service names). Complete linkage (every pair alike) split the three DFDS "503"
outages, whose weakest pair scores 0.34; average linkage keeps them and is as pure on the demo.
See benchmarks/bench_similar_groups.py for the figures.
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np

# A group may hold at most this share of the incidents compared: a "group" of a tenth of everything is a
# vocabulary, not a recurrence. Bigger groups are split along their own tree until every piece fits.
MAX_SHARE = 0.10
# ... but never fewer than this many, so a small window (12 incidents, 6 of one recurrence) keeps its group.
MIN_CAP = 5
# Words that say nothing about what a group shares (kept inside a name, never at its ends or alone).
_GLUE = frozenset("a an and at by for from in into is of on or the to with after before".split())
_WORD = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*", re.UNICODE)


def cap(compared: int) -> int:
    """The most incidents one group may hold when ``compared`` incidents are compared."""
    return max(MIN_CAP, int(MAX_SHARE * compared))


def groups(similarity: np.ndarray, threshold: float, *, most: int | None = None) -> np.ndarray:
    """A group label per row of the square ``similarity`` matrix (symmetric, 0 to 1), or -1 for no group.

    Two groups join while the average similarity between their members, pair by pair across the two, is
    at least ``threshold`` (average linkage cut at ``1 - threshold``); groups of one are labelled -1. A
    group of more than ``most`` (default: ``cap(n)``) is split at its tree's top until each piece fits.
    Labels number the groups from 0, biggest first (ties: the group holding the earliest row first).
    """
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    sim = np.asarray(similarity, dtype=float)
    n = len(sim)
    labels = np.full(n, -1)
    if n < 2:
        return labels
    most = cap(n) if most is None else most
    distance = 1.0 - np.clip(np.minimum(sim, sim.T), 0.0, 1.0)
    np.fill_diagonal(distance, 0.0)

    def split(members: np.ndarray, cut: float | None) -> list[np.ndarray]:
        if len(members) < 2:
            return [members]
        tree = linkage(squareform(distance[np.ix_(members, members)], checks=False), method="average")
        found = fcluster(tree, t=cut, criterion="distance") if cut is not None else \
            fcluster(tree, t=2, criterion="maxclust")
        pieces = [members[found == f] for f in np.unique(found)]
        if cut is None and len(pieces) < 2:  # all at one distance: the tree cannot split it, halve it
            pieces = [members[: len(members) // 2], members[len(members) // 2:]]
        out = []
        for piece in pieces:
            out += split(piece, None) if len(piece) > most else [piece]
        return out

    # a hair under the threshold's distance, so a pair exactly at the threshold still joins
    kept = [p for p in split(np.arange(n), 1.0 - threshold + 1e-9) if len(p) >= 2]
    kept.sort(key=lambda p: (-len(p), p.min()))
    for label, piece in enumerate(kept):
        labels[piece] = label
    return labels


def words(text: str) -> list[str]:
    return _WORD.findall(str(text or ""))


def name(titles: list[str], centre: int = 0) -> str:
    """What a group's titles share, in words a person reads: "Queue backlog", "Disk filling up on … nodes".

    The words of the centre title (``titles[centre]``, the member most like the others) that more than
    half of the titles hold (whole words, any case), in the centre title's order, "…" where words were
    left out between them, without glue words at either end. When no such word is left, the centre title.
    """
    if not titles:
        return ""
    held = Counter(w for t in titles for w in {w.lower() for w in words(t)})
    enough = len(titles) / 2
    own = words(titles[centre])
    kept = [i for i, w in enumerate(own) if held[w.lower()] > enough]
    while kept and own[kept[0]].lower() in _GLUE:
        kept.pop(0)
    while kept and own[kept[-1]].lower() in _GLUE:
        kept.pop()
    if not kept:
        return " ".join(str(titles[centre]).split())
    text = own[kept[0]]
    for before, i in zip(kept, kept[1:]):
        text += (" " if i == before + 1 else " … ") + own[i]
    return text[0].upper() + text[1:]
