"""Fixtures for the HTTP API and the database: apps with real workers, SQLite and PostgreSQL."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from api import registry, rules_versions
from api.app import create_app
from api.rounds import Layout
from api.settings import Settings
from engine import Diagnostic
from tests.api import crashing_gate
from tests.builders import ROOT
from tests.postgres import PostgresServer, find_postgres

RULES_ROOT = ROOT / "rules"
EXAMPLES = ROOT / "examples"

READER = "arkiv:reader:lesernokkel-0123456789abcdef"
CASEWORKER = "saksbehandling:caseworker:saksbehandlernokkel-0123456789"
ADMIN = "drift:admin:adminnokkel-0123456789abcdef"
KEYS = ",".join((READER, CASEWORKER, ADMIN))


def secret(entry: str) -> str:
    """The secret part of a `name:role:secret` entry."""
    return entry.split(":", 2)[2]


def auth(entry: str) -> dict[str, str]:
    """The Authorization header for a key entry."""
    return {"Authorization": f"Bearer {secret(entry)}"}


def make_settings(tmp: Path, **overrides: Any) -> Settings:
    """Settings for a test server: SQLite in `tmp`, real rules, two workers."""
    values: dict[str, Any] = {
        "database_url": f"sqlite:///{tmp / 'utvalg.db'}",
        "rules_dir": RULES_ROOT,
        "examples_dir": EXAMPLES,
        "workers": 2,
        "api_keys": "",
        # the TestClient's host: an open service answers only to the names it listens on
        "bind_host": "testserver",
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def client_factory(tmp_path: Path) -> Iterator[Callable[..., TestClient]]:
    """Start apps (lifespan included) with settings overrides; all stopped afterwards."""
    started: list[TestClient] = []

    def start(**overrides: Any) -> TestClient:
        folder = tmp_path / f"app{len(started)}"
        folder.mkdir()
        client = TestClient(create_app(make_settings(folder, **overrides)))
        client.__enter__()
        started.append(client)
        return client

    yield start
    for client in reversed(started):
        client.__exit__(None, None, None)


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One open (no keys) app per test module, with the test kill switch on."""
    folder = tmp_path_factory.mktemp("api")
    with TestClient(create_app(make_settings(folder, test_kill_switch=True))) as client:
        yield client


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    """A private copy of rules/ that a test may change."""
    target = tmp_path / "rules"
    shutil.copytree(RULES_ROOT / "pulje-5", target / "pulje-5")
    return target


def _passing_gate(folders: list[Path], layout: Layout) -> list[Diagnostic]:
    """A test double of the publish gate: every draft passes."""
    return []


@pytest.fixture
def passing_publish_gate(monkeypatch: pytest.MonkeyPatch) -> None:
    """Publishing goes through a gate double that passes, for tests about other things.

    Only where the real gate (~4 s a publish) runs on the same path elsewhere: POST
    /v1/rulesets/{id}/versions on both databases in tests/api/http/test_rule_versions.py
    (test_publish_refusals_store_nothing_then_publish_and_roll_back_on_two_apps), where it
    refuses a draft whose scenarios fail and passes another.
    """
    monkeypatch.setattr(rules_versions, "gate_in_subprocess", _passing_gate)


@pytest.fixture
def crashing_gate_process(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """The real gate_in_subprocess, starting tests.api.crashing_gate instead of the gate.

    The process it starts is killed by SIGSEGV (as durable-rules' C core does) unless the
    test sets crashing_gate.HOW in the environment; returns the monkeypatch for that.
    """
    monkeypatch.setattr(registry, "GATE_MODULE", crashing_gate.MODULE)
    return monkeypatch


def unique_id(prefix: str = "t") -> str:
    """A fresh application id."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


# --- PostgreSQL --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    """A PostgreSQL server: UTVALG_TEST_POSTGRES_URL, or a throwaway cluster started here."""
    given = os.environ.get("UTVALG_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    binaries = find_postgres()
    if binaries is None:
        message = (
            "PostgreSQL-serveren er ikke installert (kjør scripts/ensure-postgres.sh, eller "
            "sett UTVALG_TEST_POSTGRES_URL)."
        )
        if os.environ.get("UTVALG_TEST_POSTGRES_REQUIRED") == "1":
            pytest.fail(message)
        pytest.skip(message)
    with PostgresServer(binaries) as server:
        yield server.url


@pytest.fixture
def postgres_url(postgres_admin_url: str) -> Iterator[str]:
    """A fresh, empty database on the PostgreSQL server, dropped afterwards."""
    name = f"utvalg_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = postgres_admin_url.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test against a SQLite file and against a real PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'log.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url
