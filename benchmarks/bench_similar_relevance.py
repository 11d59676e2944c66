"""How well the similar-incident threshold separates matches from unrelated text (not a timing).

    python benchmarks/bench_similar_relevance.py

Loads the 400-incident demo (``incident_kit.demo``, seed 42) and the DFDS postmortems
(``tests/fixtures/postmortems-dfds/``) into a temporary DuckDB file, then asks ``kit.similar`` each
query of the labelled pairs in ``tests/fixtures/similar_pairs.json`` with no threshold
(``min_relevance=0``). A pair's relevance is the best score among the incidents the pair names (a
demo template such as "Queue backlog in {svc}" names every incident of that template; the whole
answer, up to 50 incidents, is searched). A pair is predicted a match when that relevance reaches
the threshold; precision and recall over the pairs are printed for a range of thresholds, and for
the chosen one, ``similar.MIN_RELEVANCE``. Also printed: the share of the unrelated queries whose
whole answer at the threshold is empty (the Declare panel stays silent).

    python benchmarks/bench_similar_relevance.py --by-reference

Asks by reference instead (the Incident page's "Has this happened before?", the review's suggestions):
loads the 400- and 2,000-incident demos (seed 42), and every incident that is not a test one asks for
its likes. Demo titles come from templates, so a suggestion is correct when it has the asking
incident's kind (``demo_kinds.kind``). For each rule of scoring (``RULES``) and threshold it prints, at
the panel's 5 suggestions and at the most one question lists (``LIMIT_MAX``): precision; recall (correct
suggestions over those possible, at most the limit); the share of incidents with others of their kind
that get no suggestion; the share of incidents of a kind that occurs once that get one (all wrong);
and the share that would get a wrong suggestion if their kind were new (the others of their kind left
out: how a team's first incident of a kind fares). The rule in use (``Index.relevance_to``) is checked
to give ``kit.similar``'s answers.
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
from pathlib import Path

import numpy as np

import incident_kit as ik
from incident_kit.similar import LIMIT_MAX, MIN_RELEVANCE, MIN_RELEVANCE_BY_REFERENCE, index

from common import describe
from demo_kinds import kind

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
PAIRS = FIXTURES / "similar_pairs.json"
DFDS = FIXTURES / "postmortems-dfds"
THRESHOLDS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5)


def pairs() -> list[dict]:
    return json.loads(PAIRS.read_text(encoding="utf-8"))["pairs"]


def load_corpus(kit) -> None:
    """The demo's incidents and the DFDS postmortems (the one with broken dates left out, as in the tests)."""
    kit.load_demo(incidents=400, seed=42)
    kit.import_files("postmortems", [p for p in sorted(DFDS.glob("PM2*.md")) if "PM2020-003" not in p.name])


def _names(title: str):
    """A title, or a demo template whose {svc} stands for any service."""
    return re.compile("^" + re.escape(title).replace(re.escape("{svc}"), r"\S+") + "$", re.I)


def relevances(kit, labelled: list[dict]) -> list[float]:
    """Each pair's relevance: the best score of an incident it names in the unthresholded answer (0 if none)."""
    out = []
    for pair in labelled:
        named = _names(pair["incident"])
        found = kit.similar(pair["query"], limit=LIMIT_MAX, min_relevance=0)
        out.append(max((f["score"] for f in found if named.match(f["title"])), default=0.0))
    return out


def precision_recall(scores: list[float], labelled: list[dict], threshold: float) -> tuple[float, float]:
    said = [s >= threshold and s > 0 for s in scores]
    truth = [p["match"] for p in labelled]
    hits = sum(s and t for s, t in zip(said, truth))
    precision = hits / sum(said) if any(said) else 1.0
    return precision, hits / sum(truth)


def silent_share(kit, labelled: list[dict], threshold: float) -> float:
    """Share of the unrelated queries whose whole answer is empty at ``threshold``."""
    queries = sorted({p["query"] for p in labelled if not p["match"]})
    return sum(not kit.similar(q, min_relevance=threshold) for q in queries) / len(queries)


