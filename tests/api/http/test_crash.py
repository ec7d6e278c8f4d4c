"""Crash isolation: a worker killed mid-request is replaced, the request retried once."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from typing import Any

from fastapi.testclient import TestClient

from api.workers import EngineCrashed, WorkerPool
from engine import Application
from tests.api.conftest import unique_id
from tests.builders import application as validated
from tests.builders import baseline, ruleset

KILL = "x-utvalg-test-kill"


def application() -> dict[str, Any]:
    """A valid application with a fresh id."""
    return dict(baseline(), id=unique_id())


def validated_application() -> Application:
    """A valid application with a fresh id, validated as the server does before the workers."""
    return validated(application())


def test_a_worker_killed_mid_request_is_replaced_and_the_request_succeeds(
    api: TestClient,
) -> None:
    pool = api.app.state.services.pool  # type: ignore[attr-defined]
    restarts, pids = pool.restarts, set(pool.pids())
    data = application()
    r = api.post("/v1/evaluations", json=data, headers={KILL: "once"})
    assert r.status_code == 201
    assert r.json()["application_id"] == data["id"]
    assert pool.restarts == restarts + 1
    assert set(pool.pids()) != pids and pool.alive() == 2
    assert api.get(f"/v1/evaluations/{data['id']}").status_code == 200


def test_a_request_that_kills_its_worker_twice_fails_alone(api: TestClient) -> None:
    pool = api.app.state.services.pool  # type: ignore[attr-defined]
    restarts = pool.restarts
    data = application()
    r = api.post("/v1/evaluations", json=data, headers={KILL: "always"})
    assert r.status_code == 500
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["errors"][0]["code"] == "ENGINE_CRASHED"
    assert pool.restarts == restarts + 2
    assert api.get(f"/v1/evaluations/{data['id']}").status_code == 404  # nothing stored
    assert api.get("/readyz").json()["workers"] == 2
    assert api.post("/v1/evaluations", json=application()).status_code == 201


def test_requests_keep_succeeding_while_workers_are_killed(api: TestClient) -> None:
    pool = api.app.state.services.pool  # type: ignore[attr-defined]
    restarts = pool.restarts
    statuses: list[int] = []
    killers: list[int] = []

    def ordinary() -> None:
        for _ in range(15):
            statuses.append(api.post("/v1/evaluations", json=application()).status_code)

    def killer() -> None:
        for _ in range(4):
            r = api.post("/v1/evaluations", json=application(), headers={KILL: "once"})
            killers.append(r.status_code)

    threads = [threading.Thread(target=ordinary) for _ in range(4)]
    threads.append(threading.Thread(target=killer))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [201] * 60
    assert killers == [201] * 4
    assert pool.restarts >= restarts + 4


def wait_for(predicate: Any, what: str) -> None:
    """Poll until `predicate()` holds (bounded; not a timing assertion)."""
    deadline = time.monotonic() + 60
    while not predicate():
        assert time.monotonic() < deadline, f"ventet forgjeves på: {what}"
        time.sleep(0.05)


def test_a_worker_killed_from_outside_is_replaced(api: TestClient) -> None:
    pool = api.app.state.services.pool  # type: ignore[attr-defined]
    wait_for(lambda: pool.ready_count() == 2, "to klare arbeidsprosesser")
    victim = pool.pids()[0]
    os.kill(victim, signal.SIGKILL)
    for _ in range(6):  # whichever worker gets them, every request succeeds
        assert api.post("/v1/evaluations", json=application()).status_code == 201
    wait_for(lambda: victim not in pool.pids() and pool.ready_count() == 2, "en ny prosess")


def test_the_kill_switch_is_ignored_unless_enabled(client_factory: Any) -> None:
    client = client_factory()  # test_kill_switch off
    pool = client.app.state.services.pool
    r = client.post("/v1/evaluations", json=application(), headers={KILL: "always"})
    assert r.status_code == 201
    assert pool.restarts == 0


def test_pool_retries_batchmates_of_a_crashed_job_alone() -> None:
    async def scenario() -> None:
        pool = WorkerPool(1, max_per_call=8)
        pool.start()
        try:
            rs = ruleset()
            ordinary = pool.evaluate(rs, [validated_application() for _ in range(5)])
            poison = pool.evaluate(rs, [validated_application()], kill="always")
            later = pool.evaluate(rs, [validated_application() for _ in range(5)])
            first, crashed, second = await asyncio.gather(
                ordinary, poison, later, return_exceptions=True
            )
            assert isinstance(crashed, EngineCrashed)
            assert isinstance(first, list) and isinstance(second, list)
            assert [r.outcome for r in first + second] == ["not_recommended"] * 10
            assert pool.crashed_jobs == 1 and pool.restarts == 2
        finally:
            pool.close()

    asyncio.run(scenario())


def test_a_worker_that_stops_answering_is_replaced_after_the_timeout(
    client_factory: Any,
) -> None:
    client = client_factory(test_kill_switch=True, eval_timeout_seconds=1.0)
    pool = client.app.state.services.pool
    data = application()
    r = client.post("/v1/evaluations", json=data, headers={KILL: "hang"})
    assert r.status_code == 201 and r.json()["application_id"] == data["id"]
    assert pool.restarts == 1
    assert client.post("/v1/evaluations", json=application()).status_code == 201
