"""Analytics answers are kept per data version: a repeat call on unchanged data is a lookup, and any
committed change (through any public write, in this process or another) is seen on the next call.

Every test runs on a real DuckDB file and, where marked ``both_stores``, on a real PostgreSQL server.
"""

from __future__ import annotations

import datetime as dt
import math
import subprocess
import textwrap
from pathlib import Path

import pandas as pd
import pandas.testing as pdt
import pytest

import incident_kit as ik
from incident_kit import analytics, clock
from incident_kit.analytics import memo, survival, trends
from incident_kit.identity import Person

import insights_data

# After every row any test writes (writes are stamped with the real clock), so follow-up ages are never negative.
NOW = clock.utcnow().replace(microsecond=0) + dt.timedelta(days=2)
STATUSPAGE = Path(__file__).resolve().parent / "fixtures" / "imports" / "statuspage-twilio.json"


def answers(kit, viewer=None, *, fresh: bool = False) -> dict:
    """Every answer the Insights page asks for; ``fresh`` computes each one without the memo."""
    def call(fn):
        return fn.uncached if fresh else fn

    return {
        "insights": call(analytics.insights)(kit, now=NOW, viewer=viewer, modes=None),
        "comparison": call(trends.period_comparison)(kit, split="2026-03-04", viewer=viewer, modes=None),
        "xmr": call(trends.declarations_xmr)(kit, viewer=viewer),
        "curves": call(survival.completion_curves)(kit, now=NOW, viewer=viewer),
        "estimate": call(survival.completion_estimate)(kit, now=NOW, viewer=viewer),
    }


def assert_same(a, b, where: str = "") -> None:
    if isinstance(a, pd.DataFrame):
        pdt.assert_frame_equal(a, b, obj=where or "frame")
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), where
        for key in a:
            assert_same(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, float) and math.isnan(a):
        assert isinstance(b, float) and math.isnan(b), where
    else:
        assert a == b, where


def differs(a, b) -> bool:
    try:
        assert_same(a, b)
    except AssertionError:
        return True
    return False


@pytest.fixture
def org(kit):
    insights_data.build(kit)
    return kit


@pytest.mark.both_stores
def test_a_kept_answer_equals_a_fresh_computation_frame_by_frame(org):
    first = answers(org)
    kept = answers(org)
    assert memo.memo_for(org.db).hits >= 5
    assert_same(kept, answers(org, fresh=True))
    assert_same(kept, first)


@pytest.mark.both_stores
def test_a_repeat_view_of_unchanged_data_does_not_compute_again(org):
    answers(org)
    kept = memo.memo_for(org.db)
    before = (kept.hits, kept.misses)
    answers(org)
    assert (kept.hits - before[0], kept.misses - before[1]) == (5, 0)


def _declare(kit):
    kit.declare("Payments down", declared_by="ana", severity="Major", type="engineering", tags=["database"])


def _post_update(kit):
    kit.post_update("INC-2", "Still looking", by="bao")


def _resolve(kit):
    kit.resolve("INC-2", by="bao")


def _change_status(kit):
    kit.change_status("INC-2", "monitoring", by="bao")


def _edit_tags(kit):
    kit.edit("INC-6", tags=["deploy", "dns"], by="ana")


def _merge(kit):
    kit.merge("INC-2", into="INC-1", by="ana")


def _add_follow_up(kit):
    kit.add_follow_up("INC-3", "Rotate every key", due=dt.date(2026, 3, 20), by="ana")


def _complete_follow_up(kit):
    kit.complete_follow_up(3, by="ana")


def _save_review(kit):
    kit.set_contributing_factors("INC-1", ["missing alert", "config drift", "capacity planning"], by="ana")


def _resolve_inc6(kit):
    kit.resolve("INC-6", by="ana")


def _start_review(kit):
    kit.start_review("INC-6", depth="note", by="ana")


def _import(kit):
    kit.import_files("statuspage", [STATUSPAGE], by="importer")


def _cadence(kit):
    kit.set_severities([{"name": s.name, "cadence_minutes": 1 if s.name == "Major" else s.cadence_minutes,
                         "description": s.description} for s in kit.severities()], by="ana")


def _new_type(kit):
    kit.add_type("Supplier outage", engineering=False, by="ana")


def _admins(kit):
    kit.save_settings({"admins": ["ana"]}, by="ana")


def _trust_typed_names(kit):
    kit.save_settings({"trust_typed_names": True}, by="ana")


def _ready_to_publish(kit):
    _resolve_inc6(kit)
    _start_review(kit)
    kit.set_review_status("INC-6", "in_review", by="ana")


