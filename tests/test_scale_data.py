"""The benchmark scale set (``benchmarks/scale_data.py``) loads into both stores as the services would leave them.

Small sizes only: the 1M set is a benchmark (``benchmarks/bench_scale.py``), not a test.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

import incident_kit as ik
from incident_kit import analytics
from incident_kit.incident import facts

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import scale_data  # noqa: E402

pytestmark = pytest.mark.usefixtures("pg_server")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return scale_data.build(1500, seed=5, quiet=True, cache=tmp_path_factory.mktemp("scale"))


def test_the_set_has_the_demos_proportions(files):
    rows = scale_data.rows(files)
    assert rows["incidents"] == 1500
    assert 2.5 < rows["updates"] / rows["incidents"] < 3.5  # ~3 updates per incident, as the demo
    assert 0.8 < rows["reviews"] / rows["incidents"] < 1.0  # every post-incident or closed one but tests
    assert 0.9 < rows["follow_ups"] / rows["incidents"] < 1.4


def test_both_stores_loaded_from_the_set_give_the_same_figures_and_take_new_writes(files, tmp_path, pg_url):
    printed = []
    path = tmp_path / "scale.duckdb"
    scale_data.load_duckdb(path, files)
    scale_data.load_postgres(pg_url, files)
    rows = scale_data.rows(files)
    for target in (path, pg_url):
        with ik.open(target, user="bench") as kit:
            assert kit.db.read(facts.maintained) == kit.db.read(facts.from_scratch)
            printed.append(json.dumps(analytics.metrics_summary(kit), sort_keys=True, default=str))
            assert len(kit.incidents(limit=None)) == 1500
            ref = kit.declare("Checkout failing after the load", severity="Major").reference
            assert ref == "INC-1501"  # the counter follows the loaded ids
            assert kit.post_update(ref, "Looking into it").id == rows["updates"] + 1  # and so does each sequence
            assert kit.add_follow_up(ref, "Add an alert").id == rows["follow_ups"] + 1
            assert [e.kind for e in kit.events("INC-1")][:2] == ["declared", "role_assigned"]
    assert printed[0] == printed[1]
