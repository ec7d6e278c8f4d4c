"""Each HTTP connection under uvicorn: a cap on header size and a deadline for the headers.

uvicorn's httptools protocol keeps every header byte a client sends until the blank line
ends the headers, without limit, and waits for that line for ever; a few connections
sending megabytes of header, or a thousand that send one byte now and then, exhaust the
server's memory or sockets before any of our code runs. This subclass counts the bytes of
the request line and headers and answers 431 past `max_header_bytes`, and closes a
connection that has not sent its whole header within `header_timeout` seconds of
connecting (or of the first byte of its next request on a kept-alive connection).
"""

from __future__ import annotations

import asyncio
import json
import socket
from typing import Any

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from api.http.limits import size_text
from api.http.problems import PROBLEM_JSON, TITLES, error


def headers_refused(limit: int) -> dict[str, Any]:
    """The 431 problem's error."""
    return error(
        "HEADERS_TOO_LARGE",
        f"Forespørselslinjen og headerne er til sammen større enn grensen på {size_text(limit)}.",
        ["header"],
    )


def too_large_headers(limit: int) -> bytes:
    """A whole 431 response (status line, headers and a problem+json body), then close."""
    e = headers_refused(limit)
    body = json.dumps(
        {
            "type": "about:blank",
            "title": TITLES[431],
            "status": 431,
            "detail": e["msg"],
            "errors": [e],
        },
        ensure_ascii=False,
    ).encode()
    head = (
        "HTTP/1.1 431 Request Header Fields Too Large\r\n"
        f"content-type: {PROBLEM_JSON}\r\n"
        f"content-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    )
    return head.encode() + body


def send_at_once(transport: asyncio.BaseTransport) -> None:
    """Turn off Nagle's algorithm (TCP_NODELAY) on a connection's socket.

    uvicorn takes the socket `utvalg serve` bound (`fd=`) as if it were a Unix socket, so
    uvloop does not set TCP_NODELAY on its connections as it does for TCP. uvicorn writes a
    response's head and body in two writes; with Nagle's algorithm the body then waited for
    the client's delayed acknowledgement of the head, some 40 ms on every answer on a
    kept-alive connection (two thirds of the API's latency under load).
    """
    sock = transport.get_extra_info("socket")
    if sock is None:
        return
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except OSError:  # not a TCP socket (a Unix socket has no such option): nothing to do
        pass


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a header size cap and a header deadline."""

    max_header_bytes = 16 * 1024
    header_timeout = 10.0

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self._in_headers = True  # waiting for (the rest of) a request's headers
        self._header_bytes = 0
        self._deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Send without delay; start the clock: the first headers must come within the deadline."""
        super().connection_made(transport)
        send_at_once(transport)
        self._start_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        """Stop the clock with the connection."""
        self._stop_deadline()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        """Parse as uvicorn does, counting what arrives while the headers are incomplete."""
        counting = self._in_headers
        super().data_received(data)
        if not (counting and self._in_headers) or self.transport.is_closing():
            return
        self._header_bytes += len(data)
        if self._header_bytes > self.max_header_bytes:
            self._stop_deadline()
            self.transport.write(too_large_headers(self.max_header_bytes))
            self.transport.close()

    def on_message_begin(self) -> None:
        """A new request: count its header bytes; the clock runs from its first byte."""
        super().on_message_begin()
        self._in_headers = True
        self._header_bytes = 0
        if self._deadline is None:
            self._start_deadline()

    def on_headers_complete(self) -> None:
        """The headers are in: stop the clock (the body has its own limit, api.http.limits)."""
        self._in_headers = False
        self._stop_deadline()
        super().on_headers_complete()

    def _start_deadline(self) -> None:
        self._deadline = self.loop.call_later(self.header_timeout, self._too_slow)

    def _stop_deadline(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if self._in_headers and not self.transport.is_closing():
            self.transport.close()


def guarded_protocol(max_header_bytes: int, header_timeout: float) -> type[HttpToolsProtocol]:
    """The protocol class for `uvicorn.run(http=…)` with these limits."""
    return type(
        "GuardedHttpToolsProtocol",
        (GuardedHttpToolsProtocol,),
        {"max_header_bytes": max_header_bytes, "header_timeout": header_timeout},
    )
