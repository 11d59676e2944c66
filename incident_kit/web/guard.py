"""The API's outer guard (plain ASGI): bodies at most 1 MB, JSON at most 32 levels deep, no NUL in any text,
no traceback ever.

* **Size** is counted on the stream as it arrives, so a missing or lying ``Content-Length`` does not
  matter; a declared length over the cap is refused before reading anything. The body is read whole
  (at most 1 MB) and handed on as one message.
* **Depth**: a JSON body nested deeper than ``DEPTH_MAX`` is refused with 400 before any route parses
  it (Python's parser would spend its recursion limit on ``[[[[...]]]]`` and fail with a RecursionError).
* **NUL**: a JSON string (a value or a key) or a query string holding U+0000 is refused with 422. PostgreSQL's text cannot hold
  one (psycopg raises DataError: an alert label, an incident title with ``\\u0000`` or ``?search=%00`` was a 500
  there, and stored or searched on DuckDB), and no honest field needs one; refusing it here keeps both stores
  alike for every route.
* **Unexpected errors** that escape every handler are logged with their traceback and answered with
  one sentence (500), and not re-raised into Streamlit's server, which hosts this app.
"""

from __future__ import annotations

import json

from .errors import UNEXPECTED, log

BODY_MAX = 1024 * 1024  # an alert batch or an incident update is kilobytes; 1 MB leaves room and stops abuse
DEPTH_MAX = 32  # Alertmanager's and Grafana's payloads are 4 levels deep; no honest body nests 32


_GONE = object()  # the client disconnected before sending the whole body


# A JSON answer repeats what was sent (a reference, a title): a browser must never sniff it as HTML.
NOSNIFF = (b"x-content-type-options", b"nosniff")


def _json_response(status: int, sentence: str):
    body = json.dumps({"error": sentence}).encode()
    start = {"type": "http.response.start", "status": status,
             "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                         NOSNIFF]}
    return start, {"type": "http.response.body", "body": body}


def depth(value) -> int:
    """How deeply a parsed JSON value nests (a scalar is 0), without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, level)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


def too_deep(body: bytes) -> bool:
    """True when ``body`` is JSON nested deeper than ``DEPTH_MAX`` (not JSON: False, the route says so)."""
    if not body.lstrip()[:1] in (b"{", b"["):
        return False
    try:
        return depth(json.loads(body)) > DEPTH_MAX
    except RecursionError:
        return True
    except ValueError:
        return False


NUL_ESCAPE = b"\\u0000"  # the only way JSON spells NUL: a raw 0x00 byte inside a string is not valid JSON


def holds_nul(body: bytes) -> bool:
    """True when a string in the JSON ``body`` (a value or a key) holds NUL; not JSON: False (the route says so).

    The raw bytes are searched first, so only a body that spells ``\\u0000`` somewhere is parsed (``\\\\u0000``,
    an escaped backslash, is text and not NUL: the parsed strings decide)."""
    if NUL_ESCAPE not in body:
        return False
    try:
        stack = [json.loads(body)]
    except (ValueError, RecursionError):
        return False
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


class Guard:
    def __init__(self, app, *, body_max: int = BODY_MAX):
        self.app = app
        self.body_max = body_max

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message = {**message, "headers": [*message.get("headers", ()), NOSNIFF]}
            await send(message)

        async def refuse(status: int, sentence: str):
            nonlocal started
            started = True
            for message in _json_response(status, sentence):
                await send(message)

        try:
            body = await self._read(scope, receive)
            if body is _GONE:
                return
            if body is None:
                await refuse(413, f"The body is larger than {self.body_max // 1024} KB; send less at once.")
                return
            if too_deep(body):
                await refuse(400, f"The JSON body nests deeper than {DEPTH_MAX} levels; send a flatter object.")
                return
            if b"%00" in scope.get("query_string", b"") or holds_nul(body):
                await refuse(422, "The request holds a NUL character (\\u0000 or %00), which no text here may "
                                  "contain; leave it out.")
                return
            await self.app(scope, _replay(body, receive), tracking_send)
        except Exception:  # a bug: log it for whoever runs the server; the caller gets one sentence
            log.exception("Unexpected error answering %s %s", scope.get("method"), scope.get("path"))
            if not started:
                await refuse(500, UNEXPECTED)

    async def _read(self, scope, receive):
        """The whole body, or None when it is over the cap (declared or counted)."""
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    if int(value) > self.body_max:
                        return None
                except ValueError:
                    pass
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away: nobody to answer
                return _GONE
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.body_max:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


def _replay(body: bytes, receive):
    sent = False

    async def replay():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # after the body: wait for the disconnect as the app expects

    return replay


class JsonAtTheEdge:
    """Outermost, around Streamlit's whole server: an error under ``prefix`` that Streamlit itself answers
    before the API sees the request (its path-security layer refuses ``..``, NUL and drive or UNC
    patterns with a plain-text "Bad Request") is rewritten as the API's JSON sentence."""

    SENTENCE = "This address is refused before it reaches the API; use a plain incident reference such as INC-12."

    def __init__(self, app, *, prefix: str):
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope.get("path", "").startswith(self.prefix + "/"):
            await self.app(scope, receive, send)
            return
        held = None

        async def rewriting_send(message):
            nonlocal held
            if message["type"] == "http.response.start":
                kind = dict(message.get("headers", ())).get(b"content-type", b"")
                if message["status"] >= 400 and not kind.startswith(b"application/json"):
                    held = message  # Streamlit's plain-text refusal: answer ours instead
                    return
            elif held is not None:
                if not message.get("more_body", False):
                    for part in _json_response(held["status"], self.SENTENCE):
                        await send(part)
                return
            await send(message)

        await self.app(scope, receive, rewriting_send)
