"""Reading request bodies: each application is validated once, positions read only on error."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pytest
from fastapi.testclient import TestClient

import api.http.inputs as inputs
from api.workers import Evaluated
from engine import Application, RuleSet
from tests.api.conftest import unique_id
from tests.builders import baseline, changed


def calls_of(monkeypatch: pytest.MonkeyPatch, name: str) -> list[Any]:
    """Record each call of `api.http.inputs.<name>` (its first argument), still calling it."""
    calls: list[Any] = []
    real = getattr(inputs, name)

    def counted(first: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(first)
        return real(first, *args, **kwargs)

    monkeypatch.setattr(inputs, name, counted)
    return calls


def validations(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Record every validation of data as an Application in this process, still doing it."""
    calls: list[Any] = []
    real = Application.model_validate

    def counted(cls: type[Application], obj: Any, *args: Any, **kwargs: Any) -> Application:
        calls.append(obj)
        return real(obj, *args, **kwargs)

    monkeypatch.setattr(Application, "model_validate", classmethod(counted))
    return calls


def sent_to_workers(api: TestClient, monkeypatch: pytest.MonkeyPatch) -> list[list[Any]]:
    """Record what the server hands the worker pool, still evaluating it."""
    pool = api.app.state.services.pool  # type: ignore[attr-defined]
    real = pool.evaluate
    sent: list[list[Any]] = []

    async def recorded(
        ruleset: RuleSet, applications: Sequence[Any], *args: Any
    ) -> list[Evaluated]:
        sent.append(list(applications))
        result: list[Evaluated] = await real(ruleset, applications, *args)
        return result

    monkeypatch.setattr(pool, "evaluate", recorded)
    return sent


def test_a_valid_application_is_validated_once_and_the_workers_get_it_validated(
    api: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed = calls_of(monkeypatch, "parse_application")
    validated = validations(monkeypatch)
    positions = calls_of(monkeypatch, "load_positioned")
    sent = sent_to_workers(api, monkeypatch)
    data = dict(baseline(), id=unique_id())
    assert api.post("/v1/evaluations", json=data).status_code == 201
    assert parsed == [data] and validated == [data]  # once, in the server
    assert positions == []  # a valid body is not read again
    ((app,),) = sent
    assert isinstance(app, Application) and app.id == data["id"]


def test_a_batch_validates_each_application_once(
    api: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    validated = validations(monkeypatch)
    sent = sent_to_workers(api, monkeypatch)
    items = [dict(baseline(), id=unique_id()) for _ in range(3)]
    assert api.post("/v1/evaluations:batch", json={"applications": items}).status_code == 200
    assert validated == items
    assert [a.id for batch in sent for a in batch] == [d["id"] for d in items]
    assert all(isinstance(a, Application) for batch in sent for a in batch)


def test_an_invalid_application_is_validated_once_and_only_then_read_for_positions(
    api: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    validated = validations(monkeypatch)
    positions = calls_of(monkeypatch, "load_positioned")
    sent = sent_to_workers(api, monkeypatch)
    text = json.dumps(changed(county="99", **{"schools.0.name": ""}), indent="\t")
    r = api.post("/v1/evaluations", content=text, headers={"content-type": "application/json"})
    assert r.status_code == 422
    lines = text.splitlines()

    def where(key: str, after: int = 0) -> tuple[int, int]:
        n = next(i for i, line in enumerate(lines, 1) if i > after and f'"{key}"' in line)
        return n, lines[n - 1].index(f'"{key}"') + 1

    schools = where("schools")[0]
    assert [(e["code"], e["line"], e["column"]) for e in r.json()["errors"]] == [
        ("UNKNOWN_COUNTY", *where("county")),
        ("BAD_FORMAT", *where("name", after=schools)),
    ]
    assert len(validated) == 1 and len(positions) == 1
    assert sent == []


def test_a_body_is_walked_for_lone_surrogates_only_when_it_has_an_escape_that_makes_one(
    api: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    walked = calls_of(monkeypatch, "surrogate_problems")
    plain = dict(baseline(), id=unique_id())
    plain["municipality"] = dict(plain["municipality"], name="Bærum")
    # \u00e6 is «æ», no surrogate: nothing to walk for
    text = json.dumps(plain)
    assert "\\u00e6" in text
    r = api.post("/v1/evaluations", content=text, headers={"content-type": "application/json"})
    assert r.status_code == 201 and walked == []
    # a backslash before «ud800» is not a surrogate either, but looks like one: walked, accepted
    odd = dict(plain, id=unique_id(), municipality=dict(plain["municipality"], name="B\\ud800"))
    r = api.post(
        "/v1/evaluations", content=json.dumps(odd), headers={"content-type": "application/json"}
    )
    assert r.status_code == 201 and walked == [odd]
    assert r.json()["summary"]  # evaluated
    # the escape of a lone surrogate is walked for and refused
    bad = dict(plain, id=unique_id(), municipality=dict(plain["municipality"], name="B\ud800"))
    r = api.post(
        "/v1/evaluations", content=json.dumps(bad), headers={"content-type": "application/json"}
    )
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "BAD_CHARACTER"
    assert len(walked) == 2
