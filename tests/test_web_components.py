"""``POST /api/v1/incidents`` with ``components``, on the running app (``streamlit run app.py``)."""

from __future__ import annotations

import pytest

import incident_kit as ik

from web_support import ALL_SCOPES, error_of, served, tokens

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    db = tmp_path_factory.mktemp("api") / "kit.duckdb"
    with ik.open(db, user="admin") as kit:
        kit.add_component("Checkout")
        kit.add_component("Search", group="Shop")
    secrets = tokens(db, {"bot": ALL_SCOPES})
    with served(db, log=db.parent / "app.log") as api, api.client(secrets["bot"]) as client:
        yield client


def test_a_declaration_names_the_components_it_affects_and_the_timeline_says_so(bot):
    made = bot.post("/incidents", json={"title": "Pay fails", "components": {"Checkout": "partial_outage",
                                                                            "search": "degraded_performance"}})
    assert made.status_code == 201, made.text
    shown = bot.get(f"/incidents/{made.json()['reference']}").json()
    assert shown["components"] == {"Checkout": "partial_outage", "Search": "degraded_performance"}
    assert [(e["kind"], e["text"], e["actor"]) for e in shown["timeline"]] == [
        ("declared", "Declared (Minor)", "token:bot"),
        ("component_impact_changed", "Checkout: Partial outage", "token:bot"),
        ("component_impact_changed", "Search: Degraded performance", "token:bot")]


def test_an_unknown_component_or_impact_is_one_sentence_and_declares_nothing(bot):
    before = len(bot.get("/incidents", params={"limit": 500}).json()["incidents"])
    for components, words in (({"<b>Nope</b>": "major_outage"}, "There is no component <b>Nope</b>"),
                              ({"Checkout": "meltdown"}, "Impact 'meltdown' is not one of"),
                              ({"Checkout": 3}, None)):
        refused = bot.post("/incidents", json={"title": "Bad", "components": components})
        assert refused.status_code == 422, refused.text
        if words:
            assert error_of(refused).startswith(words)
    assert len(bot.get("/incidents", params={"limit": 500}).json()["incidents"]) == before
