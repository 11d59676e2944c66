"""The update facts maintained at write time always equal a recomputation from scratch.

Hypothesis drives random sequences of declarations, updates (some back-dated into
the middle of a history, some at the same instant), resolutions, reopenings,
merges, edits, severity changes and Statuspage imports and re-imports that move
update times, each against a real DuckDB file; after every sequence the
maintained ``update_facts`` must equal what ``incident.facts`` computes from the
updates table alone.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import incident_kit as ik
from incident_kit.errors import IncidentKitError
from incident_kit.importers.models import ImportFile
from incident_kit.incident import facts
from incident_kit.incident import service as incident_service

BASE = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.timezone.utc)

which = st.integers(min_value=0, max_value=5)  # an incident, by position among those declared so far
operations = st.one_of(
    st.tuples(st.just("declare"), st.sampled_from(["live", "retrospective", "test"])),
    st.tuples(st.just("post"), which, st.sampled_from(["internal", "external"]),
              st.one_of(st.none(), st.integers(min_value=-600, max_value=600))),
    st.tuples(st.just("resolve"), which),
    st.tuples(st.just("reopen"), which),
    st.tuples(st.just("merge"), which, which),
    st.tuples(st.just("edit"), which, st.sampled_from(["started_at", "mode", "title"])),
    st.tuples(st.just("severity"), which, st.sampled_from(["Minor", "Major", "Critical"])),
    st.tuples(st.just("import"), st.lists(st.integers(min_value=0, max_value=900), min_size=0, max_size=4),
              st.integers(min_value=0, max_value=2)),
)


def _page(update_minutes: list[int], page: int) -> bytes:
    """A Statuspage file; the same page number re-imports the same incident and update ids."""
    updates = [{"id": f"p{page}-u{i}", "status": "investigating", "body": f"Update {i}",
                "created_at": (BASE + dt.timedelta(minutes=m)).isoformat()} for i, m in enumerate(update_minutes)]
    inc = {"id": f"page{page}", "name": f"Imported {page}", "status": "investigating", "impact": "minor",
           "created_at": BASE.isoformat(), "started_at": BASE.isoformat(), "resolved_at": None,
           "components": [], "incident_updates": updates or [
               {"id": f"p{page}-u0", "status": "investigating", "body": "Looking", "created_at": BASE.isoformat()}]}
    return json.dumps({"page": {"name": "Acme"}, "incidents": [inc]}).encode()


def _apply(kit, refs: list[str], op: tuple) -> None:
    kind, *args = op
    if kind == "declare":
        refs.append(kit.declare(f"Incident {len(refs)}", declared_by="ana", mode=args[0]).reference)
        return
    if kind == "import":
        summary = kit.import_files("statuspage", [ImportFile.from_bytes("page.json", _page(*args))])
        refs.extend(r for r in summary.references if r not in refs)
        return
    if not refs:
        return
    ref = refs[args[0] % len(refs)]
    if kind == "post":
        _, audience, minutes = args
        posted = None if minutes is None else BASE + dt.timedelta(minutes=minutes)
        incident_service.post_update(kit.db, ref, "Progress", by="ana", audience=audience, posted_at=posted)
    elif kind == "resolve":
        kit.resolve(ref, by="ana")
    elif kind == "reopen":
        kit.reopen(ref, by="ana", reason="Came back")
    elif kind == "merge":
        kit.merge(ref, refs[args[1] % len(refs)], by="ana")
    elif kind == "edit":
        value = {"started_at": BASE - dt.timedelta(hours=1), "mode": "retrospective", "title": "Renamed"}[args[1]]
        kit.edit(ref, by="ana", **{args[1]: value})
    elif kind == "severity":
        kit.change_severity(ref, args[1], by="ana", reason="Scope changed")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(operations, min_size=1, max_size=14))
def test_maintained_update_facts_equal_a_recomputation_after_any_operations(ops):
    with tempfile.TemporaryDirectory() as tmp:
        kit = ik.open(Path(tmp) / "kit.duckdb", user="ana")
        refs: list[str] = []
        try:
            for op in ops:
                try:
                    _apply(kit, refs, op)
                except IncidentKitError:
                    pass  # a refused operation (e.g. reopening an active incident) changes nothing
            maintained = kit.db.read(facts.maintained)
            assert maintained == kit.db.read(facts.from_scratch)
            assert len(maintained) == kit.db.read(lambda tx: tx.fetchone("SELECT count(*) FROM updates")[0])
        finally:
            kit.close()


def test_a_backdated_update_splits_the_gap_it_lands_in(kit):
    ref = kit.declare("Checkout errors", declared_by="ana").reference
    incident_service.post_update(kit.db, ref, "first", by="ana", posted_at=BASE)
    incident_service.post_update(kit.db, ref, "third", by="ana", posted_at=BASE + dt.timedelta(minutes=60),
                                 audience="external")
    incident_service.post_update(kit.db, ref, "second", by="ana", posted_at=BASE + dt.timedelta(minutes=20))

    rows = sorted(kit.db.read(facts.maintained), key=lambda r: r[2])
    assert [(r[4], r[5], r[6]) for r in rows] == [(None, None, False), (20.0, 20.0, False), (40.0, None, True)]


def test_the_migration_fills_the_facts_of_existing_updates(db_path):
    kit = ik.open(db_path, user="ana")
    ref = kit.declare("Old incident").reference
    kit.post_update(ref, "one")
    kit.post_update(ref, "two")
    kit.db.write(lambda tx: tx.execute("DELETE FROM update_facts"))  # as if written before migration 0005
    kit.db.write(lambda tx: tx.execute("DELETE FROM schema_migrations WHERE version = 5"))
    kit.db.write(lambda tx: tx.execute("DROP TABLE update_facts"))
    kit.close()

    kit = ik.open(db_path, user="ana")
    assert len(kit.db.read(facts.maintained)) == 2
    assert kit.db.read(facts.maintained) == kit.db.read(facts.from_scratch)
    kit.close()


@pytest.mark.both_stores
def test_facts_stay_equal_to_a_recomputation_on_either_store(kit):
    first = kit.declare("Card payments failing", declared_by="ana").reference
    second = kit.declare("Duplicate report", declared_by="ben").reference
    for minutes, audience in ((0, "internal"), (30, "external"), (12, "internal"), (30, "internal")):
        incident_service.post_update(kit.db, first, "Progress", by="ana", audience=audience,
                                     posted_at=BASE + dt.timedelta(minutes=minutes))
    kit.import_files("statuspage", [ImportFile.from_bytes("page.json", _page([0, 45, 20], 1))])
    kit.import_files("statuspage", [ImportFile.from_bytes("page.json", _page([5, 45, 90, 20], 1))])  # moved, added
    kit.resolve(first, by="ana")
    kit.reopen(first, by="ana", reason="Came back")
    kit.merge(second, first, by="ana")

    maintained = kit.db.read(facts.maintained)
    assert maintained == kit.db.read(facts.from_scratch)
    gaps = sorted(r[4] for r in maintained if r[1] == kit.get(first).id and r[4] is not None)
    assert gaps == [0.0, 12.0, 18.0]  # 0, 12, 30 (external), 30 (internal): back-dated and same-instant posts
