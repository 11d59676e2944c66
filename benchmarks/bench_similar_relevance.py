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
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import incident_kit as ik
from incident_kit.similar import LIMIT_MAX, MIN_RELEVANCE

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


def main() -> None:
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
