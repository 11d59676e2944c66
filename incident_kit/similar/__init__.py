"""Similar incidents: "has this happened before?" and "what keeps coming back".

``store`` reads the text of every incident, ``index`` keeps a BM25 index of it current,
``service`` answers questions (respecting private incidents) and links related incidents.
"""

LIMIT_MAX = 50  # the longest list one question returns (the CLI's --limit and kit.similar's limit)
