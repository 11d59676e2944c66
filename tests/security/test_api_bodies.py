"""Hostile requests to the running app's API: bodies too large (counted on the stream), nested too deep, of
the wrong types, or full of hostile strings each get one JSON sentence with the right status, never a
traceback, and write nothing they should not."""

from __future__ import annotations

import json

import pytest

from web_support import ALL_SCOPES, error_of, served, strict_json, tokens

MB = 1024 * 1024


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    db = tmp_path_factory.mktemp("bodies") / "kit.duckdb"
    secrets = tokens(db, {"bot": ALL_SCOPES})
    with served(db, log=db.parent / "app.log") as api, api.client(secrets["bot"]) as client:
        client.post("/incidents", json={"title": "Target"})  # INC-1
        yield client


def _count(app) -> int:
    return len(app.get("/incidents", params={"limit": 500}).json()["incidents"])


def test_a_body_over_1_mb_is_413_whether_declared_or_streamed(app):
    before = _count(app)
    big = json.dumps({"title": "x", "summary": "y" * MB}).encode()
    declared = app.post("/incidents", content=big, headers={"content-type": "application/json"})
    assert declared.status_code == 413 and "larger than 1024 KB" in error_of(declared)

    def chunks():  # no Content-Length: the cap is counted as the bytes arrive
        yield b'{"title": "x", "summary": "'
        for _ in range(20):
            yield b"z" * 65536
        yield b'"}'

    streamed = app.post("/incidents", content=chunks(), headers={"content-type": "application/json"})
    assert streamed.status_code == 413 and "larger than" in error_of(streamed)
    assert _count(app) == before


def test_a_body_under_the_cap_reaches_the_service_which_names_its_own_limit(app):
    answer = app.post("/incidents", json={"title": "x", "summary": "y" * (MB // 2)})
    assert answer.status_code == 422 and "characters" in error_of(answer)


@pytest.mark.parametrize("depth", [33, 1000, 100_000])
def test_json_nested_too_deep_is_refused_before_any_parsing_of_fields(app, depth):
    body = b'{"title": ' + b"[" * depth + b"]" * depth + b"}"
    answer = app.post("/incidents", content=body, headers={"content-type": "application/json"})
    assert answer.status_code == 400 and "deeper than 32 levels" in error_of(answer)


@pytest.mark.parametrize("body,words", [
    ({"title": 5}, "title: input should be a valid string"),
    ({"title": None}, "title: input should be a valid string"),
    ({"title": ["a"]}, "title: input should be a valid string"),
    ({"title": "x", "tags": "a,b"}, "tags: input should be a valid list"),
    ({"title": "x", "tags": [1, 2]}, "tags.0: input should be a valid string"),
    ({"title": "x", "severity": {"$gt": ""}}, "severity: input should be a valid string"),
    ({"title": "x", "mode": True}, "mode: input should be a valid string"),
    ({}, "Title is required"),
    ({"title": "x", "owner_id": 1}, "owner_id is not a field this request takes"),
    ([{"title": "x"}], "The body must be a JSON object"),
    ("title", "The body must be a JSON object"),
])
def test_wrong_types_and_shapes_are_422_with_one_sentence(app, body, words):
    answer = app.post("/incidents", json=body)
    assert answer.status_code == 422 and words in error_of(answer), answer.text


@pytest.mark.parametrize("raw", [b"{not json", b'{"title": "x",}', b"\xff\xfe", b'{"title": NaN}', b""])
def test_a_body_that_is_not_json_is_400_or_422(app, raw):
    answer = app.post("/incidents", content=raw, headers={"content-type": "application/json"})
    assert answer.status_code in (400, 422)
    error_of(answer)


def test_a_body_that_is_not_utf8_is_answered_in_our_words_not_fastapis(app):
    answer = app.post("/incidents", content=b'{"title": "\xff\xfe"}', headers={"content-type": "application/json"})
    assert answer.status_code in (400, 422)
    said = error_of(answer)
    assert "error parsing the body" not in said and said[0].isupper() and said.endswith(".")


HOSTILE = ["<script>alert(1)</script>", "\x1b]0;pwned\x07title", "a\x00b", "\u202eevil", "Robert'); DROP TABLE "
           "incidents;--", "{{7*7}}", "${jndi:ldap://x/a}", "=HYPERLINK(\"http://x\")", "😀" * 50]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_strings_are_stored_as_text_and_answered_as_valid_json(app, text):
    answer = app.post("/incidents", json={"title": text, "summary": text, "tags": ["ok"]})
    if answer.status_code == 201:  # kept as written (or cleaned by the service), and answered as JSON
        ref = answer.json()["reference"]
        shown = strict_json(app.get(f"/incidents/{ref}").text)
        assert shown["title"] == answer.json()["title"] and "<script>" not in json.dumps(shown).replace(
            "<script>alert(1)</script>", "")
        update = app.post(f"/incidents/{ref}/updates", json={"message": text})
        assert update.status_code in (201, 422)
    else:
        assert answer.status_code == 422
        error_of(answer)
    searched = app.get("/incidents", params={"search": text})
    assert searched.status_code == (422 if "\x00" in text else 200)  # NUL: refused by the guard, on every store


@pytest.mark.parametrize("ref", ["9" * 5000, "%3Cscript%3E", "..%2F..%2Fetc%2Fpasswd", "INC-1%00", "INC-1'--",
                                 "%E2%80%AE1-CNI"])
def test_hostile_references_are_one_short_json_sentence_never_html(app, ref):
    answer = app.get(f"/incidents/{ref}")
    # 404 from the API; 400 when Streamlit's path-security layer refuses ".." or NUL before the API sees it
    assert answer.status_code == (400 if ref.startswith("..") or "%00" in ref else 404)
    assert len(error_of(answer)) < 200
    assert answer.headers["x-content-type-options"] == "nosniff"  # a browser never reads the JSON as HTML


@pytest.mark.parametrize("params", [{"limit": "abc"}, {"limit": "0"}, {"limit": "99999999999999999999"},
                                    {"since": "yesterday"}, {"severity": "x" * 5000}, {"active": "maybe"},
                                    {"cursor": "!!!"}, {"cursor": "x" * 10_000}])
def test_hostile_query_parameters_are_one_sentence(app, params):
    answer = app.get("/incidents", params=params)
    assert answer.status_code in (400, 422)
    assert len(error_of(answer)) <= 500


def test_a_hostile_idempotency_key_is_refused(app):
    answer = app.post("/incidents", json={"title": "x"}, headers={"Idempotency-Key": "k" * 300})
    assert answer.status_code == 422 and "Idempotency-Key must be" in error_of(answer)


def test_unknown_routes_and_methods_are_json_too(app):
    for answer in (app.get("/nothing-here"), app.delete("/incidents/INC-1"), app.put("/incidents")):
        assert answer.status_code in (404, 405)
        assert "/api/v1/docs" in error_of(answer)
