"""The Insights page renders on demo data and on an empty database (Streamlit AppTest)."""

from __future__ import annotations

import datetime as dt

import pytest

from incident_kit import demo
from incident_kit.incident import service

from insights_pages import chart_specs, run_insights

pytestmark = pytest.mark.both_stores


def _texts(at) -> str:
    return "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info])


def test_insights_page_renders_every_chart_with_a_caption_and_a_download_on_demo_data(monkeypatch, kit, db_path):
    demo.load(kit.db, incidents=200, seed=11)
    at = run_insights(monkeypatch, db_path)
    assert not at.exception and not at.error
    specs = chart_specs(at)
    assert len(specs) == 15  # 12, plus period comparison, follow-up survival and the declarations XmR chart
    assert all("tooltip" in str(spec) for spec in specs)
    downloads = at.get("download_button")
    # one per chart, plus the response summary table and the groups of incidents that read alike
    assert len(downloads) == len(specs) + 2
    texts = _texts(at)
    assert "Do not read a rise as things getting worse" in texts
    assert "left out" in texts  # the page says how many incidents response metrics exclude
    summary = at.dataframe[0].value
    assert list(summary["Measure"]) == ["Time to declare", "Time to first update", "Gap between updates",
                                        "Time to resolve", "Duration of impact"]
    assert list(summary.columns) == ["Measure", "Counted", "Typical (median)", "Slowest 10 % took at least"]
    assert all(v.endswith(("min", "h", "d", " s")) for v in summary["Typical (median)"])  # "12 min", never 12.4075
    assert not any("'note'" in str(sp) or "\"note\"" in str(sp) for sp in specs)  # depths in the app's words


def test_insights_page_on_an_empty_database_explains_instead_of_failing(monkeypatch, kit, db_path):
    at = run_insights(monkeypatch, db_path)
    assert not at.exception and not at.error
    assert chart_specs(at) == []
    assert "No incidents declared in this window." in _texts(at)
    assert "**0** incidents declared" in _texts(at)


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
