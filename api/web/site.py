"""The office's web pages on the app: every page router and the static files."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.web.pages import (
    applications,
    cases,
    criteria,
    decision,
    docs,
    evaluation_form,
    home,
    invitations,
    login,
    records,
    rules,
    submissions,
)
from api.web.problem_page import problem_page
from api.web.render import STATIC

PAGES = (
    home,
    criteria,
    evaluation_form,
    decision,
    applications,
    cases,
    submissions,
    invitations,
    records,
    rules,
    docs,
    login,
)


def install(app: FastAPI) -> None:
    """Add the pages and their static files (served from this machine) to the app."""
    for page in PAGES:
        app.include_router(page.router)
    app.mount("/statisk", StaticFiles(directory=STATIC), name="statisk")
    app.state.problem_page = problem_page  # problems on the pages' paths become pages
