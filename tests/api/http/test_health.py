"""/readyz tells the truth (a worker ready, writes commit) and every request has a deadline."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from api.http.deps import KILL_HEADER
from api.workers import WorkerPool
from tests.api.conftest import EXAMPLES
from tests.api.web.conftest import csrf_of
from tests.builders import baseline


def _codes(r: Any) -> list[str]:
    return [e["code"] for e in r.json()["errors"]]


def test_ready_names_the_workers_that_answer(client_factory: Any) -> None:
    client: TestClient = client_factory()
    r = client.get("/readyz")
    assert r.status_code == 200
    assert r.json()["workers"] >= 1 and r.json()["database"] == "ok"


def test_workers_that_cannot_start_make_ready_503_and_evaluations_fail_fast(
    client_factory: Any,
) -> None:
    client: TestClient = client_factory(workers=1, test_kill_switch=True)
    services = client.app.state.services  # type: ignore[attr-defined]
    pool: WorkerPool = services.pool
    # every worker started from now on dies at once, before it is ready (a broken install)
    pool.target = sys.exit
    # the running worker is killed by the request; none can take its place
    r = client.post("/v1/evaluations", json=baseline(), headers={KILL_HEADER: "always"})
    assert r.status_code in (500, 503)
    r = client.post("/v1/evaluations", json=dict(baseline(), id="etter"))
    assert r.status_code == 503 and _codes(r) == ["WORKERS_UNAVAILABLE"]
    assert pool.unavailable()
    r = client.get("/readyz")
    assert r.status_code == 503 and _codes(r) == ["WORKERS_NOT_READY"]


def test_a_read_only_database_is_not_ready_and_says_so_in_the_api_and_the_page(
    client_factory: Any, tmp_path: Path
) -> None:
    client: TestClient = client_factory(test_kill_switch=False)
    services = client.app.state.services  # type: ignore[attr-defined]
    path = Path(services.log.engine.url.database)
    read_only = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    services.log.engine = services.cases.engine = read_only  # the log's rows and the cases
    r = client.get("/readyz")
    assert r.status_code == 503 and _codes(r) == ["DATABASE_NOT_WRITABLE"]
    r = client.post("/v1/evaluations", json=dict(baseline(), id="skrivebeskyttet"))
    assert r.status_code == 503 and _codes(r) == ["LOG_READ_ONLY"]
    client.base_url = client.base_url.copy_with(scheme="https")  # the cookie is Secure
    page = client.get("/vurdering")
    example = EXAMPLES / "pulje-5" / "steinkjer-2020.yaml"
    r = client.post(
        "/vurdering/fil",
        data={"csrf_token": csrf_of(page.text)},
        files={"fil": (example.name, example.read_bytes(), "application/yaml")},
        follow_redirects=False,
    )
    assert r.status_code == 503 and "text/html" in r.headers["content-type"], r.text[:3000]
    assert "tar bare imot lesing" in r.text


def test_a_request_past_its_deadline_is_answered_503(client_factory: Any) -> None:
    client: TestClient = client_factory(
        workers=1, test_kill_switch=True, request_timeout_seconds=0.5
    )
    r = client.post("/v1/evaluations", json=baseline(), headers={KILL_HEADER: "hang"})
    assert r.status_code == 503 and _codes(r) == ["DEADLINE_EXCEEDED"]
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "0,5 sekunder" in r.json()["detail"]
