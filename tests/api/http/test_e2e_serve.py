"""End to end: `utvalg serve` as a real process on a free port, spoken to over HTTP."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.conftest import CASEWORKER, KEYS, READER, auth, unique_id
from tests.builders import ROOT, baseline

# a long file: the test processes start it first (tests/conftest.py)
pytestmark = pytest.mark.heavy

UTVALG = Path(sys.executable).with_name("utvalg")


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def environment(tmp: Path, **extra: str) -> dict[str, str]:
    """The server's environment: a private SQLite log, no stray UTVALG settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("UTVALG_")}
    env["UTVALG_DATABASE_URL"] = f"sqlite:///{tmp / 'e2e.db'}"
    env.update(extra)
    return env


@contextmanager
def serving(args: list[str], env: dict[str, str], logs: list[Path]) -> Iterator[list[str]]:
    """One `utvalg serve` with `args` per log file, each on a free port, all started at once
    and stopped when the block ends; their base URLs once each /readyz answers."""
    procs: list[tuple[subprocess.Popen[bytes], str, Path]] = []
    try:
        for log in logs:
            port = free_port()
            with open(log, "wb") as out:
                proc = subprocess.Popen(
                    [str(UTVALG), "serve", "--port", str(port), *args],
                    cwd=ROOT,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            procs.append((proc, f"http://127.0.0.1:{port}", log))
        deadline = time.monotonic() + 90
        for proc, base, log in procs:
            while True:
                assert proc.poll() is None, log.read_text()
                try:
                    if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        yield [base for _, base, _ in procs]
    finally:
        for proc, _, _ in procs:
            proc.send_signal(signal.SIGINT)
        for proc, _, _ in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """`utvalg serve --seed-examples` with API keys, until the module is done."""
    tmp = tmp_path_factory.mktemp("e2e")
    log = tmp / "server.log"
    env = environment(tmp, UTVALG_API_KEYS=KEYS)
    with serving(["--seed-examples"], env, [log]) as (base,):
        yield base, log


def test_the_server_evaluates_stores_and_answers_over_http(server: tuple[str, Path]) -> None:
    base, _ = server
    data = dict(baseline(), id=unique_id("e2e"))
    with httpx.Client(base_url=base, timeout=60) as http:
        r = http.post("/v1/evaluations", json=data, headers=auth(CASEWORKER))
        assert r.status_code == 201
        assert r.json()["application_id"] == data["id"]
        again = http.get(r.headers["location"], headers=auth(READER))
        assert again.status_code == 200 and again.json() == r.json()
        assert http.post("/v1/evaluations", json=data).status_code == 401
        assert http.post("/v1/evaluations", json=data, headers=auth(READER)).status_code == 403


def test_make_run_style_start_puts_the_examples_in_the_log(server: tuple[str, Path]) -> None:
    base, _ = server
    with httpx.Client(base_url=base, timeout=60) as http:
        r = http.get("/v1/evaluations/trondheim-2020", headers=auth(READER))
        assert r.status_code == 200 and r.json()["outcome"] == "recommended"
        ranking = http.post("/v1/rankings", json={"county": "18"}, headers=auth(CASEWORKER))
        assert ranking.status_code == 200
        entries = ranking.json()["counties"][0]["ranking"]
        assert entries[0] == {
            "rank": 1,
            "application_id": "rana-2020",
            "case_id": "pulje-5:1833",
            "version": 1,
            "municipality": {"number": "1833", "name": "Rana"},
            "outcome": "recommended",
            "score": 6,
            "within_capacity": True,
            "proposal": None,
            "departs": None,
            "judgement_outdated": False,
        }
        docs = http.get("/openapi.json")
        assert docs.status_code == 200 and "/v1/evaluations:batch" in docs.json()["paths"]
        # the examples' own database: every page says so
        assert "Eksempeldata" in http.get("/logg-inn").text


def test_the_key_secrets_are_not_in_the_server_log(server: tuple[str, Path]) -> None:
    _, log = server
    text = log.read_text()
    assert "API-nøkler: arkiv (reader), saksbehandling (caseworker), drift (admin)" in text
    for entry in KEYS.split(","):
        assert entry.split(":", 2)[2] not in text


def test_the_server_log_is_norwegian(server: tuple[str, Path]) -> None:
    _, log = server
    text = log.read_text()
    # uvicorn's own lines, translated (api/cli/server_log.py)
    assert "INFO: uvicorn: Tjenesten har startet." in text
    assert "Lytter på " in text and "(stopp med Ctrl+C)" in text
    for english in ("Application startup complete", "Uvicorn running", "Started server process"):
        assert english not in text


def test_a_public_bind_without_keys_exits_with_a_message(tmp_path: Path) -> None:
    done = subprocess.run(
        [str(UTVALG), "serve", "--host", "0.0.0.0", "--port", str(free_port())],
        cwd=ROOT,
        env=environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "Nekter å lytte på 0.0.0.0 uten API-nøkler" in done.stderr


def test_invalid_rules_stop_the_start_with_diagnostics(tmp_path: Path) -> None:
    rules = tmp_path / "rules" / "pulje-5"
    rules.mkdir(parents=True)
    (rules / "ruleset.yaml").write_text("id: pulje-5\nversjon: 1\n", encoding="utf-8")
    done: Any = subprocess.run(
        [str(UTVALG), "serve", "--port", str(free_port()), "--rules", str(tmp_path / "rules")],
        cwd=ROOT,
        env=environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "ruleset.yaml" in done.stderr and "tjenesten startet ikke" in done.stderr
