"""The API's outer guard: an error no handler expected is logged and answered with one sentence, never a traceback."""

from __future__ import annotations

import logging

from fastapi import FastAPI
from fastapi.testclient import TestClient

from incident_kit.web import errors
from incident_kit.web.guard import DEPTH_MAX, Guard, depth, holds_nul, too_deep


def _broken_api() -> FastAPI:
    api = FastAPI()
    errors.install(api)

    @api.get("/boom")
    def boom():
        raise RuntimeError("secret detail: /srv/incident-kit/config.toml")

    api.add_middleware(Guard)
    return api


def test_an_unexpected_error_is_one_sentence_for_the_caller_and_a_traceback_in_the_log(caplog):
    with caplog.at_level(logging.ERROR, logger="incident_kit.web"):
        answer = TestClient(_broken_api(), raise_server_exceptions=False).get("/boom")
    assert answer.status_code == 500
    assert answer.json() == {"error": errors.UNEXPECTED}
    assert "secret detail" not in answer.text and "Traceback" not in answer.text
    assert "secret detail" in caplog.text and "RuntimeError" in caplog.text


def test_depth_counts_without_recursion():
    assert depth(1) == 0 and depth({}) == 1 and depth({"a": [{"b": []}]}) == 4
    nested = [[[]]]
    assert depth(nested) == 3
    assert not too_deep(b"[" * DEPTH_MAX + b"]" * DEPTH_MAX)
    assert too_deep(b"[" * (DEPTH_MAX + 1) + b"]" * (DEPTH_MAX + 1))
    assert too_deep(b"[" * 200_000)  # not even valid JSON, yet deeper than any honest body: refused
    assert not too_deep(b"not json") and not too_deep(b"")


def test_nul_is_found_in_any_string_of_a_json_body_and_only_there():
    assert holds_nul(b'{"title": "a\\u0000b"}') and holds_nul(b'{"labels": {"\\u0000": "x"}}')
    assert holds_nul(b'[1, [{"a": ["\\u0000"]}]]')
    assert not holds_nul(b'{"title": "a\\\\u0000b"}')  # an escaped backslash then "u0000": text, not NUL
    assert not holds_nul(b'{"title": "plain"}') and not holds_nul(b'not json \\u0000')
