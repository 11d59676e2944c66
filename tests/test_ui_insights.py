"""The Insights page renders on demo data and on an empty database; only the open tab runs (Streamlit AppTest)."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest
from streamlit.testing.v1.element_tree import Expander

from incident_kit import demo
from incident_kit.incident import service
from incident_kit.ui.panels import similar

from incident_kit.analytics.readings import WORKED_OUT  # never import a page: it runs on import
from insights_pages import TAB_KEY, TABS, chart_specs, every_tab, headings, open_tab, run_insights

pytestmark = pytest.mark.both_stores


def _texts(at) -> str:
    return "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info])


def _groups(at) -> list:
    """The expanders of recurring groups (every expander but "How this is worked out")."""
    return [e for e in at.expander if e.label != WORKED_OUT]


# Words a support lead should not meet outside "How this is worked out": method names, code, bad plurals.
METHOD = re.compile(r"p90|kaplan|bootstrap|symmetric|xmr|percentile|confidence interval|natural process|95 ?%", re.I)
SNAKE = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b")
BAD_PLURAL = re.compile(r"(?<![\d.,])\b1 (?!(?:is|was|has|this|its)\b)[a-z-]+s\b")


# A reading each tab shows (``analytics.readings``) on the demo data.
READING = {"Communication": "Half were declared within", "Follow-ups": "Follow-ups: ",
           "Declaring": "usual range", "Reviews": "groups of incidents that read alike; the biggest"}


def _visible(node, out: list[str]) -> list[str]:
    """Every text the page shows under ``node``, except inside "How this is worked out" (Markdown escapes undone)."""
    if isinstance(node, Expander) and node.label == WORKED_OUT:
        return out
    for attr in ("label", "value", "body"):
        value = getattr(node, attr, None) if attr != "value" or node.type != "toggle" else None
        if isinstance(value, str):
            out.append(value.replace("\\", ""))
        elif isinstance(value, pd.DataFrame):
            out += [str(c) for c in value.columns] + [str(v) for v in value.to_numpy().ravel() if isinstance(v, str)]
    for child in getattr(node, "children", {}).values():
        _visible(child, out)
    return out


def _chart_words(spec) -> list[str]:
    """Titles, axis and legend titles, and the data values a chart draws as labels (its own words)."""
    out = []
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key in ("title", "labelExpr") and isinstance(value, str):
                out.append(value)
            elif key not in ("datasets", "data", "tooltip", "usermeta", "$schema"):
                out += _chart_words(value)
    elif isinstance(spec, list):
        for item in spec:
            out += _chart_words(item)
    return out


def _encodings(spec):
    if isinstance(spec, dict):
        if isinstance(spec.get("encoding"), dict):
            yield spec["encoding"]
        for value in spec.values():
            yield from _encodings(value)
    elif isinstance(spec, list):
        for item in spec:
            yield from _encodings(item)


def test_insights_page_renders_every_chart_with_a_caption_and_a_download_on_demo_data(monkeypatch, kit, db_path):
    demo.load(kit.db, incidents=200, seed=11)
    at = run_insights(monkeypatch, db_path)
    specs, downloads, texts = [], 0, ""
    for label in every_tab(at):
        assert not at.exception and not at.error, label
        specs += chart_specs(at)
        downloads += len(at.get("download_button"))
        texts += _texts(at)
        if label == "Communication":
            summary = at.dataframe[0].value
    assert len(specs) == 15  # 12, plus period comparison, follow-up survival and the declarations XmR chart
    assert all("tooltip" in str(spec) for spec in specs)
    # one per chart, plus the response summary table and the groups of incidents that read alike
    assert downloads == len(specs) + 2
    assert "Do not read a rise as things getting worse" in texts
    assert "left out" in texts  # the page says how many incidents response metrics exclude
    assert list(summary["Measure"]) == ["Time to declare", "Time to first update", "Gap between updates",
                                        "Time to resolve", "Duration of impact"]
    assert list(summary.columns) == ["Measure", "Counted", "Half within", "Likely between", "9 in 10 within"]
    assert all(v.endswith(("min", "h", "d", " s")) for v in summary["Half within"])  # "12 min", never 12.4075
    assert not any("'note'" in str(sp) or "\"note\"" in str(sp) for sp in specs)  # depths in the app's words


def test_only_the_open_tab_runs_and_the_filters_and_headline_stay_above_every_tab(monkeypatch, kit, db_path):
    demo.load(kit.db, incidents=120, seed=5)
    at = run_insights(monkeypatch, db_path)
    per_tab = {"Communication": 4, "Follow-ups": 5, "Declaring": 3, "Reviews": 3}  # charts each tab draws
    for label in every_tab(at):
        assert at.session_state[TAB_KEY] == label
        assert len(chart_specs(at)) == per_tab[label], label
        others = {h for other, hs in TABS.items() if other != label for h in hs}
        assert not others & set(headings(at)), label
        assert [t.label for t in at.tabs] == list(TABS)  # every tab can still be picked
        assert at.date_input(key="ins_window") and at.multiselect(key="ins_severity")
        assert "incidents declared in this window" in _texts(at)
    assert ("Incidents that read alike" in _texts(at)) and _groups(at)  # the recurring groups: Reviews only
    open_tab(at, "Communication")
    assert not _groups(at) and "Incidents that read alike" not in _texts(at)


def test_a_link_with_a_tab_opens_that_tab(monkeypatch, kit, db_path):
    demo.load(kit.db, incidents=60, seed=3)
    for asked, label in [("follow-ups", "Follow-ups"), ("Reviews", "Reviews"), ("declaring", "Declaring")]:
        at = run_insights(monkeypatch, db_path, query={"tab": asked})
        assert not at.exception and not at.error
        assert headings(at) == TABS[label], asked
        assert at.query_params["tab"] == label.lower()  # the address shows the tab open, to share it


def test_an_unknown_tab_in_a_link_quietly_opens_the_first_tab(monkeypatch, kit, db_path):
    demo.load(kit.db, incidents=60, seed=3)
    for asked in ["nonsense", "", "<script>alert(1)</script>", "Communication ", "follow_ups", "=1+1",
                  "![x](http://127.0.0.1:9/x.png)", "9" * 5000, "\x07"]:
        at = run_insights(monkeypatch, db_path, query={"tab": asked})
        assert not at.exception and not at.error and not at.warning, asked
        assert headings(at) == TABS["Communication"], asked
        assert at.query_params["tab"] == "communication", asked


def test_the_open_tab_survives_another_page_and_a_click_beats_an_old_link(monkeypatch, kit, db_path):
    demo.load(kit.db, incidents=60, seed=3)
    at = run_insights(monkeypatch, db_path, query={"tab": "declaring"})
    assert headings(at) == TABS["Declaring"]
    open_tab(at, "Reviews")  # a click after arriving by the link: the link's tab must not come back
    assert headings(at) == TABS["Reviews"]
    at.switch_page("incident_kit/ui/views/incidents.py").run()
    assert not at.exception and "Reviews" not in headings(at)
    at.switch_page("incident_kit/ui/views/insights.py").run()
    assert headings(at) == TABS["Reviews"]


def test_insights_page_on_an_empty_database_explains_instead_of_failing(monkeypatch, kit, db_path):
    at = run_insights(monkeypatch, db_path)
    texts = ""
    for label in every_tab(at):
        assert not at.exception and not at.error, label
        assert chart_specs(at) == [], label
        texts += _texts(at)
    assert "No incidents declared in this window." in texts
    assert "No reviews in this window." in texts and "No follow-ups in this window." in texts
    assert "**0** incidents declared" in texts


def test_severity_and_type_filters_narrow_what_is_counted(monkeypatch, kit, db_path):
    now = dt.datetime.now(dt.timezone.utc)
    service.declare(kit.db, "Disk full", declared_by="ana", severity="Major", type="engineering",
                    declared_at=now - dt.timedelta(days=3))
    service.declare(kit.db, "Badge readers down", declared_by="bao", type="people_facilities",
                    declared_at=now - dt.timedelta(days=2))
    at = run_insights(monkeypatch, db_path)
    assert "**2** incidents declared" in _texts(at)
    at.multiselect(key="ins_severity").select("Major").run()
    assert "**1** incident declared" in _texts(at)
    at.multiselect(key="ins_severity").unselect("Major").run()
    at.multiselect(key="ins_type").select("People / facilities").run()
    assert "**1** incident declared" in _texts(at)


def test_private_incidents_count_only_for_people_who_may_see_them(monkeypatch, kit, db_path):
    now = dt.datetime.now(dt.timezone.utc)
    service.declare(kit.db, "Payroll data sent to the wrong team", declared_by="dev", type="data_privacy",
                    private=True, declared_at=now - dt.timedelta(days=1))
    service.declare(kit.db, "Slow search", declared_by="ana", declared_at=now - dt.timedelta(days=1))
    assert "**1** incident declared" in _texts(run_insights(monkeypatch, db_path, user="zoe"))
    assert "**2** incidents declared" in _texts(run_insights(monkeypatch, db_path, user="dev"))


def test_insights_reads_in_plain_words_with_every_method_name_in_how_this_is_worked_out(monkeypatch, kit, db_path):
    demo.load(kit.db, incidents=200, seed=11)
    at = run_insights(monkeypatch, db_path)
    explained = ""
    for label in every_tab(at):
        shown = _visible(at.main, [])
        for text in shown:
            assert not METHOD.search(text), (label, text)
            assert not SNAKE.search(text), (label, text)
            assert not BAD_PLURAL.search(text), (label, text)
        for spec in chart_specs(at):
            for text in _chart_words(spec):
                assert not METHOD.search(text) and not SNAKE.search(text), (label, text)
        worked_out = [e for e in at.expander if e.label == WORKED_OUT]
        assert len(worked_out) == 1 and not worked_out[0].proto.expanded, label  # one per tab, closed
        explained += "\n".join(m.value for m in worked_out[0].markdown)
        assert READING[label] in "\n".join(shown), label  # the readings are there
    for method in ("p90", "Kaplan–Meier", "bootstrap", "symmetric log", "XmR", "natural process limits", "95%",
                   "average linkage"):
        assert method in explained, method  # named once, where whoever wants to check it looks


def test_every_chart_has_axis_values_and_legends_that_are_not_cut(monkeypatch, kit, db_path):
    demo.load(kit.db, incidents=200, seed=11)
    at = run_insights(monkeypatch, db_path)
    legends = 0
    for label in every_tab(at):
        for spec in chart_specs(at):
            for encoding in _encodings(spec):
                for channel in ("x", "y"):
                    axis = encoding.get(channel, {}).get("axis", {})
                    assert axis is not None and axis.get("labels", True), (label, channel, encoding[channel])
                    if encoding.get(channel, {}).get("scale", {}).get("type") == "symlog":  # no ticks of its own
                        assert axis.get("values") and axis.get("labelExpr"), (label, encoding[channel])
                if "color" in encoding and encoding["color"].get("legend", {}) is not None:
                    legends += 1
                    legend = encoding["color"].get("legend", {})
                    assert legend.get("labelLimit") == 0, (label, legend)
            header = spec.get("facet", {}).get("row", {}).get("header") or spec.get("encoding", {}).get(
                "row", {}).get("header")
            if header:
                assert header.get("labelLimit") == 0, label
    assert legends >= 7


def test_recurring_groups_open_closed_the_biggest_few_first_and_the_rest_on_request(monkeypatch, kit, db_path):
    demo.load(kit.db, incidents=400, seed=42)
    at = open_tab(run_insights(monkeypatch, db_path), "Reviews")
    count = kit.recurring(since=dt.date.today() - dt.timedelta(days=365),
                          until=dt.date.today())["group"].nunique()
    assert count > similar.GROUPS_SHOWN
    groups = _groups(at)
    assert len(groups) == similar.GROUPS_SHOWN and not any(g.proto.expanded for g in groups)
    assert all(re.fullmatch(r"[A-Z][\w ,.'…-]+ · \d+ incidents", g.label) for g in groups), [g.label for g in groups]
    at.toggle(key="recurring_all").set_value(True).run()
    assert len(_groups(at)) == count and not any(g.proto.expanded for g in _groups(at))


def test_a_hostile_title_names_its_group_as_plain_text(monkeypatch, kit, db_path):
    now = dt.datetime.now(dt.timezone.utc)
    title = "Payroll ![x](http://127.0.0.1:9/x.png) <b>bold</b> :red[alarm] $x$ [here](javascript:alert(1))"
    for days in (3, 2):
        service.declare(kit.db, title, declared_by="ana", declared_at=now - dt.timedelta(days=days))
    at = open_tab(run_insights(monkeypatch, db_path), "Reviews")
    assert not at.exception and not at.error
    [group] = _groups(at)
    shown = [group.label] + [m.value for m in at.markdown if "read alike;" in m.value]
    assert len(shown) == 2, shown
    for text in shown:
        assert "Payroll" in text and "alarm" in text, text
        assert not re.search(r"(?<!\\)(?:!\[|\]\(|<b>|:red\[|\$x)", text), text  # every mark escaped
