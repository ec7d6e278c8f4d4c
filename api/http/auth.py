"""Authentication of HTTP requests by API key, and the role a route requires.

Keys come from `UTVALG_API_KEYS` (see api.settings). A request names its key in
`Authorization: Bearer <key>` or `X-API-Key: <key>`. The key is compared with
every configured key in constant time and is never logged or stored: the log
stores the key's *name*. With no keys configured the server is open, and
`utvalg serve` then binds only to loopback.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request

from api.http.problems import Problem
from api.keys import RANK, ROLE_NAMES, Caller, KeyRing
from api.settings import Role


def _presented(request: Request) -> str | None:
    auth = request.headers.get("authorization")
    if auth:
        scheme, _, value = auth.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
    key = request.headers.get("x-api-key")
    return key.strip() if key else None


def authenticate(request: Request, ring: KeyRing) -> Caller:
    """The caller of a request; raise a 401 problem for a missing or unknown key."""
    if ring.open:
        return Caller(None, "admin")
    presented = _presented(request)
    challenge = {"WWW-Authenticate": 'Bearer realm="utvalg"'}
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


def admit(request: Request, ring: KeyRing, role: Role) -> Caller:
    """The caller when it has at least `role`; raise 401 (no or unknown key) or 403.

    A caller the gate (api.http.gate) has already authenticated is taken from the request's
    state instead of comparing the key again.
    """
    known = getattr(request.state, "caller", None)
    caller = known if isinstance(known, Caller) else authenticate(request, ring)
    if RANK[caller.role] < RANK[role]:
        raise Problem(
            403,
            "FORBIDDEN",
            f"Nøkkelen «{caller.name}» har rollen {ROLE_NAMES[caller.role]}; "
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
        caller = admit(request, request.app.state.services.keys, role)
        request.state.caller = caller
        return caller

    dependency.__name__ = f"require_{role}"
    _REQUIRED[dependency] = role
    return dependency