def _publish_review(kit):
    kit.publish_review("INC-6", by="ana")


def _nothing(kit):
    pass


# write -> (what is there before, the write, the viewer whose answers are compared, whether they must change)
WRITES = {
    "declaring_an_incident": (_nothing, _declare, None, True),
    "posting_an_update": (_nothing, _post_update, None, True),
    "resolving": (_nothing, _resolve, None, True),
    "changing_status": (_nothing, _change_status, None, False),  # no metric reads the status itself
    "editing_a_field": (_nothing, _edit_tags, None, True),
    "merging": (_nothing, _merge, None, False),  # the merged incident stays counted where it was declared
    "adding_a_follow_up": (_nothing, _add_follow_up, None, True),
    "completing_a_follow_up": (_nothing, _complete_follow_up, None, True),
    "saving_a_review": (_nothing, _save_review, None, True),
    "starting_a_review": (_resolve_inc6, _start_review, None, True),
    "publishing_a_review": (_ready_to_publish, _publish_review, None, True),
    "importing": (_nothing, _import, None, True),
    "changing_a_severity_cadence": (_nothing, _cadence, None, True),
    "adding_a_type": (_nothing, _new_type, None, False),  # no incident has it yet: only the version moves
    "naming_an_admin": (_nothing, _admins, "ana", True),
    "trusting_typed_names": (_nothing, _trust_typed_names, Person("dev", verified=False), True),
}


@pytest.mark.both_stores
@pytest.mark.parametrize("write", list(WRITES))
def test_the_next_call_after_a_public_write_reflects_it(org, write):
    prepare, change, viewer, must_change = WRITES[write]
    prepare(org)
    before = answers(org, viewer)
    assert_same(answers(org, viewer), before)  # kept
    version = org.db.data_version()
    change(org)
    assert org.db.data_version() != version
    after = answers(org, viewer)
    assert_same(after, answers(org, viewer, fresh=True), write)
    if must_change:
        assert differs(after, before), f"{write} changed nothing the Insights page shows"


@pytest.mark.both_stores
def test_a_change_by_another_process_is_seen_on_the_next_call(org, subprocess_env, python):
    before = analytics.insights(org, now=NOW)
    assert org.update_cadence("Major") == 60  # the catalog is read (and, on DuckDB, kept) before the change
    script = textwrap.dedent("""
        import incident_kit as ik
        with ik.open(user="other") as kit:
            kit.declare("From elsewhere", severity="Minor")
            kit.set_severities([{"name": s.name, "description": s.description,
                                 "cadence_minutes": 1 if s.name == "Major" else s.cadence_minutes}
                                for s in kit.severities()])
    """)
    if org.db.dialect == "duckdb":  # one process holds a DuckDB file: the other one waits its turn
        org.close()
        subprocess.run([python, "-c", script], env=subprocess_env, check=True, timeout=120)
        org = ik.open(subprocess_env["INCIDENT_KIT_DB"], user="tester")
    else:
        subprocess.run([python, "-c", script], env=subprocess_env, check=True, timeout=120)
    after = analytics.insights(org, now=NOW)
    assert int(after["scope_counts"]["incidents"].iat[0]) == int(before["scope_counts"]["incidents"].iat[0]) + 1
    assert differs(after["cadence_adherence"], before["cadence_adherence"])
    assert org.update_cadence("Major") == 1
    assert_same(after, analytics.insights.uncached(org, now=NOW))
    org.close()


def test_two_databases_on_one_duckdb_file_see_each_others_writes(org):
    from incident_kit.db.duckdb import DuckDBDatabase

    other = DuckDBDatabase(org.db.path)
    try:
        before = analytics.insights(org, now=NOW)["scope_counts"]
        assert org.update_cadence("Major") == 60
        _declare(ik.Kit(other, user="other"))
        _cadence(ik.Kit(other, user="other"))
        after = analytics.insights(org, now=NOW)["scope_counts"]
        assert int(after["incidents"].iat[0]) == int(before["incidents"].iat[0]) + 1
        assert org.update_cadence("Major") == 1  # the catalog cache is one per file, not per connection
    finally:
        other.close()


@pytest.mark.both_stores
def test_changing_a_returned_frame_does_not_change_the_next_answer(org):
    first = answers(org)
    untouched = answers(org, fresh=True)
    first["insights"]["scope_counts"].loc[0, "incidents"] = 999
    first["insights"]["response_summary"]["median"] = -1.0
    first["insights"]["declaration_summary"].clear()
    first["comparison"]["verdict"] = "changed"
    first["curves"]["share_done"] = 0.0
    first["estimate"]["km_median_days_to_complete"] = -1
    assert_same(answers(org), untouched)


