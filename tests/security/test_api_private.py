"""A token never sees or touches a private incident: it answers exactly like a missing one.

Even a token named among the admins, added as a member of the incident, on an install that trusts
typed names: a token is a machine identity, never believed for private incidents or admin rights.
"""

from __future__ import annotations

import contextlib

import pytest

import incident_kit as ik

from web_support import ALL_SCOPES, error_of, served, strict_json, tokens

PRIVATE, MEMBER_OF, MISSING = "INC-1", "INC-3", "INC-9"  # same length, so the answers can match byte for byte


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    db = tmp_path_factory.mktemp("private") / "kit.duckdb"
    secrets = tokens(db, {"bot": ALL_SCOPES})
    with ik.open(db, user="admin") as kit:
        kit.declare("Payroll file leaked", declared_by="ana", private=True, tags=["payroll"])
        kit.declare("Checkout is slow", declared_by="bob")
        kit.declare("Payroll export misrouted", declared_by="ana", private=True)
        kit.add_member(MEMBER_OF, "token:bot", by="ana")
        kit.assign_role(MEMBER_OF, "comms", "token:bot", by="ana")
        kit.resolve(PRIVATE, by="ana")
        kit.save_settings({"admins": ["token:bot", "ana"], "trust_typed_names": True})
    with contextlib.ExitStack() as stack:
        api = stack.enter_context(served(db, log=db.parent / "app.log"))
        client = stack.enter_context(api.client(secrets["bot"]))
        client.stop_app, client.db = stack.close, db  # the last test stops the app to look at the file
        yield client


def _same(private_answer, missing_answer, private_ref, missing_ref):
    assert private_answer.status_code == missing_answer.status_code == 404
    assert private_answer.text.replace(private_ref, missing_ref, 1) == missing_answer.text
    assert private_answer.headers["content-length"] == missing_answer.headers["content-length"]


CALLS = [("GET", "/incidents/{ref}", None), ("POST", "/incidents/{ref}/updates", {"message": "Still there"}),
         ("POST", "/incidents/{ref}/status", {"status": "closed"}), ("POST", "/incidents/{ref}/status",
                                                                    {"status": "declined", "note": "x"}),
         ("POST", "/incidents/{ref}/resolve", {"final_update": "gone"}),
         ("POST", "/incidents/{ref}/follow-ups", {"title": "Peek"})]


@pytest.mark.parametrize("method,path,body", CALLS)
@pytest.mark.parametrize("ref", [PRIVATE, MEMBER_OF, PRIVATE.lower(), "1"])
def test_reading_or_changing_a_private_incident_answers_like_a_missing_one(app, method, path, body, ref):
    private = app.request(method, path.format(ref=ref), json=body)
    missing_ref = {"inc-1": "inc-9", "1": "9"}.get(ref, MISSING)
    missing = app.request(method, path.format(ref=missing_ref), json=body)
    _same(private, missing, ref, missing_ref)
    assert "There is no incident" in error_of(private)


def test_private_incidents_are_never_listed_searched_or_counted(app):
    listed = strict_json(app.get("/incidents", params={"limit": 500}).text)
    assert [i["reference"] for i in listed["incidents"]] == ["INC-2"]
    assert app.get("/incidents", params={"search": "payroll"}).json()["incidents"] == []
    assert strict_json(app.get("/metrics").text)["incidents"] == 1


def test_a_token_cannot_declare_a_private_incident(app):
    refused = app.post("/incidents", json={"title": "Hidden", "private": True})
    assert refused.status_code == 422 and "private is not a field" in error_of(refused)


def test_after_all_of_the_above_the_private_incidents_are_untouched(app):
    assert app.get("/incidents/INC-2").json()["title"] == "Checkout is slow"  # the token worked all along
    app.stop_app()
    with ik.open(app.db, user="admin") as kit:
        for ref in (PRIVATE, MEMBER_OF):
            assert {e.actor for e in kit.events(ref)} == {"ana"} and kit.updates(ref) == []
        assert kit.follow_ups().empty and len(kit.incidents()) == 3
