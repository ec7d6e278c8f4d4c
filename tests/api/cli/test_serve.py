"""`utvalg serve` at start: a port in use, and what it says once it listens."""

from __future__ import annotations

import resource
import socket
from pathlib import Path

import pytest

from api.cli.serve import raise_open_files_limit, start_screen
from api.settings import Settings
from tests.api.cli.test_main import utvalg

# a long file: the test processes start it first (tests/conftest.py)
pytestmark = pytest.mark.heavy


def test_a_port_in_use_is_said_in_norwegian_before_claiming_to_listen(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = utvalg(tmp_path, "serve", "--port", str(port))
    assert done.returncode == 2, done.stderr
    assert f"Port {port} på 127.0.0.1 er opptatt" in done.stderr
    assert f"«utvalg serve --port {port + 1}»" in done.stderr
    assert "lytter på" not in done.stderr
    assert "Errno" not in done.stderr and "address already in use" not in done.stderr


def test_an_unknown_host_is_said_in_norwegian(tmp_path: Path) -> None:
    done = utvalg(tmp_path, "serve", "--host", "127.0.0.1.nope", "--port", "8000")
    assert done.returncode == 2
    assert "lytter på" not in done.stderr


def test_the_first_screen_says_how_to_stop_and_that_examples_are_apart() -> None:
    lines = start_screen(
        "http://127.0.0.1:8000",
        Settings(database_url="sqlite:///var/eksempel.db", seed_examples=True),
    )
    assert lines[0].startswith("utvalg lytter på http://127.0.0.1:8000 ")
    assert "database: sqlite:///var/eksempel.db" in lines[0]
    text = "\n".join(lines)
    assert "Stopp tjenesten med Ctrl+C." in text
    assert "eksempeldata" in text and "atskilt fra databasen med ekte søknader" in text
    real = "\n".join(start_screen("http://127.0.0.1:8000", Settings(seed_examples=False)))
    assert "Ctrl+C" in real and "eksempeldata" not in real


def test_make_run_keeps_the_examples_in_their_own_database() -> None:
    makefile = (Path(__file__).parents[3] / "Makefile").read_text(encoding="utf-8")
    run = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "UTVALG_DATABASE_URL=sqlite:///$(CURDIR)/var/eksempel.db" in run
    assert "--seed-examples" in run


def test_serve_raises_the_open_files_limit_so_a_thousand_connections_fit() -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    now = raise_open_files_limit(4096)
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    assert now == soft
    if hard == resource.RLIM_INFINITY or hard >= 4096:
        assert soft == resource.RLIM_INFINITY or soft >= 4096
