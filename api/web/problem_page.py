"""A problem (an unknown page, a refused request, a deadline) as a Norwegian page.

The API answers problem+json; a person's browser asking for a page gets this page with the
same status, the same Norwegian texts and the same headers (api.http.problems.answer).
"""

from __future__ import annotations

import dataclasses
from http import HTTPStatus
from typing import Any

from fastapi import Request
from starlette.responses import Response

from api.http.problems import TITLES
from api.web.render import message, sessions


def problem_page(
    request: Request,
    status: int,
    errors: list[dict[str, Any]],
    detail: str,
    headers: dict[str, str],
) -> Response:
    """The page for a problem; it never starts a session (a refusal is no visit)."""
    visitor = dataclasses.replace(sessions(request).read(request), fresh=False)
    more = [e["msg"] for e in errors if e.get("msg") and e["msg"] != detail]
    page = message(
        request,
        visitor,
        TITLES.get(status) or HTTPStatus(status).phrase,
        [detail],
        status=status,
        errors=more,
        back=("/", "Til forsiden"),
    )
    page.headers.update(headers)
    return page
