"""Similar incidents: "has this happened before?" and "what keeps coming back".

``store`` reads the text of every incident, ``index`` keeps a BM25 index of it current,
``service`` answers questions (respecting private incidents) and links related incidents.
"""

LIMIT_MAX = 50  # the longest list one question returns (the CLI's --limit and kit.similar's limit)
# The least relevance for kit.similar, the CLI and the Declare panel to list a match: its BM25 score as a
# share of the most any incident could score for the question (``index.Index.relevance``; for an
# incident's reference, of the score it gives itself). On the 96 labelled pairs of
# tests/fixtures/similar_pairs.json (benchmarks/bench_similar_relevance.py) 0.25 keeps precision 0.90 at
# recall 0.80 and leaves 87% of unrelated questions unanswered; any positive score (the old rule) had
# precision 0.58. "Customers can't log in with Google" finds "Personal data in application logs" at 0.235.
MIN_RELEVANCE = 0.25
