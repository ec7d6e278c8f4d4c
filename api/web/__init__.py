"""The web pages for the county governor's office (Norwegian, server-rendered, no JavaScript)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"
TEMPLATES = Path(__file__).parent / "templates"


def install(app: FastAPI) -> None:
    """Add the pages and their static files (served from this machine) to the app."""
    from api.web.pages import router

    app.include_router(router)
    app.mount("/statisk", StaticFiles(directory=STATIC), name="statisk")
