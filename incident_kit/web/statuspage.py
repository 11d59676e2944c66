"""The live public status page, ``/status-page/`` inside the app: no sign-in, no token, no JavaScript.

It shows only what anyone may see (``Kit.public_status``) and renders it with the same template and
functions as ``status-page build`` (``statuspage.render``), so the static copy and the live page agree.
Streamlit's sign-in (OIDC) guards its pages, not these routes: ``app.py`` mounts them beside the API.
Subscribing by email (``subscribe.py``) is served here too.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import PlainTextResponse, RedirectResponse, Response

from ..errors import NotFound, StoreUnavailable
from . import subscribe
from .deps import open_shared

PREFIX = "/status-page"
# The page has no script and one inline style sheet; nothing else may load, and nobody may frame it.
HEADERS = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; "
                                      "form-action 'self'",
           "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
           "Cache-Control": "public, max-age=30"}  # customers reload during an incident; 30 s spares the store
ATOM = "application/atom+xml; charset=utf-8"


def _view():
    return open_shared().public_status()


def create_app() -> FastAPI:
    page = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    @page.exception_handler(StoreUnavailable)
    def unavailable(request, exc: StoreUnavailable):  # one sentence, never a traceback; tried again next time
        return PlainTextResponse(str(exc), status_code=503, headers={**HEADERS, "Cache-Control": "no-store"})

    @page.get("/")
    def index():
        return Response(_view().page(live=True), media_type="text/html; charset=utf-8", headers=HEADERS)

    @page.get("/feed.atom")
    @page.get("/feed.xml")  # the static build's name for the same feed, so the page's link works in both
    def feed():
        return Response(_view().feed(), media_type=ATOM, headers=HEADERS)

    @page.get("/components/{slug}/feed.atom")
    def component_feed(slug: str):
        try:
            return Response(_view().feed(component=slug), media_type=ATOM, headers=HEADERS)
        except NotFound as exc:
            return PlainTextResponse(str(exc), status_code=404, headers=HEADERS)

    subscribe.add_routes(page, headers=HEADERS)
    return page


def routes() -> list:
    from starlette.routing import Mount, Route

    async def slash(request):
        return RedirectResponse(PREFIX + "/", status_code=308)

    return [Route(PREFIX, slash), Mount(PREFIX, app=create_app())]
