"""A real `utvalg serve` process and Debian's Chromium under Playwright, for the browser tests.

Chromium is never downloaded: `make test` installs Debian's package (scripts/ensure-chromium.sh) and
Playwright drives /usr/bin/chromium with the flags this machine needs (no sandbox as
root, no background networking on a closed network) and a new, empty profile.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
START_TIMEOUT = 90.0  # seconds; the server is usually up in two or three


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def running_server(root: Path, folder: Path, keys: str) -> Iterator[str]:
    """Start `utvalg serve` on a free port with its own SQLite file; yield its base URL."""
    port = free_port()
    env = {
        **os.environ,
        "UTVALG_DATABASE_URL": f"sqlite:///{folder / 'utvalg.db'}",
        "UTVALG_API_KEYS": keys,
        "UTVALG_RULES_DIR": str(root / "rules"),
        "UTVALG_EXAMPLES_DIR": str(root / "examples"),
        "UTVALG_WORKERS": "1",
    }
    log = open(folder / "server.log", "wb")  # noqa: SIM115 - closed below
    command = [sys.executable, "-m", "api.cli.main", "serve", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--seed-examples", "--no-access-log"],
        cwd=root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"utvalg serve stoppet med kode {process.returncode}:\n"
                    + (folder / "server.log").read_text(errors="replace")
                )
            try:
                if httpx.get(base + "/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(
                    "utvalg serve ble ikke klar:\n"
                    + (folder / "server.log").read_text(errors="replace")
                )
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
