"""Percentiles computed in numpy are DuckDB's quantile_cont (type 7), to within its last bit."""

import duckdb
import numpy as np
import pytest

from incident_kit.analytics.percentiles import linear
from incident_kit.analytics.resampling import clean
from incident_kit.analytics.response import SHARES

SHARE_LIST = "[" + ", ".join(repr(s) for s in SHARES) + "]"


def duckdb_percentiles(con, values) -> np.ndarray:
    con.execute("CREATE OR REPLACE TABLE t AS SELECT unnest(?::DOUBLE[]) AS x", [list(values)])
    return np.array(con.execute(f"SELECT quantile_cont(x, {SHARE_LIST}) FROM t").fetchone()[0])


@pytest.mark.parametrize("shape", ["lognormal", "integers", "wide", "tiny"])
def test_the_curve_is_duckdbs_to_within_one_unit_in_the_last_place(shape):
    rng = np.random.default_rng(20261129)
    con = duckdb.connect()
    exact = total = 0
    for _ in range(60):
        n = int(rng.integers(1, 2500))
        x = {"lognormal": lambda: rng.lognormal(3, 2, n), "integers": lambda: rng.integers(-50, 50, n).astype(float),
             "wide": lambda: rng.normal(0, 1e6, n), "tiny": lambda: rng.exponential(1, n) * 1e-3}[shape]()
        theirs = duckdb_percentiles(con, x)
        ordered = clean(x)
        ours = linear(ordered, SHARES)
        position = (n - 1) * np.asarray(SHARES)
        neighbours = np.maximum(np.abs(ordered[np.floor(position).astype(int)]),
                                np.abs(ordered[np.ceil(position).astype(int)]))
        assert np.all(np.abs(ours - theirs) <= np.spacing(neighbours)), shape
        exact += int((ours == theirs).sum())
        total += len(ours)
    assert exact / total > 0.8  # mostly bit-equal; the rest one unit apart (a fused multiply-add in DuckDB)


def test_a_percentile_on_a_value_or_between_equal_values_is_that_value_exactly():
    assert linear(np.array([7.25]), SHARES).tolist() == [7.25] * 51
    ordered = np.array([0.1, 0.1, 0.1, 0.3])
    q = linear(ordered, [0.0, 1 / 3, 0.5, 2 / 3, 1.0])
    assert q[:3].tolist() == [0.1, 0.1, 0.1]  # 0.1 + (0.1 - 0.1)·d, not 0.1·(1 − d) + 0.1·d
    assert q[-1] == 0.3 and 0.1 <= q[3] <= 0.3


def test_the_curve_never_falls_as_the_share_rises():
    rng = np.random.default_rng(3)
    for _ in range(200):
        ordered = clean(rng.lognormal(0, 3, int(rng.integers(2, 400))))
        assert np.all(np.diff(linear(ordered, SHARES)) >= 0)


def test_nulls_are_left_out_as_quantile_cont_leaves_them_and_no_values_give_none():
    assert clean([3.0, None, 1.0, float("nan"), 2.0]).tolist() == [1.0, 2.0, 3.0]
    assert linear(clean([None, float("nan")]), SHARES) is None
    con = duckdb.connect()
    assert linear(clean([4.0, None, 1.0]), [0.5]).tolist() == [
        con.execute("SELECT quantile_cont(x, 0.5) FROM (VALUES (4.0), (NULL), (1.0)) t(x)").fetchone()[0]]
