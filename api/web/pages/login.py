"""`/logg-inn` and `/logg-ut`: sign in with an API key, and sign out."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.web.render import posted, render, sessions
from api.web.session import Visitor

router = APIRouter(include_in_schema=False)


def safe_next(value: str | None) -> str:
    """Only a path on this site (no `//host`, no scheme) may be the target after sign-in."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


def _login_page(
    request: Request, visitor: Visitor, next_path: str, error: str = "", status: int = 200
) -> HTMLResponse:
    insecure = request.url.scheme != "https" and request.url.hostname not in (
        "localhost",
        "127.0.0.1",
        "::1",
    )
    return render(
        request,
        visitor,
        "logg_inn.html",
        {
            "page_title": "Logg inn",
            "next_path": next_path,
            "error": error,
            "insecure": insecure,
        },
        status=status,
    )


@router.get("/logg-inn")
def login_page(request: Request, neste: str | None = None) -> Response:
    """The sign-in form (not needed when no keys are configured)."""
    web = sessions(request)
    visitor = web.read(request)
    if not web.sign_in_required:
        return RedirectResponse(safe_next(neste), 303)
    return _login_page(request, visitor, safe_next(neste))


@router.post("/logg-inn")
async def login(request: Request) -> Response:
    """Check the key; on success a new session cookie and on to the page asked for."""
    web = sessions(request)
    visitor, form, refused = await posted(request)
    if refused is not None:
        return refused
    next_path = safe_next(str(form.get("neste") or "/"))
    if not web.sign_in_required:
        return RedirectResponse(next_path, 303)
    key = form.get("api_key")
    signed_in = web.sign_in(key) if isinstance(key, str) and key.strip() else None
    if signed_in is None:
        error = "Skriv inn API-nøkkelen." if not key else "API-nøkkelen er ukjent."
        return _login_page(request, visitor, next_path, error, status=401)
    response = RedirectResponse(next_path, 303)
    web.store(response, signed_in)  # a new nonce: no session fixation
    return response


@router.post("/logg-ut")
async def logout(request: Request) -> Response:
    """End the session."""
    web = sessions(request)
    _visitor, _form, refused = await posted(request)
    if refused is not None:
        return refused
    response = RedirectResponse("/logg-inn" if web.sign_in_required else "/", 303)
    web.forget(response)
    return response
