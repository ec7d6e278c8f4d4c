"""`/`: the start page, which is the criteria."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(request: Request) -> Response:
    """The start page is the criteria."""
    return RedirectResponse("/kriterier", 303)
