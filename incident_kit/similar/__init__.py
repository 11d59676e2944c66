"""Similar incidents: "has this happened before?" and "what keeps coming back".

``store`` reads the text of every incident a page at a time, ``words`` turns the pages into a BM25 index
(here or in a process of its own), ``index`` keeps that index current,
``service`` answers questions (respecting private incidents) and links related incidents.
"""

LIMIT_MAX = 50  # the longest list one question returns (the CLI's --limit and kit.similar's limit)
# The least relevance for kit.similar, the CLI and the Declare panel to list a match for typed text: its BM25
# score as a share of the most any incident could score for the question (``index.Index.relevance``). On
# the 96 labelled pairs of tests/fixtures/similar_pairs.json (benchmarks/bench_similar_relevance.py) 0.25
# keeps precision 0.90 at recall 0.80 and leaves 87% of unrelated questions unanswered; any positive
# score (the old rule) had precision 0.58. "Customers can't log in with Google" finds "Personal data in
# application logs" at 0.235.
MIN_RELEVANCE = 0.25
# The same for an incident asking for its likes (the Incident page, the review's suggestions): the same
# score, its title asked as typed text (``index.Index.relevance_to``), with a higher bar. On the 400- and
# 2,000-incident demos (bench_similar_relevance.py --by-reference) two titles of one kind share nearly all
# their words, so recall stays 0.99 up to 0.35; at 0.25 one in four of all suggestions was of another
# kind (precision 0.76 over up to 50 suggestions, 0.92 at 0.35) and 41% of incidents whose kind was new
# got a wrong one (15% at 0.35). Typed paraphrases share fewer words: at 0.35 their recall fell to 0.64.
MIN_RELEVANCE_BY_REFERENCE = 0.35
