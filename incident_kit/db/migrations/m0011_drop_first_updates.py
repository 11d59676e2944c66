"""Drop ``first_updates`` (migration 10): its change was reverted, and nothing keeps it up to date any more.

The table saved ~5 ms per Insights view but cost every posted update ~1-1.6 ms; the code went back to
computing the time to first update from ``updates``. Left in place, it would hold stale rows.
"""

STATEMENTS = ["DROP TABLE first_updates"]
