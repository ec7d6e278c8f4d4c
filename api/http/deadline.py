"""A server-side deadline for every request, as ASGI middleware: 503 when it is passed.

Nothing may keep a client (or a proxy's connection) waiting without end: a request that has
not started its answer within `seconds` is cancelled and answered 503 `DEADLINE_EXCEEDED`
(problem+json, or a Norwegian page for a browser; `Retry-After`). Work handed to a thread
cannot be stopped and finishes on its own; an evaluation that was stored meanwhile is in the
log like any other.
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.http.problems import answer, error
from engine.text import format_number


class Deadline:
    """Cancel a request that has not begun its response within `seconds`."""

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the request under the deadline; answer 503 when it passes before the answer."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            async with asyncio.timeout(self.seconds):
                await self.app(scope, receive, watched_send)
        except TimeoutError:
            if started:  # the answer is under way: nothing better to send than its end
                raise
            e = error(
                "DEADLINE_EXCEEDED",
                f"Tjenesten ble ikke ferdig med forespørselen innen {format_number(self.seconds)}"
                " sekunder og avbrøt den. Prøv igjen; en vurdering som ble lagret likevel, "
                "finnes i loggen.",
            )
            response = answer(Request(scope), 503, [e], e["msg"], {"Retry-After": "5"})
            await response(scope, receive, send)
