"""``GET /health``: is the app up and its store open? No token needed, nothing about the data."""

from __future__ import annotations

from fastapi import APIRouter

from .. import __version__
from .deps import open_shared
from .schemas import Health

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health, summary="The app is up and its store is open (no token)")
def health():
    open_shared()  # a store that cannot be opened answers 503 with its one sentence
    return {"status": "ok", "version": __version__}
