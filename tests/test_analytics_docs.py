"""Every metric definition and every `metrics --json` key is documented in docs/metrics.md."""

from pathlib import Path

from incident_kit import analytics

PAGE = (Path(__file__).resolve().parent.parent / "docs" / "metrics.md").read_text()
DEFINITIONS = PAGE.split("## Definitions", 1)[1].split("\n## ", 1)[0]
METRICS_JSON = PAGE.split("## `incident-kit metrics --json`", 1)[1].split("\n## ", 1)[0]


def test_every_metric_definition_is_in_the_definitions_table():
    for name in analytics.DEFINITIONS:
        assert f"| `{name}` |" in DEFINITIONS, name


def test_every_metrics_json_key_is_documented():
    for key in ("incidents", "live", "retrospective", "update_gap_minutes", "time_to_first_update_minutes",
                "time_to_declare_minutes", "time_to_resolve_minutes", "impact_duration_minutes",
                "cadence_adherence", "follow_ups"):
        assert f"`{key}`" in METRICS_JSON, key


def test_the_page_states_the_no_league_tables_rule_and_the_snapshot_mechanism():
    assert "## Learning, not league tables" in PAGE
    assert "snapshot_time" in PAGE and "start_publisher" in PAGE
