"""The gate in front of every route: known host names, no cross-site writes, key before body.

It runs before anything reads the request body, because FastAPI reads and parses a body
(up to the upload limit of the survey import) before it runs any dependency, and checks
unknown query parameters before the key. Here, in this order:

1. the `Host` header must name a host this service answers to (`Settings.host_names`;
   without keys: loopback names only, so a DNS-rebound name cannot reach an open service);
2. without keys (open mode), a write (POST, PUT, PATCH, DELETE) sent by a browser from
   another site is refused: `Sec-Fetch-Site: cross-site`, or an `Origin` that is not this
   service's own;
3. a route that needs a key (`require(role)`) refuses a missing or unknown key (401) or too
   low a role (403) before its body or query is looked at.
"""

from __future__ import annotations

from typing import Any

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Receive, Scope, Send

from api.http.auth import admit, is_open, required_role
from api.http.problems import Problem, answer, error
from api.keys import KeyRing
from api.settings import Role
from api.store.users import UserStore

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_DEFAULT_PORTS = {"http": "80", "https": "443"}
_REMEMBERED = 4096  # (method, path) pairs whose route role is remembered


def host_name(host: str) -> str:
    """The name in a `Host` header without its port, lower case (`[::1]:8000` → `::1`)."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    if host.count(":") == 1:
        return host.split(":", 1)[0]
    return host


def own_origin(scheme: str, host: str) -> str:
    """This service's origin as a browser writes it in `Origin`, for a request to `host`."""
    host = host.strip().lower()
    port = _DEFAULT_PORTS.get(scheme)
    if port and host.endswith(f":{port}") and not host.endswith("]"):
        host = host[: -len(port) - 1]
    return f"{scheme}://{host}"


def route_role(route: APIRoute) -> Role | None:
    """The role a route requires through `require(...)`, else None."""
    pending = list(route.dependant.dependencies)
    while pending:
        dependant = pending.pop()
        role = required_role(dependant.call)
        if role is not None:
            return role
        pending += dependant.dependencies
    return None


def host_refused(name: str, hosts: frozenset[str]) -> dict[str, Any]:
    """The 400 problem's error for a `Host` this service does not answer to."""
    return error(
        "HOST_NOT_ALLOWED",
        f"Tjenesten svarer ikke på vertsnavnet «{name[:100]}». Bruk en av adressene den er "
        f"satt opp for ({', '.join(sorted(hosts))}), eller legg navnet til i "
        "UTVALG_ALLOWED_HOSTS.",
        ["header", "host"],
    )


def cross_site(request: Request) -> bool:
    """Whether a browser says the request comes from another site or origin."""
    if request.headers.get("sec-fetch-site", "").lower() == "cross-site":
        return True
    origin = request.headers.get("origin")
    if origin is None:
        return False  # not sent by a browser (curl, scripts) or a same-origin GET
    expected = own_origin(request.url.scheme, request.headers.get("host", ""))
    return origin.strip().lower().rstrip("/") != expected


class Gate:
    """ASGI middleware: host names, cross-site writes and keys, before any body is read."""

    def __init__(
        self,
        app: ASGIApp,
        routes: list[BaseRoute],  # the API's own routes, as their routers declare them
        ring: KeyRing,
        users: UserStore | None,
        hosts: frozenset[str] | None,
    ) -> None:
        self.app = app
        self.routes = routes
        self.ring = ring
        self.users = users
        self.hosts = hosts
        self._roles: dict[tuple[str, str], Role | None] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse with a problem response, or pass the request on untouched."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        try:
            await self._check(request, scope)
        except Problem as exc:
            response = answer(request, exc.status, exc.errors, exc.detail, exc.headers)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _check(self, request: Request, scope: Scope) -> None:
        host = request.headers.get("host", "")
        if self.hosts is not None and host_name(host) not in self.hosts:
            e = host_refused(host_name(host), self.hosts)
            raise Problem(400, e["code"], e["msg"], loc=e["loc"])
        open_mode = is_open(self.ring, self.users)
        if open_mode and scope["method"] in UNSAFE and cross_site(request):
            raise Problem(
                403,
                "CROSS_ORIGIN",
                "Tjenesten er åpen uten API-nøkler og tar bare imot endringer fra sine egne "
                "sider, ikke fra et annet nettsted.",
                loc=["header", "origin"],
            )
        if open_mode:
            return
        role = self._role(scope)
        if role is not None:
            # kept for the route's own `require`, which then need not compare the key again
            request.state.caller = await admit(request, self.ring, self.users, role)

    def _role(self, scope: Scope) -> Role | None:
        # HEAD is served as GET (api.http.methods): it needs what GET needs
        method = "GET" if scope["method"] == "HEAD" else scope["method"]
        key = (method, scope["path"])
        if key in self._roles:
            return self._roles[key]
        role = None
        probe = {**scope, "method": method}
        for route in self.routes:
            if isinstance(route, APIRoute) and route.matches(probe)[0] == Match.FULL:
                role = route_role(route)
                break
        if len(self._roles) < _REMEMBERED:  # paths with ids are many; remember only so many
            self._roles[key] = role
        return role
