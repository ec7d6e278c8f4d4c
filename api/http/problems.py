"""HTTP problems (RFC 9457, application/problem+json) with the contract's `errors` list."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from api.http.methods import allow_header
from engine import Diagnostic
from engine.characters import writable
from engine.messages import translate_request

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("utvalg.api")

# The paths other systems call: their problems are always JSON, whatever a client accepts.
MACHINE_PREFIXES = ("/v1/", "/v1:")
MACHINE_PATHS = frozenset({"/v1", "/openapi.json", "/healthz", "/readyz"})

# How a problem looks to a person: set by the pages (api.web.site) on `app.state`, so that
# this module, which every route uses, does not depend on the pages' templates.
PagePainter = Callable[[Request, int, list[dict[str, Any]], str, dict[str, str]], Response]

TITLES = {
    400: "Ugyldig forespørsel",
    401: "Mangler gyldig API-nøkkel",
    403: "Ikke tilgang",
    404: "Finnes ikke",
    405: "Metoden er ikke tillatt",
    408: "Forespørselen kom ikke fram i tide",
    409: "Konflikt",
    413: "Forespørselen er for stor",
    415: "Innholdstypen støttes ikke",
    431: "Headerne er for store",
    422: "Ugyldige inndata",
    500: "Intern feil",
    503: "Tjenesten er ikke klar",
}


class Problem(Exception):
    """An error the API answers with a problem response; raised only in api/."""

    def __init__(
        self,
        status: int,
        code: str,
        msg: str,
        *,
        loc: Sequence[str | int] = (),
        errors: Iterable[dict[str, Any]] | None = None,
        detail: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.status = status
        self.errors = list(errors) if errors is not None else [error(code, msg, loc)]
        self.detail = detail or msg
        self.headers = headers or {}
        super().__init__(self.detail)


def error(code: str, msg: str, loc: Sequence[str | int] = ()) -> dict[str, Any]:
    """One `errors[]` entry."""
    return {"loc": list(loc), "code": code, "msg": msg}


def invalid(diagnostics: Iterable[Diagnostic], prefix: Sequence[str | int] = ()) -> Problem:
    """A 422 problem listing every diagnostic, with `loc` under `prefix`."""
    errors = []
    for d in diagnostics:
        e = d.as_error()
        e["loc"] = [*prefix, *e["loc"]]
        errors.append(e)
    n = len(errors)
    detail = f"Inndataene ble avvist: {n} feil." if n != 1 else "Inndataene ble avvist: 1 feil."
    return Problem(422, "", "", errors=errors, detail=detail)


def problem_response(
    status: int,
    errors: list[dict[str, Any]],
    detail: str,
    *,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """Build an application/problem+json response."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": TITLES.get(status) or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "errors": errors,
    }
    if instance:
        body["instance"] = instance
    return _ProblemResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def for_person(request: Request) -> bool:
    """Whether a problem goes to a person's browser: a page's path, asked for as HTML."""
    path = request.url.path
    if path in MACHINE_PATHS or path.startswith(MACHINE_PREFIXES):
        return False
    return "text/html" in request.headers.get("accept", "")


def answer(
    request: Request,
    status: int,
    errors: list[dict[str, Any]],
    detail: str,
    headers: dict[str, str] | None = None,
) -> Response:
    """The problem as a Norwegian page for a person's browser, else as problem+json."""
    painter: PagePainter | None = getattr(request.app.state, "problem_page", None)
    if painter is not None and for_person(request):
        try:
            return painter(request, status, errors, detail, headers or {})
        except Exception:  # the page needs the session store; the JSON answer needs nothing
            log.exception("feilsiden kunne ikke lages for %s", request.url.path)
    return problem_response(status, errors, detail, instance=request.url.path, headers=headers)


class _ProblemResponse(JSONResponse):
    """JSON whose texts may repeat what was sent: a lone surrogate there becomes U+FFFD.

    Input with one is refused (engine.characters), so this is the last guard: a problem
    must always be sendable, or the answer would be a 500 about the answer.
    """

    def render(self, content: Any) -> bytes:
        text = json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        return writable(text).encode("utf-8")


def install(app: FastAPI) -> None:
    """Make every error of the app a problem response."""

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> Response:
        return answer(request, exc.status, exc.errors, exc.detail, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errors = [d.as_error() for d in translate_request(exc.errors())]
        return answer(request, 422, errors, "Parametrene i forespørselen er ugyldige.")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        status = exc.status_code
        if status == 404:
            e = error("NOT_FOUND", f"Ingen ressurs på {request.url.path}.")
        elif status == 405:
            allow = allow_header(request.app.router.routes, request.scope)
            e = error(
                "METHOD_NOT_ALLOWED",
                f"{request.method} er ikke tillatt på denne adressen; tillatt er {allow}.",
            )
            exc.headers = {**(exc.headers or {}), "Allow": allow}
        elif status == 400:
            # Starlette's only 400 is a body it cannot parse (broken multipart form data):
            # that is invalid input, which the contract answers with 422.
            status = 422
            e = error(
                "INVALID_BODY",
                "Innholdet i forespørselen kunne ikke leses: ugyldige skjemadata "
                "(multipart/form-data).",
                ["body"],
            )
        else:
            e = error("HTTP_ERROR", TITLES.get(status) or HTTPStatus(status).phrase)
        return answer(request, status, [e], e["msg"], dict(exc.headers or {}))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("uventet feil ved %s %s", request.method, request.url.path)
        e = error("INTERNAL_ERROR", "En uventet feil oppstod i tjenesten. Feilen er logget.")
        return answer(request, 500, [e], e["msg"])
