"""Recurring groups on the demo: how pure, how big, how many, how fast (single linkage before, average now).

    python benchmarks/bench_similar_groups.py [--incidents 400] [--seed 42] [--repeat 21]

Loads the demo (``incident_kit.demo``) into a temporary DuckDB file. Demo titles come from templates
("Queue backlog in {svc}"), so each incident's kind is its template. The similarity the service groups
by (each incident's headline scored against every other's words, as a share of its own score, the
smaller of the two ways: ``similar.service._groups``) is computed once over the incidents compared
(not test ones; the most recent ``RECUR_MAX``), and grouped three ways:

- single linkage: connected components over pairs at ``RECUR_SHARE`` or more (what the service did);
- complete linkage cut at the same share (every pair in a group alike), the alternative considered;
- average linkage with the size cap (``similar.grouping.groups``, what the service does now), checked to
  equal ``kit.recurring``'s groups.

For each: groups of two or more, incidents grouped, the biggest group (and its share of the incidents
compared), purity (the share of grouped incidents whose kind is their group's most common kind), groups
mixing kinds, and the median time of the grouping alone over --repeat runs. Last, ``kit.recurring``'s
whole answer (scores, grouping, names) when the index is built but the answer not kept.
"""

from __future__ import annotations

import collections
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

import incident_kit as ik
from incident_kit.similar import grouping, index
from incident_kit.similar.service import RECUR_MAX, RECUR_SHARE

from common import arguments, describe
from demo_kinds import kind


def similarity(kit) -> tuple[np.ndarray, list[str], list[str]]:
    """The service's similarity among the incidents ``kit.recurring`` compares, their titles and references."""
    def work(tx):
        idx = index.current(kit.db, tx, kit.db.data_version())
        frame = idx.frame
        keep = np.flatnonzero((frame["mode"] != "test").to_numpy())
        keep = keep[np.argsort(frame["declared_at"].to_numpy()[keep], kind="stable")][-RECUR_MAX:]
        pos = sorted(keep.tolist(), key=lambda p: frame["declared_at"].iat[p])
        block = idx.scores_among(pos, pos)
        own = np.diag(block).copy()
        share = np.zeros_like(block)
        rows = own > 0
        share[rows] = np.minimum(block[rows] / own[rows, None], 1.0)
        return np.minimum(share, share.T), list(frame["title"].iloc[pos]), list(frame["reference"].iloc[pos])
    return kit.db.read(work)


def single(m: np.ndarray) -> np.ndarray:
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    alike = m >= RECUR_SHARE
    np.fill_diagonal(alike, False)
    _, labels = connected_components(coo_matrix(alike), directed=False)
    return _singletons_out(labels)


def complete(m: np.ndarray) -> np.ndarray:
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    d = 1 - m
    np.fill_diagonal(d, 0)
    labels = fcluster(linkage(squareform(d, checks=False), "complete"), 1 - RECUR_SHARE + 1e-9, "distance")
    return _singletons_out(labels)


def _singletons_out(labels: np.ndarray) -> np.ndarray:
    sizes = collections.Counter(labels)
    return np.array([label if sizes[label] > 1 else -1 for label in labels])


def report(name: str, labels: np.ndarray, titles: list[str], seconds: float) -> None:
    compared = len(labels)
    groups = collections.defaultdict(list)
    for label, title in zip(labels, titles):
        if label >= 0:
            groups[label].append(kind(title))
    grouped = sum(len(g) for g in groups.values())
    majority = sum(collections.Counter(g).most_common(1)[0][1] for g in groups.values())
    mixing = sum(1 for g in groups.values() if len(set(g)) > 1)
    biggest = max((len(g) for g in groups.values()), default=0)
    print(f"| {name} | {len(groups)} | {grouped} of {compared} | {biggest} ({biggest / compared:.1%}) | "
          f"{majority / grouped if grouped else 1:.3f} | {mixing} | {seconds * 1000:.1f} ms |")


def timed(fn, repeat: int) -> tuple[np.ndarray, float]:
    out, times = fn(), []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return out, statistics.median(times)


def main() -> None:
    args = arguments(__doc__, incidents=400, seed=42, repeat=21)
    print(describe("scipy"))
    with tempfile.TemporaryDirectory() as tmp:
        kit = ik.open(Path(tmp) / "groups.duckdb", user="bench")
        kit.load_demo(incidents=args.incidents, seed=args.seed)
        m, titles, refs = similarity(kit)
        print(f"\n{args.incidents} demo incidents (seed {args.seed}), {len(titles)} compared, "
              f"{len(set(map(kind, titles)))} kinds; similarity at least {RECUR_SHARE}; "
              f"cap {grouping.cap(len(titles))} incidents ({grouping.MAX_SHARE:.0%}, at least {grouping.MIN_CAP})\n")
        print("| method | groups | incidents grouped | biggest group (share of compared) | purity | "
              "groups mixing kinds | grouping time (median) |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for name, fn in (("single linkage (before)", single), ("complete linkage", complete),
                         ("average linkage, capped (now)", lambda x: grouping.groups(x, RECUR_SHARE))):
            labels, seconds = timed(lambda: fn(m), args.repeat)
            report(name, labels, titles, seconds)
            if name.endswith("(now)"):
                now = labels
        answer = kit.recurring(since="1970-01-01")
        expected = {frozenset(refs[i] for i in np.flatnonzero(now == g)) for g in set(now) - {-1}}
        assert {frozenset(g) for g in answer.groupby("group")["reference"].apply(set)} == expected
        times = []
        for n in range(args.repeat):  # a new window each time: the kept answer is not reused
            start = time.perf_counter()
            kit.recurring(since=f"1970-01-{n % 28 + 1:02d}")
            times.append(time.perf_counter() - start)
        print(f"\nkit.recurring, index built, answer not kept: median {statistics.median(times) * 1000:.0f} ms "
              f"of {args.repeat}")
        print("Biggest groups now:", "; ".join(f"{name} ({size})" for name, size in answer.groupby(
            "group").agg(name=("name", "first"), size=("size", "first")).head(5).itertuples(index=False)))
        kit.close()


if __name__ == "__main__":
    main()
