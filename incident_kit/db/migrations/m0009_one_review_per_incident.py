"""One review per incident, kept by the schema and not only by the review service.

The service refuses a second review of an incident, and imports write one only for incidents they
create, but the rule lived in code alone: each reader picked "the latest review" its own way (the
Insights SQL by the highest id, the review list by the newest ``created_at``). A unique index makes it
the schema's, on both stores, so readers take an incident's review as it is: the Insights page no
longer groups every review to find the latest (~10 ms for each of its two review queries at 200k
incidents, ``benchmarks/bench_insights.py --by-query``).

A file holding two reviews of one incident (nothing in incident-kit writes that) is not changed: the
migration stops and says which incidents, since choosing for the team would lose a review.
"""

from ...errors import StoreUnavailable

STATEMENTS = ["DROP INDEX IF EXISTS reviews_incident"]

DUPLICATES = """
SELECT i.reference FROM reviews r JOIN incidents i ON i.id = r.incident_id
GROUP BY i.id, i.reference HAVING count(*) > 1 ORDER BY i.id LIMIT 6"""
UNIQUE = "CREATE UNIQUE INDEX reviews_incident ON reviews (incident_id)"


def seed(tx) -> None:
    twice = [row[0] for row in tx.fetchall(DUPLICATES)]
    if twice:
        shown = ", ".join(twice[:5]) + (" and more" if len(twice) > 5 else "")
        raise StoreUnavailable(
            f"This database holds more than one review of {shown}; incident-kit keeps one review per incident. "
            "Keep the right one (copy what matters from the other) with a database tool, then open it again.")
    tx.execute(UNIQUE)
