"""SQL for the status pages. Values are always bound (``?``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas loads only where a frame is built, so write commands start fast
    import pandas as pd

from ..catalog.models import cadence_sql
from ..incident.models import ACTIVE_SQL
from ..incident.visibility import public_sql

# Only what customers were told: external updates of incidents an anonymous reader may see
# (the visibility rule with nobody signed in: no private ones), and no tests.
PUBLIC_UPDATES = f"""
SELECT i.id AS incident_id, i.reference, i.title, i.status AS incident_status, i.started_at, i.resolved_at,
       u.id AS update_id, u.posted_at, u.status, u.message, u.impact, u.doing,
       -- no time promised by an update of an ongoing phase: the severity's cadence promises one
       CASE WHEN u.next_update_at IS NULL AND coalesce(u.status, i.status) IN {ACTIVE_SQL}
            THEN u.posted_at + to_minutes({cadence_sql()}) ELSE u.next_update_at END AS next_update_at
FROM updates u JOIN incidents i ON i.id = u.incident_id
LEFT JOIN severities s ON s.name = i.severity
WHERE u.audience = 'external' AND {public_sql()} AND i.mode <> 'test'
ORDER BY u.posted_at DESC, u.id DESC"""

# The newest update (any audience) of each listed incident, for the internal board.
LATEST_UPDATES = """
SELECT incident_id, update_id, posted_at, author, audience, status, message, impact, doing, next_update_at
FROM (SELECT incident_id, id AS update_id, posted_at, author, audience, status, message, impact, doing,
             next_update_at, row_number() OVER (PARTITION BY incident_id ORDER BY posted_at DESC, id DESC) AS n
      FROM updates WHERE list_contains(?, incident_id)) ranked
WHERE n = 1"""


def public_updates(tx) -> pd.DataFrame:
    return tx.df(PUBLIC_UPDATES)


def latest_updates(tx, incident_ids: list[int]) -> pd.DataFrame:
    return tx.df(LATEST_UPDATES, [incident_ids])
