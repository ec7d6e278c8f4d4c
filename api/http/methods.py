"""HTTP methods beyond the routes' own: HEAD like GET, OPTIONS with Allow, and a true Allow.

A path may be served by several routes (GET and POST `/v1/evaluations` are two), so the
methods a path allows are gathered from every route that matches it, not from the first.
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
CANDIDATES = ("GET", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(routes: list[BaseRoute], scope: Scope) -> list[str]:
    """Every method some route serves at the scope's path (HEAD with GET, OPTIONS always)."""
    found: set[str] = set()
    for route in routes:
        if isinstance(route, Mount):  # static files: read only
            if route.matches({**scope, "method": "GET"})[0] != Match.NONE:
                found.add("GET")
            continue
        for method in CANDIDATES:
            if route.matches({**scope, "method": method})[0] == Match.FULL:
                found.add(method)
    if not found:
        return []
    if "GET" in found:
        found.add("HEAD")
    found.add("OPTIONS")
    return sorted(found, key=ORDER.index)


def allow_header(routes: list[BaseRoute], scope: Scope) -> str:
    """The `Allow` header's value for the scope's path."""
    return ", ".join(allowed_methods(routes, scope))


class Methods:
    """Answer OPTIONS (204 with Allow) and HEAD (as GET, without the body)."""

    def __init__(self, app: ASGIApp, routes: list[BaseRoute]) -> None:
        self.app = app
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle OPTIONS here, turn HEAD into GET, pass everything else on."""
        if scope["type"] != "http" or scope["method"] not in ("HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        methods = allowed_methods(self.routes, scope)
        if scope["method"] == "OPTIONS" and methods:
            await send(
                {
                    "type": "http.response.start",
                    "status": 204,
                    "headers": [(b"allow", ", ".join(methods).encode())],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return
        if scope["method"] == "OPTIONS" or "GET" not in methods:
            await self.app(scope, receive, send)  # 404, or 405 with the right Allow
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b""})
                return
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)
