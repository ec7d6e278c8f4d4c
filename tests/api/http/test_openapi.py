"""OpenAPI: every contract route is documented, with realistic examples that validate."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.http.openapi import example, examples
from api.http.openapi_examples import build_examples
from api.http.schemas import EvaluatedDecision
from engine import Ranking, evaluate, parse_application
from tests.api.http.schema_check import problems, resolve
from tests.builders import ruleset

CONTRACT = {
    ("post", "/v1/evaluations"),
    ("get", "/v1/evaluations/{id}"),
    ("get", "/v1/evaluations"),
    ("post", "/v1/evaluations:batch"),
    ("post", "/v1/evaluations/{id}:replay"),
    ("post", "/v1/rankings"),
    ("get", "/v1/rulesets"),
    ("get", "/v1/rulesets/{id}"),
    ("post", "/v1/rulesets:reload"),
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("post", "/v1/counties/{county}/submissions"),
    ("get", "/v1/submissions"),
    ("get", "/v1/submissions/{id}"),
}
MINE = CONTRACT | {("get", "/v1/evaluations/{id}/record")}


@pytest.fixture(scope="module")
def spec(api: TestClient) -> dict[str, Any]:
    """The served OpenAPI document."""
    r = api.get("/openapi.json")
    assert r.status_code == 200
    data: dict[str, Any] = r.json()
    return data


def operations(spec: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """Operations by (method, path)."""
    return {
        (method, path): op
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if method in ("get", "post")
    }


def test_every_contract_route_is_documented(spec: dict[str, Any], api: TestClient) -> None:
    assert CONTRACT <= set(operations(spec))
    assert api.get("/docs").status_code == 200


def test_request_bodies_and_success_responses_have_examples(spec: dict[str, Any]) -> None:
    for (method, path), op in operations(spec).items():
        if (method, path) not in MINE or not path.startswith("/v1"):
            continue
        if method == "post" and not path.endswith((":reload", ":replay")):
            content = op["requestBody"]["content"]["application/json"]
            assert content.get("example"), path
            assert content["schema"]["$ref"].startswith("#/components/schemas/"), path
    for (method, path), op in operations(spec).items():
        if (method, path) not in MINE:
            continue
        ok = next(s for s in op["responses"] if s.startswith("2"))
        assert op["responses"][ok]["content"]["application/json"].get("example"), path


def test_problem_responses_are_documented_as_problem_json(spec: dict[str, Any]) -> None:
    for (method, path), op in operations(spec).items():
        if (method, path) not in MINE or not path.startswith("/v1"):
            continue
        for status, resp in op["responses"].items():
            if status.startswith(("4", "5")):
                assert list(resp["content"]) == ["application/problem+json"], (path, status)
                assert resp["content"]["application/problem+json"]["example"]["errors"]
        assert op["security"] == [{"bearer": []}, {"apiKey": []}, {"basic": []}]
    schemas = spec["components"]["schemas"]
    assert {"Application", "BatchRequest", "RankingRequest", "ProblemBody"} <= set(schemas)
    assert "HTTPValidationError" not in schemas


def test_what_the_gate_and_limits_answer_is_documented_on_every_operation(
    spec: dict[str, Any],
) -> None:
    # the host check and the header cap come before any route; a write may also be refused
    # as cross-site, too large or too slow (api.http.gate, .connection, .limits)
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            expected = {"400", "431"} | ({"403", "408", "413"} if method == "post" else set())
            assert expected <= set(op["responses"]), (method, path)
    codes = {
        status: resp["content"]["application/problem+json"]["example"]["errors"][0]["code"]
        for status, resp in spec["paths"]["/v1/evaluations"]["post"]["responses"].items()
        if status in ("400", "408", "431")
    }
    assert codes == {"400": "HOST_NOT_ALLOWED", "408": "BODY_TIMEOUT", "431": "HEADERS_TOO_LARGE"}


def test_examples_are_real_applications_and_decisions() -> None:
    hint = "kjør python -m api.http.openapi_examples"
    assert examples(), f"api/http/openapi_examples.json mangler: {hint}"
    rs = ruleset()
    rounds = {rs.id: list(rs.counties)}
    app = parse_application(example("application"), rounds=rounds)
    decision = EvaluatedDecision.model_validate(example("decision"))
    fresh = evaluate(app, rs)
    # the same judgement as the engine gives now (texts and digest may have moved on)
    assert (decision.outcome, decision.score) == (fresh.outcome, fresh.score)
    assert [(c.criterion, c.subject.id, c.status) for c in decision.criteria] == [
        (c.criterion, c.subject.id, c.status) for c in fresh.criteria
    ]
    Ranking.model_validate(example("ranking"))
    for item in example("batch")["applications"]:
        parse_application(item, rounds=rounds)
    assert len(example("decisions")) == len(example("batch")["applications"])


def test_the_example_builder_makes_every_stored_example() -> None:
    # the stored file may lag behind texts and digests; the builder must still run and make
    # the same set of examples
    assert set(build_examples()) == set(examples())


def _published_examples(spec: dict[str, Any]) -> list[tuple[str, Any, dict[str, Any]]]:
    """(where, example, schema) for every example in the document."""
    found = []
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            bodies = [("request", op.get("requestBody", {}).get("content", {}))]
            bodies += [(s, r.get("content", {})) for s, r in op.get("responses", {}).items()]
            for status, content in bodies:
                for media, doc in content.items():
                    if "example" in doc:
                        where = f"{method.upper()} {path} {status} {media}"
                        found.append((where, doc["example"], doc.get("schema", {})))
    return found


def test_every_published_example_validates_against_the_published_schema(
    spec: dict[str, Any],
) -> None:
    found = _published_examples(spec)
    assert len(found) > 20
    failures = {}
    for where, value, schema in found:
        assert schema, f"{where}: example without a schema"
        wrong = problems(value, schema, spec)
        if wrong:
            failures[where] = wrong[:5]
    assert not failures, failures


def test_every_schema_has_a_unique_clean_name(spec: dict[str, Any]) -> None:
    names = set(spec["components"]["schemas"])
    assert not [n for n in names if "__" in n or n.startswith("Body_")], names
    application = spec["components"]["schemas"]["Application"]
    municipality = resolve(application["properties"]["municipality"]["$ref"], spec)
    assert "motivated" in municipality["properties"]


def test_the_schema_check_catches_a_wrong_example(spec: dict[str, Any]) -> None:
    app = dict(example("application"), county=50)
    assert problems(app, {"$ref": "#/components/schemas/Application"}, spec)


@pytest.mark.parametrize(
    ("where", "value", "request_"),
    [
        ("BatchRequest", {"applications": []}, ("post", "/v1/evaluations:batch")),
        ("RankingRequest", {"applications": []}, ("post", "/v1/rankings")),
        ("cursor", "", ("get", "/v1/evaluations?cursor=")),
        ("cursor", "abc", ("get", "/v1/evaluations?cursor=abc")),
    ],
)
def test_the_schema_refuses_what_the_server_refuses(
    spec: dict[str, Any], api: TestClient, where: str, value: Any, request_: tuple[str, str]
) -> None:
    if where == "cursor":
        (param,) = [
            p for p in spec["paths"]["/v1/evaluations"]["get"]["parameters"] if p["name"] == where
        ]
        schema = param["schema"]
    else:
        schema = {"$ref": f"#/components/schemas/{where}"}
    assert problems(value, schema, spec), (where, value)
    method, path = request_
    r = api.request(method, path, json=value if method == "post" else None)
    assert r.status_code == 422