# -- by reference: an incident asking for its likes ------------------------------------------------
PANEL = 5  # the Incident page's and kit.similar's default number of suggestions
DEMOS = (400, 2000)
REFERENCE_THRESHOLDS = (0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5)


def _own_share(idx, pos: list[int]) -> np.ndarray:
    block = idx.scores_among(pos, pos)  # rows: each incident's headline (``query_text``) asking
    own = np.diag(block).copy()
    out = np.zeros_like(block)
    out[own > 0] = np.minimum(block[own > 0] / own[own > 0, None], 1.0)
    return out


def _headline_ceiling(idx, pos: list[int]) -> np.ndarray:
    top = np.array([idx.ceiling(index.tokens([idx.query_text(p)])[0]) for p in pos])
    return idx.scores_among(pos, pos) / np.where(top > 0, top, np.inf)[:, None]


def _title_ceiling(idx, pos: list[int]) -> np.ndarray:
    return np.array([idx.relevance_to(p)[pos] for p in pos])


RULES = {  # name -> each asking incident's relevance for every incident compared (rows ask)
    "share of the score it gives itself (before)": _own_share,
    "headline (title, summary, tags, factors) over its ceiling": _headline_ceiling,
    "headline over its ceiling, the smaller of both ways": lambda idx, pos: np.minimum(
        _headline_ceiling(idx, pos), _headline_ceiling(idx, pos).T),
    "title over its ceiling, as typed text (now)": _title_ceiling,
    "title over its ceiling, the smaller of both ways": lambda idx, pos: np.minimum(
        _title_ceiling(idx, pos), _title_ceiling(idx, pos).T),
}


def demo_index(kit):
    """The kit's index, the positions of its incidents that are not test ones, and their kinds."""
    idx = kit.db.read(lambda tx: index.current(kit.db, tx, kit.db.data_version()))
    pos = np.flatnonzero((idx.frame["mode"] != "test").to_numpy()).tolist()
    return idx, pos, np.array([kind(t) for t in idx.frame["title"].iloc[pos]])


def suggestions(relevance: np.ndarray, threshold: float, limit: int) -> list[np.ndarray]:
    """What each row's incident is suggested, best first, as ``similar.service._best`` orders them."""
    out = []
    for i, row in enumerate(relevance):
        ok = np.flatnonzero((row > 0) & (row >= threshold))
        ok = ok[ok != i]
        out.append(ok[np.argsort(-row[ok], kind="stable")][:limit])
    return out


def by_reference(relevance: np.ndarray, kinds: np.ndarray, threshold: float) -> dict[str, float]:
    """Precision and recall at ``PANEL`` and ``LIMIT_MAX`` suggestions, and the shares described above."""
    same = kinds[:, None] == kinds[None, :]
    np.fill_diagonal(same, False)
    peers = same.sum(axis=1)
    out = {}
    for limit in (PANEL, LIMIT_MAX):
        found = suggestions(relevance, threshold, limit)
        said = sum(len(f) for f in found)
        right = sum(int(same[i, f].sum()) for i, f in enumerate(found))
        out[f"precision@{limit}"] = right / said if said else 1.0
        out[f"recall@{limit}"] = right / np.minimum(peers, limit).sum()
    silent = [not len(f) for f in found]
    out["silent"] = float(np.mean([s for s, n in zip(silent, peers) if n])) if peers.any() else 0.0
    once = [not s for s, n in zip(silent, peers) if not n]
    out["once"] = float(np.mean(once)) if once else float("nan")
    out["once_count"] = len(once)
    other = np.where(same | np.eye(len(kinds), dtype=bool), 0.0, relevance)
    best_other = other.max(axis=1)
    out["new_kind"] = float(np.mean((best_other > 0) & (best_other >= threshold)))
    return out


