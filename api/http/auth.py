"""Authentication of HTTP requests by API key or named user, and the role a route requires.

Keys come from `UTVALG_API_KEYS` (see api.settings). A request names its key in
`Authorization: Bearer <key>` or `X-API-Key: <key>`. The key is compared with
every configured key in constant time and is never logged or stored: the log
stores the key's *name*. A named user (api.store.users, `utvalg users`) sends
`Authorization: Basic` with user name and password; the rows it makes store the user
name, and failed attempts count towards the same lock as on the sign-in page. With no
keys and no users the server is open, and `utvalg serve` then binds only to loopback.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from api.http.problems import Problem
from api.keys import RANK, ROLE_NAMES, Caller, KeyRing
from api.settings import Role
from api.store.users import Locked, UserStore
from engine.text import plural

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="utvalg", Basic realm="utvalg", charset="UTF-8"'}


def _presented(request: Request) -> str | None:
    auth = request.headers.get("authorization")
    if auth:
        scheme, _, value = auth.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
    key = request.headers.get("x-api-key")
    return key.strip() if key else None


def _basic(request: Request) -> tuple[str, str] | None:
    """User name and password from `Authorization: Basic`, when the request sends them."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise Problem(
            401,
            "INVALID_CREDENTIALS",
            "«Authorization: Basic» kunne ikke leses.",
            headers=CHALLENGE,
        ) from None
    username, _, password = decoded.partition(":")
    return username.strip().lower(), password


def locked_message(locked: Locked, now: dt.datetime) -> str:
    """Why sign-in is refused, and for how long (Norwegian, real plurals)."""
    wait = plural(locked.minutes_left(now), "minutt", "minutter")
    where = "for denne brukeren" if locked.per_user else "fra denne adressen"
    return f"For mange mislykkede innlogginger {where}. Prøv igjen om {wait}."


def _locked(locked: Locked, now: dt.datetime) -> Problem:
    return Problem(
        429,
        "TOO_MANY_SIGN_IN_ATTEMPTS",
        locked_message(locked, now),
        headers={"Retry-After": str(max(1, int((locked.until - now).total_seconds())))},
    )


def authenticate_user(users: UserStore, username: str, password: str, address: str) -> Caller:
    """A named user's Caller for a right password (blocking: argon2); else a 401/429 problem."""
    locked = users.locked(username, address)
    if locked is not None:
        raise _locked(locked, users.clock())
    user = users.verify(username, password)
    users.record_attempt(username, address, user is not None)
    if user is None:
        raise Problem(
            401, "INVALID_CREDENTIALS", "Feil brukernavn eller passord.", headers=CHALLENGE
        )
    return Caller(user.username, user.role, "user")


def is_open(ring: KeyRing, users: UserStore | None) -> bool:
    """True without keys and users: everyone is admin (and the server stays on loopback)."""
    return ring.open and (users is None or not users.any_users())


def authenticate(request: Request, ring: KeyRing, users: UserStore | None = None) -> Caller:
    """The caller of a request by key; raise a 401 problem for a missing or unknown key."""
    if is_open(ring, users):
        return Caller(None, "admin", None)
    presented = _presented(request)
    challenge = CHALLENGE
    if presented is None:
        raise Problem(
            401,
            "MISSING_API_KEY",
            "Forespørselen mangler API-nøkkel. Send den som «Authorization: Bearer <nøkkel>» "
            "eller «X-API-Key: <nøkkel>».",
            headers=challenge,
        )
    key = ring.lookup(presented)
    if key is None:
        raise Problem(401, "INVALID_API_KEY", "API-nøkkelen er ukjent.", headers=challenge)
    return Caller(key.name, key.role)


async def identify(request: Request, ring: KeyRing, users: UserStore | None) -> Caller:
    """The caller by key or by named user (Basic); raise a 401 or 429 problem.

    A caller the gate (api.http.gate) has already authenticated is taken from the request's
    state instead of comparing the key or the password again.
    """
    known = getattr(request.state, "caller", None)
    if isinstance(known, Caller):
        return known
    basic = None if is_open(ring, users) else _basic(request)
    if basic is not None and users is not None:
        address = request.client.host if request.client is not None else "ukjent"
        return await run_in_threadpool(authenticate_user, users, *basic, address)
    return authenticate(request, ring, users)


async def admit(request: Request, ring: KeyRing, users: UserStore | None, role: Role) -> Caller:
    """The caller when it has at least `role`; raise 401 (no or unknown key), 403 or 429."""
    caller = await identify(request, ring, users)
    if RANK[caller.role] < RANK[role]:
        raise Problem(
            403,
            "FORBIDDEN",
            f"{caller.described} har rollen {ROLE_NAMES[caller.role]}; "
            f"dette krever rollen {ROLE_NAMES[role]}.",
        )
    return caller


# The role each `require(...)` dependency stands for, so that api.http.gate can refuse a
# caller before the body is read (FastAPI reads and parses a body before any dependency).
_REQUIRED: dict[object, Role] = {}


def required_role(dependency: object) -> Role | None:
    """The role a dependency made by `require` admits, else None."""
    return _REQUIRED.get(dependency)


def require(role: Role) -> Callable[[Request], Coroutine[Any, Any, Caller]]:
    """A FastAPI dependency that admits callers with at least `role`."""

    async def dependency(request: Request) -> Caller:
        svc = request.app.state.services
        caller = await admit(request, svc.keys, svc.users, role)
        request.state.caller = caller
        return caller

    dependency.__name__ = f"require_{role}"
    _REQUIRED[dependency] = role
    return dependency