def _write_every_way(frame: pd.DataFrame) -> None:
    """Every way a page could change a frame it was handed, in place."""
    for column in list(frame.columns):  # through the arrays pandas hands out: refused where read-only
        for array in (lambda: frame[column].to_numpy(), lambda: frame[column].values, lambda: frame[column].array):
            try:
                array()[0] = frame[column].iloc[-1]
            except (ValueError, TypeError):
                pass
    number = next((c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])), None)
    if number is not None:
        frame.loc[frame.index[0], number] = -7
        frame.at[frame.index[-1], number] = -8
        frame[number] = -1
    frame.iloc[0, 0] = frame.iloc[-1, 0]
    frame["added by the page"] = "x"
    frame.columns = [f"renamed {c}" for c in frame.columns]
    frame.index = range(100, 100 + len(frame))
    frame.attrs["page"] = "wrote here"
    del frame[frame.columns[0]]


@pytest.mark.both_stores
def test_a_page_cannot_change_a_kept_answer_in_any_way_pandas_allows(org):
    untouched = answers(org, fresh=True)
    handed = answers(org)  # computed: the memo keeps its own copy
    for _ in range(2):  # then twice from the memo: what a repeat view is handed
        for frame in [*handed["insights"].values(), handed["comparison"], handed["xmr"], handed["curves"]]:
            if isinstance(frame, pd.DataFrame) and len(frame):
                _write_every_way(frame)
        handed["insights"]["declaration_summary"].clear()
        handed["estimate"]["km_median_days_to_complete"] = -1
        assert_same(answers(org), untouched)
        handed = answers(org)


@pytest.mark.both_stores
def test_a_viewer_never_gets_another_viewers_answer(org):
    # INC-5 is private to dev (its declarer); ana is not a participant and not an admin.
    outsider = analytics.insights(org, now=NOW, viewer="ana")["scope_counts"]
    participant = analytics.insights(org, now=NOW, viewer="dev")["scope_counts"]
    assert int(participant["incidents"].iat[0]) == int(outsider["incidents"].iat[0]) + 1
    again = analytics.insights(org, now=NOW, viewer="ana")["scope_counts"]
    assert_same(again, outsider)
    # The same name, signed in but not proved: not believed for private incidents.
    unproved = analytics.insights(org, now=NOW, viewer=Person("dev", verified=False))["scope_counts"]
    assert_same(unproved, outsider)
    proved = analytics.insights(org, now=NOW, viewer=Person("dev", verified=True))["scope_counts"]
    assert_same(proved, participant)


@pytest.mark.both_stores
def test_different_filters_never_share_an_answer(org):
    everything = analytics.insights(org, now=NOW)
    major = analytics.insights(org, now=NOW, severities=["Major"])
    assert differs(major, everything)
    assert_same(major, analytics.insights.uncached(org, now=NOW, severities=["Major"]))
    later = analytics.insights(org, now=NOW + dt.timedelta(days=30))
    assert differs(later["open_age_histogram"], everything["open_age_histogram"])


def test_without_now_an_answer_is_reused_for_at_most_a_minute(org, monkeypatch):
    kept = memo.memo_for(org.db)
    start = clock.utcnow()
    monkeypatch.setattr(clock, "utcnow", lambda: start)
    survival.completion_curves(org)
    misses = kept.misses
    survival.completion_curves(org)
    assert kept.misses == misses  # within the minute: kept
    monkeypatch.setattr(clock, "utcnow", lambda: start + dt.timedelta(seconds=59))
    survival.completion_curves(org)
    assert kept.misses == misses
    monkeypatch.setattr(clock, "utcnow", lambda: start + dt.timedelta(seconds=61))
    survival.completion_curves(org)
    assert kept.misses == misses + 1  # older than a minute: computed again
    # an explicit ``now`` is a key of its own and does not age
    survival.completion_curves(org, now=NOW)
    monkeypatch.setattr(clock, "utcnow", lambda: start + dt.timedelta(days=1))
    hits = kept.hits
    survival.completion_curves(org, now=NOW)
    assert kept.hits == hits + 1


def test_the_memo_keeps_a_bounded_number_of_answers(org):
    for day in range(memo.MAX_ENTRIES + 10):
        analytics.insights(org, now=NOW + dt.timedelta(days=day))
    assert len(memo.memo_for(org.db)) == memo.MAX_ENTRIES


def test_an_unknown_filter_is_still_refused(org):
    with pytest.raises(TypeError, match="Unknown filter"):
        analytics.insights(org, colour="red")
