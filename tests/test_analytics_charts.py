"""Chart builders: every axis title is read whole, log axes read 1 min / 1 h / 1 d, depths in the app's words."""

from incident_kit import analytics, demo
from incident_kit.analytics import charts


def _axes(spec: dict):
    layers = spec.get("layer") or [spec]
    for layer in layers:
        for channel in ("x", "y"):
            enc = layer.get("encoding", {}).get(channel) or {}
            if "axis" in enc or "title" in enc:
                yield enc


def test_every_axis_title_is_shown_whole_and_depths_use_the_apps_words(kit):
    demo.load(kit.db, incidents=120, seed=3)
    data = analytics.insights(kit, analytics.make_filters())
    built = [
        charts.duration_ecdf(data["response_distribution"]),
        charts.gap_histogram(data["gap_histogram"]),
        charts.cadence_chart(data["cadence_adherence"]),
        charts.declarations_chart(data["declarations_by_month"]),
        charts.declaration_shares_chart(data["declarations_by_month"]),
        charts.follow_up_completion_chart(data["follow_ups_by_month"], group_title="month created"),
        charts.open_age_chart(data["open_age_histogram"]),
        charts.box_chart(data["publish_time_by_depth"], category="depth", category_title="review depth",
                         value_title="days to publish", order=list(data["publish_time_by_depth"]["depth"])),
        charts.review_depth_chart(data["review_depth_mix"]),
        charts.themes_chart(data["themes"]),
    ]
    for chart in built:
        spec = chart.to_dict()
        for enc in _axes(spec):
            if enc.get("title") is not None and enc.get("axis") is not None:
                assert enc["axis"].get("titleLimit", 0) >= 1000, enc
    ecdf = built[0].to_dict()["encoding"]["x"]
    assert ecdf["axis"]["values"][:4] == [0, 1, 10, 60] and "' min'" in ecdf["axis"]["labelExpr"]
    assert ecdf["title"] == "how long it took"
    depth_values = set(built[8].to_dict()["datasets"][next(iter(built[8].to_dict()["datasets"]))][0].keys())
    assert "depth" in depth_values
    depths = {row["depth"] for ds in built[8].to_dict()["datasets"].values() for row in ds}
    assert depths <= {"No review", "Short note", "Standard review", "Full workshop"}
    assert not built[1].to_dict()["encoding"]["x"]["axis"]["labelOverlap"]  # all 20 bars keep their label
