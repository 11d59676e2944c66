"""Chart builders: every axis title is read whole, log axes read 1 min / 1 h / 1 d, depths in the app's words."""

import datetime as dt

import pandas as pd

from incident_kit import analytics, clock, demo
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


def _builders(data) -> list:
    """Every builder of this module and of trend_charts with the frame the page hands it, and its options."""
    from incident_kit.analytics import trend_charts

    return [
        (charts.duration_ecdf, data["response_distribution"], {}),
        (charts.gap_histogram, data["gap_histogram"], {}),
        (charts.cadence_chart, data["cadence_adherence"], {}),
        (charts.declarations_chart, data["declarations_by_month"], {}),
        (charts.declaration_shares_chart, data["declarations_by_month"], {}),
        (charts.follow_up_completion_chart, data["follow_ups_by_month"], {"group_title": "month created"}),
        (charts.open_age_chart, data["open_age_histogram"], {}),
        (charts.box_chart, data["publish_time_by_depth"], {"category": "depth", "category_title": "review depth",
                                                           "value_title": "days to publish",
                                                           "order": list(data["publish_time_by_depth"]["depth"])}),
        (charts.review_depth_chart, data["review_depth_mix"], {}),
        (charts.themes_chart, data["themes"], {}),
        (trend_charts.xmr_chart, data["xmr"], {}),
        (trend_charts.comparison_chart, data["comparison"], {}),
        (trend_charts.survival_chart, data["curves"], {}),
    ]


def _same_but_data(spec: dict, validated: dict) -> None:
    """``spec`` (``charts.spec``: Arrow tables under names of its own) says what Altair's validated ``to_dict()``
    says (rows written into the spec as JSON): the same spec with each dataset named by its order, and the same
    rows in each dataset."""
    def names(value, order: list):
        if isinstance(value, dict):
            if set(value) == {"name"} and isinstance(value["name"], str) and value["name"].startswith("data-"):
                order.append(value["name"])
                return {"name": len(order) - 1}
            return {k: names(v, order) for k, v in value.items() if k != "datasets"}
        if isinstance(value, list):
            return [names(v, order) for v in value]
        return value

    ours, theirs = [], []
    assert names(spec, ours) == names(validated, theirs)
    for mine, other in zip(ours, theirs, strict=True):
        got = spec["datasets"][mine]
        got = got.to_pandas() if hasattr(got, "to_pandas") else got
        expected = pd.DataFrame(validated["datasets"][other], columns=list(got.columns))
        for column in got.columns:
            if pd.api.types.is_datetime64_any_dtype(got[column]):  # Altair writes times as ISO text
                expected[column] = pd.to_datetime(expected[column])
        pd.testing.assert_frame_equal(got.reset_index(drop=True), expected, check_dtype=False)


def test_a_kept_spec_is_what_altair_validates_for_every_chart(kit):
    import altair as alt

    from incident_kit.analytics import survival, trends

    demo.load(kit.db, incidents=120, seed=3)
    data = {**analytics.insights(kit, analytics.make_filters()),
            "xmr": trends.declarations_xmr(kit), "curves": survival.completion_curves(kit),
            "comparison": trends.period_comparison(kit, split=clock.utcnow().date() - dt.timedelta(days=90))}
    for builder, frame, options in _builders(data):
        assert len(frame), builder.__name__
        with alt.theme.enable("none"):
            validated = builder(frame, **options).to_dict()  # raises on a spec the Vega-Lite schema refuses
        _same_but_data(charts.spec(builder, frame, **options), validated)


def test_a_spec_is_built_once_per_content_and_each_view_gets_its_own(kit):
    demo.load(kit.db, incidents=120, seed=3)
    frame = analytics.insights(kit, analytics.make_filters())["gap_histogram"]
    charts.KEPT_SPECS.clear()
    built = charts.KEPT_SPECS.misses
    first = charts.spec(charts.gap_histogram, frame)
    first["encoding"]["x"]["title"] = "changed by a page"
    first["datasets"].clear()
    again = charts.spec(charts.gap_histogram, frame.copy())  # another frame, the same content: kept
    assert charts.KEPT_SPECS.misses == built + 1
    assert again["encoding"]["x"]["title"] != "changed by a page" and again["datasets"]
    changed = frame.copy()
    changed.loc[0, "gaps"] += 1
    other = charts.spec(charts.gap_histogram, changed)
    assert charts.KEPT_SPECS.misses == built + 2
    assert other["datasets"] != again["datasets"]
    (drawn,) = other["datasets"].values()
    assert drawn.to_pandas()["gaps"].tolist() == changed["gaps"].tolist()
