"""The one visibility fragment against the copies it replaced, in the two places its shape matters.

    python benchmarks/bench_visibility.py [--incidents 20000] [--repeat 7]

Each store used to carry its own copy of the private-visibility rule; they now all compose
``incident.visibility.visible_sql``. Two copies had different shapes:

* the Insights scope: ``i.id IN (SELECT ... UNION ALL SELECT ...)`` (``analytics.insights``);
* the incident list: correlated ``EXISTS`` per table (``kit.incidents``).

A first version of the fragment used ``EXISTS``; this script measured it 1.4x slower than the
IN form on the Insights scope once, so the fragment uses the IN form (results: benchmarks/README.md). For each place, both SQL
texts run in one process on the same demo database, for a viewer who is not an admin, end to
end (SQL, transfer, validation), median of ``--repeat`` runs in alternating order; the answers
are checked equal. Nothing else runs inside the timed region.
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import arguments, describe  # noqa: E402

import incident_kit as ik  # noqa: E402
from incident_kit import analytics  # noqa: E402
from incident_kit.analytics import store as analytics_store  # noqa: E402
from incident_kit.incident import store as incident_store  # noqa: E402
from incident_kit.incident.visibility import visible_sql  # noqa: E402

NOW = dt.datetime.now(dt.timezone.utc)  # fixed once for the whole run, so open ages compare equal
VIEWER = "ana"  # a demo person who takes part in some private incidents and is not an admin

# The copies as they were before the fragment (git history: incident/store.py, analytics/store.py).
OLD_INSIGHTS_VISIBLE = """(NOT i.private OR i.declared_by = p.viewer
           OR i.id IN (SELECT r.incident_id FROM incident_roles r, p WHERE r.person = p.viewer
                       UNION ALL SELECT m.incident_id FROM incident_members m, p WHERE m.person = p.viewer))"""
OLD_LIST_VISIBLE = """(? OR NOT i.private OR i.declared_by = ?
       OR EXISTS (SELECT 1 FROM incident_roles r WHERE r.incident_id = i.id AND r.person = ?)
       OR EXISTS (SELECT 1 FROM incident_members m WHERE m.incident_id = i.id AND m.person = ?))"""
SCOPES = {"old": analytics_store._SCOPE.format(visible=OLD_INSIGHTS_VISIBLE),
          "new": analytics_store.SCOPE_VIEWER}
LISTS = {"old": incident_store.LIST_INCIDENTS.replace(visible_sql(), OLD_LIST_VISIBLE),
         "new": incident_store.LIST_INCIDENTS}
assert LISTS["old"] != LISTS["new"] and SCOPES["old"] != SCOPES["new"]  # each side really runs its own SQL


def insights(kit, side: str):
    analytics_store.SCOPE_VIEWER = SCOPES[side]
    return analytics.insights.uncached(kit, viewer=VIEWER, modes=None, now=NOW)  # computed, not kept


def listing(kit, side: str):
    incident_store.LIST_INCIDENTS = LISTS[side]
    return kit.incidents(viewer=VIEWER)


def same(a, b) -> bool:
    if isinstance(a, pd.DataFrame):
        return a.equals(b)
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b


def compare(kit, name: str, call, repeat: int) -> None:
    times: dict[str, list[float]] = {"old": [], "new": []}
    answers = {}
    for i in range(repeat):
        for side in (("old", "new") if i % 2 == 0 else ("new", "old")):
            start = time.perf_counter()
            answers[side] = call(kit, side)
            times[side].append(time.perf_counter() - start)
    assert same(answers["old"], answers["new"]), f"{name}: the two SQL texts disagree"
    old, new = (statistics.median(times[s]) for s in ("old", "new"))
    print(f"{name:10s} old {old * 1000:8.1f} ms   new {new * 1000:8.1f} ms   new/old {new / old:.2f}"
          f"   (median of {repeat}, answers equal)")


def main() -> None:
    args = arguments(__doc__, incidents=20000, repeat=7)
    print(describe())
    with tempfile.TemporaryDirectory() as tmp:
        kit = ik.open(Path(tmp) / "bench.duckdb", user="bench")
        kit.load_demo(incidents=args.incidents)
        private = int(kit.incidents()["private"].sum())
        print(f"{args.incidents} demo incidents ({private} private); viewer {VIEWER!r}")
        try:
            compare(kit, "insights", insights, args.repeat)
            compare(kit, "list", listing, args.repeat)
        finally:
            analytics_store.SCOPE_VIEWER, incident_store.LIST_INCIDENTS = SCOPES["new"], LISTS["new"]
            kit.close()


if __name__ == "__main__":
    main()