def check_rule_in_use(kit, idx, pos: list[int], relevance: np.ndarray, sample: int = 25) -> None:
    """``kit.similar(reference)`` lists what ``RULES``' current rule predicts, for the first ``sample``."""
    among = np.array(pos)
    for i, found in enumerate(suggestions(relevance, MIN_RELEVANCE_BY_REFERENCE, PANEL)[:sample]):
        ref = idx.frame["reference"].iat[pos[i]]
        answer = [f["reference"] for f in kit.similar(ref)]
        assert answer == list(idx.frame["reference"].iloc[among[found]]), (ref, answer)


def main_by_reference() -> None:
    print(describe("bm25s"))
    for n in DEMOS:
        with tempfile.TemporaryDirectory() as tmp, ik.open(Path(tmp) / "refs.duckdb", user="bench") as kit:
            kit.load_demo(incidents=n, seed=42)
            idx, pos, kinds = demo_index(kit)
            print(f"\n{n}-incident demo (seed 42): {len(pos)} incidents ask (test ones left out), "
                  f"{len(set(kinds))} kinds\n")
            print(f"| rule | min relevance | precision@{PANEL} | recall@{PANEL} | precision@{LIMIT_MAX} | "
                  f"recall@{LIMIT_MAX} | no suggestion though others of its kind | kind occurring once: "
                  f"any suggestion | kind new: a wrong suggestion |")
            print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
            for name, rule in RULES.items():
                relevance = rule(idx, pos)
                if name.endswith("(now)"):
                    check_rule_in_use(kit, idx, pos, relevance)
                for threshold in sorted({*REFERENCE_THRESHOLDS, MIN_RELEVANCE, MIN_RELEVANCE_BY_REFERENCE}):
                    m = by_reference(relevance, kinds, threshold)
                    chosen = " (chosen)" if name.endswith("(now)") and threshold == MIN_RELEVANCE_BY_REFERENCE else ""
                    once = f"{m['once']:.2f} of {m['once_count']}" if m["once_count"] else "none occurs once"
                    print(f"| {name} | {threshold:.2f}{chosen} | {m[f'precision@{PANEL}']:.3f} | {m[f'recall@{PANEL}']:.3f} | "
                          f"{m[f'precision@{LIMIT_MAX}']:.3f} | {m[f'recall@{LIMIT_MAX}']:.3f} | {m['silent']:.3f} | "
                          f"{once} | {m['new_kind']:.3f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--by-reference", action="store_true",
                        help="calibrate questions asked by an incident (the Incident page) on the demo")
    if parser.parse_args().by_reference:
        main_by_reference()
    else:
        main_pairs()


def main_pairs() -> None:
    labelled = pairs()
    with tempfile.TemporaryDirectory() as tmp:
        with ik.open(Path(tmp) / "relevance.duckdb", user="bench") as kit:
            load_corpus(kit)
            scores = relevances(kit, labelled)
            print(f"{sum(p['match'] for p in labelled)} matching and {sum(not p['match'] for p in labelled)} "
                  f"unrelated pairs, {len(kit.incidents())} incidents")
            print("| min relevance | precision | recall | unrelated queries answered with nothing |")
            print("|---:|---:|---:|---:|")
            for threshold in sorted({*THRESHOLDS, MIN_RELEVANCE}):
                p, r = precision_recall(scores, labelled, threshold)
                mark = " (chosen)" if threshold == MIN_RELEVANCE else ""
                print(f"| {threshold:.2f}{mark} | {p:.2f} | {r:.2f} | {silent_share(kit, labelled, threshold):.2f} |")
            print("\nMisjudged at the chosen threshold:")
            for pair, score in zip(labelled, scores):
                if (score >= MIN_RELEVANCE and score > 0) != pair["match"]:
                    print(f"  {score:.3f} {'match' if pair['match'] else 'unrelated'}: "
                          f"{pair['query']!r} ~ {pair['incident']!r}")


if __name__ == "__main__":
    main()
