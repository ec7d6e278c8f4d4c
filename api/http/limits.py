"""Request size and time limits as ASGI middleware: 413 or 408 before any parsing."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.http.problems import answer, error
from engine.text import format_figure


def too_large_body(limit: int) -> dict[str, Any]:
    """The 413 problem's error."""
    return error(
        "BODY_TOO_LARGE",
        f"Forespørselen er større enn grensen på {size_text(limit)}. Del opp store "
        "samlinger i flere forespørsler.",
    )


def too_slow_body(limit: float) -> dict[str, Any]:
    """The 408 problem's error: the client did not send its whole body in time."""
    return error(
        "BODY_TIMEOUT",
        f"Innholdet i forespørselen kom ikke fram innen {seconds(limit)}; "
        "ingenting ble lest. Send på nytt.",
        ["body"],
    )


def seconds(s: float) -> str:
    """A duration in Norwegian: `1 sekund`, `0,5 sekunder`, `60 sekunder`."""
    return f"{format_figure(s)} {'sekund' if s == 1 else 'sekunder'}"


def size_text(n: int) -> str:
    """A byte count as a limit is written: `1 MiB`, `16 KiB`, `1500 byte`."""
    if n % (1024 * 1024) == 0:
        return f"{n // (1024 * 1024)} MiB"
    if n % 1024 == 0:
        return f"{n // 1024} KiB"
    return f"{n} byte"


class BodyLimit:
    """Refuse request bodies over `limit` bytes (by Content-Length, or while reading)."""

    def __init__(
        self,
        app: ASGIApp,
        limit: int,
        paths: dict[str, int] | None = None,
        timeout: float = 60.0,
    ) -> None:
        self.app = app
        self.limit = limit
        self.paths = paths or {}  # other limits for some paths (the survey file upload)
        self.timeout = timeout  # seconds for the whole body: a trickling client is cut off

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Read the body up to the limit, then hand it to the app."""
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return
        limit = self.paths.get(scope.get("path", ""), self.limit)
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > limit:
                    await self._refuse(scope, send, limit)
                    return
        try:
            async with asyncio.timeout(self.timeout):
                chunks = await self._read(receive, limit)
        except TimeoutError:
            await _send_problem(scope, send, 408, too_slow_body(self.timeout))
            return
        if chunks is None:
            return  # the client went away
        if isinstance(chunks, int):
            await self._refuse(scope, send, limit)
            return
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    @staticmethod
    async def _read(receive: Receive, limit: int) -> list[bytes] | int | None:
        """The body's chunks; the size read so far when over `limit`; None on disconnect."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return size
            chunks.append(chunk)
            if not message.get("more_body", False):
                return chunks

    async def _refuse(self, scope: Scope, send: Send, limit: int) -> None:
        await _send_problem(scope, send, 413, too_large_body(limit))


async def _send_problem(scope: Scope, send: Send, status: int, e: dict[str, Any]) -> None:
    # the rest of the body stays unread: the connection is closed after the answer
    response = answer(Request(scope), status, [e], e["msg"], {"connection": "close"})
    await response(scope, _no_more_body, send)


async def _no_more_body() -> Message:
    return {"type": "http.disconnect"}
