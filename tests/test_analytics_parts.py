"""After a change, Insights run again only the page queries that read a table the change touched.

``query.run_parts`` keeps each page query's result under ``Database.table_versions`` of the tables it reads;
every test checks which queries ran after one change, and that the answer equals one computed from scratch.
Both stores: DuckDB tells the tables from each statement it runs, PostgreSQL from its analytics copy's refresh.
"""

from __future__ import annotations

import datetime as dt

import pandas.testing as pdt
import pytest

from incident_kit import analytics, clock
from incident_kit.analytics import metrics, query

import insights_data

NOW = clock.utcnow().replace(microsecond=0) + dt.timedelta(days=2)
EVERY_QUERY = set(metrics.PAGE_QUERIES)


@pytest.fixture
def org(kit):
    insights_data.build(kit)
    kit.declare("Payments failing", declared_by="ana", severity="Major")
    analytics.insights(kit, now=NOW)  # every query run and kept
    return kit


def ran_after(kit, change, monkeypatch, *, now=NOW) -> set[str]:
    """The page queries the next Insights call runs after ``change``; checks its answer against a fresh one."""
    ran: set[str] = set()
    run_many = query.run_many

    def spy(source, queries, filters, at=None):  # records, then runs the real thing
        ran.update(queries)
        return run_many(source, queries, filters, at)

    change(kit)
    monkeypatch.setattr(query, "run_many", spy)
    kept = analytics.insights(kit, now=now)
    monkeypatch.setattr(query, "run_many", run_many)
    fresh = analytics.insights.uncached(kit, now=now)
    for name in kept:
        if hasattr(kept[name], "columns"):
            pdt.assert_frame_equal(kept[name], fresh[name], obj=name)
        else:
            assert kept[name] == fresh[name], name
    return ran


@pytest.mark.both_stores
def test_an_update_runs_again_only_the_queries_that_read_update_facts(org, monkeypatch):
    assert ran_after(org, lambda k: k.post_update("INC-6", "Still looking", by="ana"), monkeypatch) == {
        "durations", "gap_stats"}


@pytest.mark.both_stores
def test_a_follow_up_runs_again_only_the_follow_up_statistics(org, monkeypatch):
    assert ran_after(org, lambda k: k.add_follow_up("INC-3", "Rotate every key", by="ana"), monkeypatch) == {
        "follow_up_stats"}


@pytest.mark.both_stores
def test_a_declaration_runs_every_query_again(org, monkeypatch):
    assert ran_after(org, lambda k: k.declare("Search slow", declared_by="bao"), monkeypatch) == EVERY_QUERY


@pytest.mark.both_stores
def test_a_settings_change_runs_every_query_again(org, monkeypatch):
    """The visibility rule reads settings (admins, trusted names): every query depends on them."""
    def trust(k):
        k.save_settings({"trust_typed_names": True}, by="ana")

    assert ran_after(org, trust, monkeypatch) == EVERY_QUERY


@pytest.mark.both_stores
def test_a_later_now_runs_again_only_what_depends_on_the_clock(org, monkeypatch):
    later = NOW + dt.timedelta(hours=1)
    assert ran_after(org, lambda k: None, monkeypatch, now=later) == {"follow_up_stats"}


def test_a_statement_whose_target_cannot_be_told_counts_for_every_table(kit):
    from incident_kit.analytics import store

    before = kit.db.table_versions(store.TABLES)
    kit.db.write(lambda tx: tx.execute("CREATE TABLE scratch (a INTEGER)"))
    after = kit.db.table_versions(store.TABLES)
    assert all(after[t] != before[t] for t in store.TABLES)
    kit.db.write(lambda tx: tx.execute("INSERT INTO main.follow_ups (incident_id, title, created_at, created_by, "
                                       "updated_at) VALUES (1, 'x', now(), 'ana', now())"))
    moved = kit.db.table_versions(store.TABLES)
    assert {t for t in store.TABLES if moved[t] != after[t]} == {"follow_ups"}  # a schema-qualified name too
