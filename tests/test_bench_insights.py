"""The Insights benchmark stays honest: on a small synthetic store, both sides give the same 15 frames.

The benchmark's ratio means something only if the plain-pandas side does the same work as
``analytics.insights``; this runs both on a real DuckDB file made by the benchmark's own generator
(small, so it is quick) and compares every frame the way the benchmark does. Nothing is timed here.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import incident_kit as ik
from incident_kit.analytics import metrics

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import bench_insights as bench  # noqa: E402


@pytest.fixture(scope="module")
def both_sides(tmp_path_factory) -> tuple[dict, dict]:
    """Every Insights frame from DuckDB and from plain pandas, on one synthetic store."""
    path = str(tmp_path_factory.mktemp("bench") / "bench.duckdb")
    bench.generate(path, incidents=3000, updates_per=3, follow_ups=4500)
    kit = ik.open(path, read_only=True, user="tester")
    try:
        mine = bench.duckdb_all(kit)
    finally:
        kit.close()
    return mine, bench.pandas_all(bench.load_tables(path))


def test_duckdb_and_pandas_give_every_insights_frame_alike(both_sides):
    mine, theirs = both_sides
    assert bench.check_same(mine, theirs) == sorted(metrics.INSIGHT_FRAMES)
    assert len(mine["themes"]) > 0 and len(mine["follow_ups_by_month"]) > 12  # the data exercises every frame


def test_the_comparison_fails_when_a_frame_differs(both_sides):
    mine, theirs = both_sides
    theirs = dict(theirs)  # the fixture's frames stay as they were for other tests
    theirs["themes"] = theirs["themes"].assign(incidents=theirs["themes"]["incidents"] + 1)
    with pytest.raises(AssertionError):
        bench.check_same(mine, theirs)


def test_the_pandas_side_validates_every_frame_as_insights_does():
    """Both sides pay for the same boundary contract: every frame but the summary dict has its model."""
    import insights_pandas

    assert set(insights_pandas.FRAME_MODELS) == set(metrics.INSIGHT_FRAMES) - {"declaration_summary"}
    bad = {"scope_counts": insights_pandas.pd.DataFrame([{"incidents": 1, "live": 1, "retrospective": 0, "test": 0,
                                                          "counted": 5, "excluded": 0}])}
    with pytest.raises(Exception, match="counted_plus_excluded_is_all"):
        insights_pandas.validated(bad)
