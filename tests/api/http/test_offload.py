"""Input work runs off the event loop, bounded: /healthz answers while hostile input is read.

Each hostile request below is held in its input thread (api.http.offload) until /healthz
has answered; were it parsed on the event loop, it would never reach the thread and
/healthz would wait behind it. Then the hostile request must be refused, not served.
"""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.http.offload import Offload
from api.http.pipeline import INLINE_BODY_BYTES
from api.http.problems import Problem
from tests.api.survey.test_xlsx import _sheet, _workbook
from tests.api.web.conftest import csrf_of, settings_for
from tests.builders import baseline


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """An open app (no keys: every role), over https so the form's cookie is sent."""
    folder = tmp_path_factory.mktemp("offload")
    with TestClient(create_app(settings_for(folder)), base_url="https://testserver") as c:
        yield c


def test_every_slot_and_queue_place_taken_is_a_norwegian_503() -> None:
    pool = Offload(slots=1, queue=1)
    release = threading.Event()
    refused: list[Problem] = []

    async def main() -> None:
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(pool.run, release.wait, 10)
            tasks.start_soon(pool.run, release.wait, 10)
            await anyio.wait_all_tasks_blocked()
            try:
                await pool.run(len, "x")
            except Problem as exc:
                refused.append(exc)
            release.set()

    anyio.run(main)
    (problem,) = refused
    assert problem.status == 503 and problem.errors[0]["code"] == "BUSY"
    assert "Prøv igjen" in problem.errors[0]["msg"] and problem.headers["Retry-After"]
    assert pool.busy == 0


def _held_while_healthz(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, send: Callable[[], httpx.Response]
) -> httpx.Response:
    """Send a request whose input work is held in its thread; /healthz must answer meanwhile."""
    in_thread, healthz_done = threading.Event(), threading.Event()
    real_run = Offload.run

    async def held(self: Offload, fn: Callable[..., Any], *args: object) -> Any:
        def wait_then_run(*inner: object) -> Any:
            in_thread.set()
            healthz_done.wait(10)
            return fn(*inner)

        return await real_run(self, wait_then_run, *args)

    monkeypatch.setattr(Offload, "run", held)
    answer: list[httpx.Response] = []
    hostile = threading.Thread(target=lambda: answer.append(send()))
    hostile.start()
    try:
        assert in_thread.wait(10), "the input was not read in an input thread"
        health = client.get("/healthz")
        assert health.status_code == 200 and not answer  # answered while the other waits
    finally:
        healthz_done.set()
        hostile.join(30)
    (response,) = answer
    return response


def test_healthz_answers_while_a_deeply_nested_paste_is_read(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = csrf_of(client.get("/vurdering").text)
    pasted = "[" * 10_000 + "]" * 10_000
    r = _held_while_healthz(
        client,
        monkeypatch,
        lambda: client.post("/vurdering/fil", data={"csrf_token": token, "tekst": pasted}),
    )
    assert r.status_code == 422 and "nøstet dypere" in r.text


def test_healthz_answers_while_an_amplifying_form_is_read(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = csrf_of(client.get("/vurdering").text)
    form = {
        "csrf_token": token,
        "round": "pulje-5",
        "municipality.name": "Verdal",
        "count.schools": "100",
        "years": "2017,2018,2019",
    }
    r = _held_while_healthz(client, monkeypatch, lambda: client.post("/vurdering", data=form))
    assert r.status_code == 422  # nothing filled in: refused with errors at the fields


def test_healthz_answers_while_a_big_json_body_is_parsed(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = baseline()
    app["schools"] = app["schools"] * 600  # beyond the unit limit: refused
    body = json.dumps(app).encode()
    r = _held_while_healthz(
        client,
        monkeypatch,
        lambda: client.post(
            "/v1/evaluations", content=body, headers={"Content-Type": "application/json"}
        ),
    )
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "TOO_MANY_UNITS"


def test_healthz_answers_while_a_crafted_survey_workbook_is_read(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    content = _workbook(tmp_path, _sheet('<row r="1"><c r="ZZZZZZZ1"><v>1</v></c></row>'))
    r = _held_while_healthz(
        client,
        monkeypatch,
        lambda: client.post(
            "/v1/survey-imports",
            files={"file": ("angrep.xlsx", io.BytesIO(content), "application/octet-stream")},
        ),
    )
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "TOO_LARGE"


def test_a_small_application_is_validated_on_the_event_loop_and_only_its_errors_off_it(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the hop to an input thread and back cost more than validating a few units; reading the
    # positions of a refused body's problems parses it again (milliseconds): off the loop
    client.post("/v1/evaluations", json=dict(baseline(), id="liten-0"))  # asks what is imported
    hops: list[str] = []
    real_run = Offload.run

    async def counted(self: Offload, fn: Callable[..., Any], *args: object) -> Any:
        hops.append(fn.__name__)
        return await real_run(self, fn, *args)

    monkeypatch.setattr(Offload, "run", counted)
    small = dict(baseline(), id="liten-1")
    assert len(json.dumps(small)) <= INLINE_BODY_BYTES
    assert client.post("/v1/evaluations", json=small).status_code == 201
    assert hops == []
    refused = client.post("/v1/evaluations", json=dict(small, county="99"))
    assert refused.status_code == 422 and refused.json()["errors"][0]["line"] is not None
    assert hops == ["refuse_application"]
