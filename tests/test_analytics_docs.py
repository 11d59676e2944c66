"""Every metric definition and every `metrics --json` key is documented in the README."""

from pathlib import Path

from incident_kit import analytics

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()
SECTION = README.split("## Insights and metrics", 1)[1].split("\n## ", 1)[0]


def test_every_metric_definition_is_in_the_readme():
    for name in analytics.DEFINITIONS:
        assert f"`{name}`" in SECTION, name


def test_every_metrics_json_key_is_in_the_readme():
    for key in ("incidents", "live", "retrospective", "update_gap_minutes", "time_to_first_update_minutes",
                "time_to_declare_minutes", "time_to_resolve_minutes", "impact_duration_minutes",
                "cadence_adherence", "follow_ups"):
        assert f"`{key}`" in SECTION, key


def test_the_readme_states_the_no_league_tables_rule_and_the_snapshot_mechanism():
    assert "Learning, not league tables" in SECTION
    assert "snapshot_time" in SECTION and "start_publisher" in SECTION
