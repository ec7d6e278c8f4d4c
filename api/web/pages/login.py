"""`/logg-inn` and `/logg-ut`: sign in with user name and password or an API key; sign out.

Failed sign-ins are stored (api.store.users), and too many for one user name or from one
address lock sign-in for a while, on every server that shares the database. The password
check (argon2, slow on purpose) and the database run off the event loop.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.http.auth import locked_message
from api.web.render import posted, render, sessions
from api.web.session import Visitor, WebSessions

router = APIRouter(include_in_schema=False)


def safe_next(value: str | None) -> str:
    """Only a path on this site (no `//host`, no scheme) may be the target after sign-in."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


def address_of(request: Request) -> str:
    """The address a sign-in comes from (what the per-address limit counts)."""
    return request.client.host if request.client is not None else "ukjent"


def _login_page(
    request: Request,
    visitor: Visitor,
    next_path: str,
    error: str = "",
    status: int = 200,
    *,
    field: str = "",
    username: str = "",
) -> HTMLResponse:
    web = sessions(request)
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
            "error_field": field,
            "username": username,
            "insecure": insecure,
            "with_users": web.users.any_users() or not web.keys_configured,
            "with_keys": web.keys_configured,
        },
        status=status,
    )


@router.get("/logg-inn")
def login_page(request: Request, neste: str | None = None) -> Response:
    """The sign-in form (not needed without keys and users)."""
    web = sessions(request)
    visitor = web.read(request)
    if not web.sign_in_required:
        return RedirectResponse(safe_next(neste), 303)
    return _login_page(request, visitor, safe_next(neste))


def _user_sign_in(
    web: WebSessions, username: str, password: str, address: str
) -> tuple[Visitor | None, str, int]:
    """Check the lock and the password (blocking: run in a thread); the visitor, or why not."""
    users = web.users
    locked = users.locked(username, address)
    if locked is not None:
        return None, locked_message(locked, users.clock()), 429
    user = users.verify(username, password)
    users.record_attempt(username, address, user is not None)
    if user is None:
        locked = users.locked(username, address)
        if locked is not None:
            return None, locked_message(locked, users.clock()), 429
        return None, "Feil brukernavn eller passord.", 401
    return web.sign_in_user(user, address), "", 303


def _key_sign_in(web: WebSessions, key: str, address: str) -> tuple[Visitor | None, str, int]:
    """Check the lock and the key (blocking: run in a thread); the visitor, or why not."""
    users = web.users
    locked = users.locked(None, address)
    if locked is not None:
        return None, locked_message(locked, users.clock()), 429
    signed_in = web.sign_in(key, address)
    users.record_attempt(None, address, signed_in is not None)
    if signed_in is None:
        locked = users.locked(None, address)
        if locked is not None:
            return None, locked_message(locked, users.clock()), 429
        return None, "API-nøkkelen er ukjent.", 401
    return signed_in, "", 303


@router.post("/logg-inn")
async def login(request: Request) -> Response:
    """Check user name and password (or the key); on success a new session, on to the page."""
    web = sessions(request)
    visitor, form, refused = await posted(request)
    if refused is not None:
        return refused
    next_path = safe_next(str(form.get("neste") or "/"))
    if not web.sign_in_required:
        return RedirectResponse(next_path, 303)
    address = address_of(request)
    key = form.get("api_key")
    username = form.get("brukernavn")
    password = form.get("passord")
    if isinstance(key, str) and key.strip():
        signed_in, error, status = await run_in_threadpool(_key_sign_in, web, key, address)
        field, name = "api_key", ""
    elif isinstance(username, str) and username.strip():
        name = username.strip().lower()
        given = password if isinstance(password, str) else ""
        signed_in, error, status = await run_in_threadpool(_user_sign_in, web, name, given, address)
        field = "passord"
    else:
        signed_in, name, status = None, "", 401
        field = "brukernavn" if username is not None else "api_key"
        error = (
            "Skriv inn brukernavn og passord."
            if username is not None
            else "Skriv inn API-nøkkelen."
        )
    if signed_in is None:
        return _login_page(
            request, visitor, next_path, error, status=status, field=field, username=name
        )
    response = RedirectResponse(next_path, 303)
    web.store(response, signed_in)  # a new nonce and session: no session fixation
    return response


@router.post("/logg-ut")
async def logout(request: Request) -> Response:
    """End the session on the server and remove the cookie."""
    web = sessions(request)
    visitor, _form, refused = await posted(request)
    if refused is not None:
        return refused
    await run_in_threadpool(web.sign_out, visitor)
    response = RedirectResponse("/logg-inn" if web.sign_in_required else "/", 303)
    web.forget(response)
    return response
