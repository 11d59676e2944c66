"""PostgreSQL: indexes for the pages' counts and first page of rows at a million incidents.

Why: PostgreSQL answered them by reading every incident (measured on the scale set, 1M incidents, through the
Kit): the Incidents page's first 50 rows took 585 ms (a top-50 sort of every visible incident), the count of
active incidents 154 ms, and every list for a person who is not an admin read all of ``incident_roles`` to know
which private incidents they take part in (76 ms). DuckDB scans a column in a few milliseconds and keeps no
such index (its ART indexes make an UPDATE of an indexed column a delete and an insert): it needs none of these.

- ``incidents_list_order``: the list's own order, ``(active) DESC, declared_at DESC, id DESC``, so the first
  page is read from the index's start (27 ms). The expression must stay the list's text: the statuses below
  are the active ones when this was written (``incident.models.ACTIVE_SQL``); a test checks that PostgreSQL
  can still read the list in this index's order, so a change of active statuses needs a new index.
- ``incidents_status``: active incidents by status (the Needs an update page, Home's active rows).
- ``incident_roles_person``, ``incident_members_person``: the incidents a person takes part in, read from the
  index alone (the visibility rule's participant test).
- ``follow_ups_list_order``, ``follow_ups_owner``: the Follow-ups page's first 50, in the list's own order
  (open first, then by due date), and a person's own: 439 -> 17 ms and 109 -> 20 ms at 1.15M follow-ups.
"""

STATEMENTS: list[str] = []

POSTGRES_STATEMENTS = [
    "CREATE INDEX IF NOT EXISTS incidents_list_order ON incidents "
    "((status IN ('investigating', 'fixing', 'monitoring')) DESC, declared_at DESC, id DESC)",
    "CREATE INDEX IF NOT EXISTS incidents_status ON incidents (status)",
    "CREATE INDEX IF NOT EXISTS incident_roles_person ON incident_roles (person, incident_id)",
    "CREATE INDEX IF NOT EXISTS incident_members_person ON incident_members (person, incident_id)",
    "CREATE INDEX IF NOT EXISTS follow_ups_list_order ON follow_ups "
    "((status IN ('open', 'in_progress')) DESC, due_at, id)",
    "CREATE INDEX IF NOT EXISTS follow_ups_owner ON follow_ups (owner)",
]
