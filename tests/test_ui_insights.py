"""The Insights page renders on demo data and on an empty database; only the open tab runs (Streamlit AppTest)."""

from __future__ import annotations

import datetime as dt

import pytest

from incident_kit import demo
from incident_kit.incident import service

from insights_pages import TAB_KEY, TABS, chart_specs, every_tab, headings, open_tab, run_insights

pytestmark = pytest.mark.both_stores


def _texts(at) -> str:
    return "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info])


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
    assert list(summary.columns) == ["Measure", "Counted", "Typical (median)", "Slowest 10 % took at least"]
    assert all(v.endswith(("min", "h", "d", " s")) for v in summary["Typical (median)"])  # "12 min", never 12.4075
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
    assert ("Incidents that read alike" in _texts(at)) and at.expander  # the recurring groups: Reviews only
    open_tab(at, "Communication")
    assert not at.expander and "Incidents that read alike" not in _texts(at)


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
    assert "**1** incidents declared" in _texts(at)
    at.multiselect(key="ins_severity").unselect("Major").run()
    at.multiselect(key="ins_type").select("People / facilities").run()
    assert "**1** incidents declared" in _texts(at)


def test_private_incidents_count_only_for_people_who_may_see_them(monkeypatch, kit, db_path):
    now = dt.datetime.now(dt.timezone.utc)
    service.declare(kit.db, "Payroll data sent to the wrong team", declared_by="dev", type="data_privacy",
                    private=True, declared_at=now - dt.timedelta(days=1))
    service.declare(kit.db, "Slow search", declared_by="ana", declared_at=now - dt.timedelta(days=1))
    assert "**1** incidents declared" in _texts(run_insights(monkeypatch, db_path, user="zoe"))
    assert "**2** incidents declared" in _texts(run_insights(monkeypatch, db_path, user="dev"))
