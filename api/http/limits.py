"""Request size and time limits as ASGI middleware: 413 or 408 before any parsing."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.http.problems import PROBLEM_JSON, TITLES, error
from engine.text import format_figure


def too_large_body(limit: int, path: str) -> bytes:
    """The 413 problem body."""
    e = error(
        "BODY_TOO_LARGE",
        f"Forespørselen er større enn grensen på {size_text(limit)}. Del opp store "
        "samlinger i flere forespørsler.",
    )
    return _problem(413, e, path)


def too_slow_body(limit: float, path: str) -> bytes:
    """The 408 problem body: the client did not send its whole body in time."""
    return _problem(
        408,
        error(
            "BODY_TIMEOUT",
            f"Innholdet i forespørselen kom ikke fram innen {seconds(limit)}; "
            "ingenting ble lest. Send på nytt.",
            ["body"],
        ),
        path,
    )


def _problem(status: int, e: dict[str, Any], path: str) -> bytes:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": TITLES[status],
        "status": status,
        "detail": e["msg"],
        "errors": [e],
        "instance": path,
    }
    return json.dumps(body, ensure_ascii=False).encode()


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
            await _send_problem(send, 408, too_slow_body(self.timeout, scope.get("path", "")))
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
        await _send_problem(send, 413, too_large_body(limit, scope.get("path", "")))


async def _send_problem(send: Send, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
