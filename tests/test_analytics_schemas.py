"""schemas.validate: the quick path (coerce only differing columns) returns what the declared schema returns.

The quick path exists for speed only (pandera's coercion step costs ~1/3 of a validation even when it
changes nothing), so every frame it returns must equal the declared schema's answer, dtypes included,
and a bad frame must still get pandera's full lazy report.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
import pytest

import incident_kit as ik
from incident_kit import analytics
from incident_kit.analytics import schemas

from insights_data import NOW, build


@pytest.fixture(scope="module")
def frames_seen(tmp_path_factory):
    """Every (model, frame) pair ``insights`` validates on the known-answer data, on a real DuckDB file."""
    kit = ik.open(tmp_path_factory.mktemp("schemas") / "org.duckdb", user="tester")
    build(kit)
    seen = []
    original = schemas.validate

    def recording(model, frame):
        seen.append((model, frame.copy()))
        return original(model, frame)

    schemas.validate = recording
    try:
        analytics.insights(kit, now=NOW)
        analytics.insights(kit, now=NOW, severities=["no such severity"])  # empty frames too
    finally:
        schemas.validate = original
        kit.close()
    return seen


def declared(model, frame):
    return model.to_schema().validate(frame.copy(), lazy=True)


def test_every_insights_frame_comes_back_as_the_declared_schema_returns_it(frames_seen):
    assert len(frames_seen) >= 28
    for model, frame in frames_seen:
        quick = schemas.validate(model, frame.copy())
        pd.testing.assert_frame_equal(quick, declared(model, frame), check_exact=True, obj=model.__name__)


def test_a_column_of_another_integer_dtype_is_coerced_like_pandera_does():
    frame = pd.DataFrame({"weeks_open": pd.array([0, 3], dtype="Int32"), "overdue": pd.array([True, None]),
                          "follow_ups": [2, 1]})
    quick = schemas.validate(schemas.OpenAgeModel, frame.copy())
    assert quick["weeks_open"].dtype == "int64"
    pd.testing.assert_frame_equal(quick, declared(schemas.OpenAgeModel, frame))


def test_a_bad_frame_gets_every_failure_at_once():
    frame = pd.DataFrame({"weeks_open": [0, 60], "overdue": pd.array([True, False]), "follow_ups": [0, 1]})
    with pytest.raises(pa.errors.SchemaErrors) as caught:
        schemas.validate(schemas.OpenAgeModel, frame)
    failed = set(caught.value.failure_cases["column"])
    assert failed == {"weeks_open", "follow_ups"}


def test_a_value_that_cannot_be_coerced_is_reported_not_raised_as_a_python_error():
    frame = pd.DataFrame({"weeks_open": ["two"], "overdue": pd.array([True]), "follow_ups": [1]})
    with pytest.raises(pa.errors.SchemaErrors) as caught:
        schemas.validate(schemas.OpenAgeModel, frame)
    assert "weeks_open" in set(caught.value.failure_cases["column"])
