"""HEAD, OPTIONS and Allow on every path; unknown query parameters are refused."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.http.test_errors import codes, problem

ALLOW = {
    "/v1/evaluations": "GET, HEAD, POST, OPTIONS",
    "/v1/evaluations/x": "GET, HEAD, OPTIONS",
    "/v1/evaluations/x/record": "GET, HEAD, OPTIONS",
    "/v1/evaluations/x:replay": "POST, OPTIONS",
    "/v1/evaluations:batch": "POST, OPTIONS",
    "/v1/rankings": "POST, OPTIONS",
    "/v1/rulesets": "GET, HEAD, OPTIONS",
    "/v1/rulesets:reload": "POST, OPTIONS",
    "/healthz": "GET, HEAD, OPTIONS",
    "/docs": "GET, HEAD, OPTIONS",
}


@pytest.mark.parametrize(("path", "allow"), ALLOW.items())
def test_options_answers_204_with_every_method_of_the_path(
    api: TestClient, path: str, allow: str
) -> None:
    r = api.options(path)
    assert r.status_code == 204
    assert r.headers["allow"] == allow
    assert r.content == b""


@pytest.mark.parametrize(("path", "allow"), ALLOW.items())
def test_a_wrong_method_is_405_with_the_same_allow(api: TestClient, path: str, allow: str) -> None:
    r = api.delete(path)
    assert codes(problem(r, 405)) == ["METHOD_NOT_ALLOWED"]
    assert r.headers["allow"] == allow
    assert "tillatt er" in r.json()["detail"]


def test_options_on_an_unknown_path_is_404(api: TestClient) -> None:
    problem(api.options("/v2/ingenting"), 404)


@pytest.mark.parametrize("path", ["/healthz", "/v1/rulesets", "/v1/evaluations", "/docs"])
def test_head_is_get_without_the_body(api: TestClient, path: str) -> None:
    get, head = api.get(path), api.head(path)
    assert get.status_code == head.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers["content-length"] == get.headers["content-length"]


def test_head_where_only_post_is_allowed_is_405(api: TestClient) -> None:
    r = api.head("/v1/rankings")
    assert r.status_code == 405
    assert r.headers["allow"] == "POST, OPTIONS"


def test_get_on_replay_is_not_read_as_an_evaluation_id(api: TestClient) -> None:
    r = api.get("/v1/evaluations/ev-123:replay")
    assert codes(problem(r, 405)) == ["METHOD_NOT_ALLOWED"]
    assert r.headers["allow"] == "POST, OPTIONS"


def test_unknown_query_parameters_are_refused_naming_the_allowed(api: TestClient) -> None:
    body = problem(api.get("/v1/evaluations", params={"fylke": "50", "county": "50"}), 422)
    (e,) = body["errors"]
    assert (e["code"], e["loc"]) == ("UNKNOWN_PARAMETER", ["query", "fylke"])
    assert "«fylke»" in e["msg"] and "«county»" in e["msg"] and "«cursor»" in e["msg"]
    body = problem(api.get("/v1/rulesets", params={"x": "1"}), 422)
    assert "ingen parametere" in body["errors"][0]["msg"]
    assert api.get("/v1/evaluations", params={"county": "50"}).status_code == 200
