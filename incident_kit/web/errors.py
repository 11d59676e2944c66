"""Every HTTP error is JSON ``{"error": "one sentence"}`` with the right status; never a traceback.

Domain refusals (``IncidentKitError`` and its subclasses) map to a status in ONE handler, by class:

* ``NotFound`` 404 (also a private incident the token may not see: word for word the same answer),
* ``NotAllowed`` 403, ``InvalidTransition`` and ``Conflict`` 409, ``StoreUnavailable`` 503,
* any other ``IncidentKitError`` 422: the request was understood and refused, and the sentence says why.

HTTP-level refusals (no token, missing scope, too big, too fast) are ``Refusal``s with their status and
headers. Request validation errors become one sentence too; an unexpected error is logged here and
answered with a sentence that says nothing about the code (``guard.Guard`` catches what escapes).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from ..errors import Conflict, IncidentKitError, InvalidTransition, NotAllowed, NotFound, StoreUnavailable

log = logging.getLogger("incident_kit.web")

# Most specific first: the first class the error is an instance of decides.
STATUS_BY_ERROR: list[tuple[type[IncidentKitError], int]] = [
    (NotFound, 404), (NotAllowed, 403), (InvalidTransition, 409), (Conflict, 409), (StoreUnavailable, 503),
    (IncidentKitError, 422),
]
UNEXPECTED = ("Something unexpected went wrong on the server; nothing more was done. Try again, and if it "
              "keeps happening, tell whoever runs incident-kit (the server log has the details).")
SENTENCE_MAX = 500  # a refusal repeats at most this much (a field name can come from a hostile body)
FIELD_SHOWN = 60


class Refusal(Exception):
    """An HTTP-level refusal: its status, one sentence and any headers (WWW-Authenticate, Retry-After)."""

    status = 400

    def __init__(self, sentence: str, *, headers: dict[str, str] | None = None):
        super().__init__(sentence)
        self.sentence = sentence
        self.headers = headers or {}


class Unauthorized(Refusal):
    status = 401


class Forbidden(Refusal):
    status = 403


class TooLarge(Refusal):
    status = 413


class TooMany(Refusal):
    status = 429


def answer(status: int, sentence: str, headers: dict[str, str] | None = None) -> JSONResponse:
    text = " ".join(str(sentence).split())
    if len(text) > SENTENCE_MAX:
        text = text[:SENTENCE_MAX - 1] + "…"
    return JSONResponse({"error": text}, status_code=status, headers=headers)


def status_of(exc: IncidentKitError) -> int:
    return next(status for kind, status in STATUS_BY_ERROR if isinstance(exc, kind))


def _field(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    name = ".".join(parts) or "the body"
    return name if len(name) <= FIELD_SHOWN else name[:FIELD_SHOWN - 1] + "…"


def validation_sentence(exc: RequestValidationError) -> tuple[int, str]:
    """(status, sentence) for the first problem; a body that is not JSON at all is a 400."""
    errors = exc.errors()
    if not errors:
        return 422, "The request is not valid."
    first = errors[0]
    kind, field = first.get("type", ""), _field(first.get("loc", ()))
    if kind == "json_invalid":
        return 400, "The body is not valid JSON; send a JSON object (Content-Type: application/json)."
    if kind == "missing":
        return 422, f"{field[:1].upper()}{field[1:]} is required."  # "The body is required.", "Title is required."
    if kind == "extra_forbidden":
        return 422, f"{field} is not a field this request takes; leave it out."
    if kind in ("model_attributes_type", "dict_type") and field == "the body":
        return 422, "The body must be a JSON object."
    message = str(first.get("msg", "is not valid")).rstrip(".")
    more = f" ({len(errors) - 1} more problem{'s' if len(errors) > 2 else ''} after this one)" if len(errors) > 1 else ""
    return 422, f"{field}: {message[0].lower() + message[1:] if message else 'is not valid'}{more}."


# FastAPI's own words for a body it cannot read (not UTF-8, say), and ours instead.
FASTAPI_UNREADABLE = "There was an error parsing the body"
UNREADABLE = "The body could not be read; send a JSON object encoded as UTF-8 (Content-Type: application/json)."
HTTP_SENTENCES = {
    404: "There is nothing at this address; the routes are listed at /api/v1/docs.",
    405: "This address does not take that method; the routes are listed at /api/v1/docs.",
}


def install(api: FastAPI) -> None:
    """Register the handlers on ``api``."""

    @api.exception_handler(IncidentKitError)
    async def domain_refusal(request: Request, exc: IncidentKitError):
        return answer(status_of(exc), str(exc))

    @api.exception_handler(Refusal)
    async def http_refusal(request: Request, exc: Refusal):
        return answer(exc.status, exc.sentence, exc.headers)

    @api.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError):
        status, sentence = validation_sentence(exc)
        return answer(status, sentence)

    @api.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        sentence = HTTP_SENTENCES.get(exc.status_code) or (exc.detail if isinstance(exc.detail, str) else "")
        if sentence == FASTAPI_UNREADABLE:
            sentence = UNREADABLE
        return answer(exc.status_code, sentence or "The request was refused.", getattr(exc, "headers", None))
