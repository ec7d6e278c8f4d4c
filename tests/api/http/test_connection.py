"""Hostile connections against a real `utvalg serve`: huge headers, slow headers, slow bodies.

One server for the module (open, loopback, short deadlines so the module stays fast).
Each test checks that `/healthz` still answers within 1 s while the hostile connections
are open, and that the hostile request itself is refused.
"""

from __future__ import annotations

import asyncio
import json
import resource
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvloop
from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from api.http.connection import guarded_protocol
from tests.api.http.test_e2e_serve import UTVALG, environment
from tests.builders import ROOT

# a long file: the test processes start it first (tests/conftest.py)
pytestmark = pytest.mark.heavy

PORT = 18100  # this module's port (the range 18100–18199 is the HTTP edge tests')
BASE = f"http://127.0.0.1:{PORT}"
DEADLINE = 0.5  # seconds for the headers and for the body, set for this server
SLOW_CONNECTIONS = 1100


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """`utvalg serve` without keys on PORT, with half-second header and body deadlines."""
    tmp = tmp_path_factory.mktemp("edge")
    log = tmp / "server.log"
    env = environment(
        tmp,
        UTVALG_WORKERS="1",
        UTVALG_HEADER_TIMEOUT_SECONDS=str(DEADLINE),
        UTVALG_BODY_TIMEOUT_SECONDS=str(DEADLINE),
    )
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [str(UTVALG), "serve", "--port", str(PORT), "--no-access-log"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, log.read_text()
            try:
                if httpx.get(f"{BASE}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        yield log
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def healthy() -> bool:
    """Whether `/healthz` answers 200 within 1 s on a new connection."""
    try:
        return httpx.get(f"{BASE}/healthz", timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False


def connect() -> socket.socket:
    """A new connection to the server."""
    return socket.create_connection(("127.0.0.1", PORT), timeout=5)


def answer(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (or 5 s pass)."""
    chunks = []
    try:
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    except (ConnectionResetError, TimeoutError):
        pass
    return b"".join(chunks)


def problem(raw: bytes) -> tuple[int, dict[str, object]]:
    """The status and the problem+json body of a raw HTTP response."""
    head, _, body = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    assert b"application/problem+json" in head.lower(), head
    return status, json.loads(body)


def test_a_header_larger_than_the_cap_is_refused_431_and_the_server_keeps_answering(
    server: Path,
) -> None:
    huge = []
    for _ in range(20):
        sock = connect()
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Fyll: " + b"a" * 8192)
        sock.sendall(b"a" * 12288)  # 20 KiB of header in all, still without its end
        huge.append(sock)
    assert healthy()
    for sock in huge:
        status, body = problem(answer(sock))
        sock.close()
        assert status == 431
        assert body["errors"][0]["code"] == "HEADERS_TOO_LARGE"  # type: ignore[index]


def test_a_client_streaming_an_endless_header_is_cut_off(server: Path) -> None:
    sock = connect()
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Fyll: ")
    sent = 0
    with pytest.raises(OSError):  # the server closes the connection long before 50 MiB
        while sent < 50 * 1024 * 1024:
            sock.sendall(b"a" * 65536)
            sent += 65536
    sock.close()
    assert healthy()


def test_slow_clients_are_cut_off_and_do_not_starve_the_server(server: Path) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < SLOW_CONNECTIONS + 200:  # this test process holds the slow connections
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, SLOW_CONNECTIONS + 500), hard))
    slow = []
    try:
        for i in range(SLOW_CONNECTIONS):
            sock = connect()
            if i % 2:  # half say nothing at all, half start a request and never end it
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            slow.append(sock)
        assert healthy()
        # each one is closed once its header deadline has passed, with no answer
        for sock in slow:
            assert answer(sock) == b""
        assert healthy()
    finally:
        for sock in slow:
            sock.close()


def test_a_kept_alive_connection_gets_the_deadline_for_its_next_request(server: Path) -> None:
    sock = connect()
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    first = b""
    while not first.endswith(b"}"):  # the whole first answer: headers and its JSON body
        first += sock.recv(65536)
    assert first.startswith(b"HTTP/1.1 200")
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and never the blank line
    assert answer(sock) == b""
    sock.close()


def test_a_body_that_does_not_arrive_in_time_is_refused_408(server: Path) -> None:
    sock = connect()
    sock.sendall(
        b"POST /v1/evaluations HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"
    )
    assert healthy()
    status, body = problem(answer(sock))
    sock.close()
    assert status == 408
    assert body["errors"][0]["code"] == "BODY_TIMEOUT"  # type: ignore[index]
    assert healthy()


def test_a_host_name_the_server_does_not_answer_to_is_refused(server: Path) -> None:
    r = httpx.get(f"{BASE}/healthz", headers={"Host": "rebound.example"}, timeout=5)
    assert r.status_code == 400
    assert r.json()["errors"][0]["code"] == "HOST_NOT_ALLOWED"
    assert httpx.get(f"{BASE}/healthz", headers={"Host": f"localhost:{PORT}"}).status_code == 200


async def _no_app(scope: Any, receive: Any, send: Any) -> None:
    """An ASGI app that is never called (the test only opens a connection)."""


def test_a_connection_to_the_bound_socket_has_nagle_turned_off() -> None:
    # `utvalg serve` binds the socket and hands uvicorn its fd, which uvicorn takes as a Unix
    # socket; its connections must still send at once (TCP_NODELAY), or each answer's body
    # waits for the client's delayed acknowledgement of the head
    async def scenario() -> int:
        loop = asyncio.get_running_loop()
        listening = socket.socket()
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        as_uvicorn_takes_it = socket.fromfd(listening.fileno(), socket.AF_UNIX, socket.SOCK_STREAM)
        config = Config(app=_no_app, log_level="warning")
        config.load()
        protocol = guarded_protocol(16 * 1024, 10.0)
        made: list[HttpToolsProtocol] = []

        def factory() -> HttpToolsProtocol:
            made.append(protocol(config, ServerState(), {}, loop))
            return made[-1]

        server = await loop.create_server(factory, sock=as_uvicorn_takes_it)
        _, writer = await asyncio.open_connection(*listening.getsockname())
        for _ in range(500):  # until the server has accepted the connection
            if made and getattr(made[0], "transport", None) is not None:
                break
            await asyncio.sleep(0.01)
        accepted = made[0].transport.get_extra_info("socket")
        value = int(accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        writer.close()
        server.close()
        listening.close()
        return value

    assert uvloop.run(scenario()) == 1
