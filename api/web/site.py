"""The office's web pages on the app: every page router and the static files."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.web.pages._all import router
from api.web.render import STATIC


def install(app: FastAPI) -> None:
    """Add the pages and their static files (served from this machine) to the app."""
    app.include_router(router)
    app.mount("/statisk", StaticFiles(directory=STATIC), name="statisk")
