"""Every refusal is application/problem+json with `errors`; bad input is 422 (413 for size)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.builders import baseline, changed, org_number

PROBLEM = "application/problem+json"


def problem(r: Any, status: int) -> dict[str, Any]:
    """Assert a problem response and return its body."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM
    body: dict[str, Any] = r.json()
    assert body["status"] == status and body["title"] and body["detail"]
    for e in body["errors"]:
        assert set(e) >= {"loc", "code", "msg"} and isinstance(e["loc"], list)
    return body


def codes(body: dict[str, Any]) -> list[str]:
    """The error codes of a problem body."""
    return [e["code"] for e in body["errors"]]


@pytest.mark.parametrize(
    ("content", "ctype", "code"),
    [
        (b'{"id": "x",', "application/json", "INVALID_JSON"),
        (b"", "application/json", "EMPTY_BODY"),
        (b"\xff\xfe{}", "application/json", "INVALID_ENCODING"),
        (b'{"id": "a", "id": "b"}', "application/json", "DUPLICATE_KEY"),
        (b"[1, 2]", "application/json", None),
        (b'"tekst"', "application/json", None),
        (b"[" * 100_000, "application/json", "INVALID_JSON"),
    ],
)
def test_unreadable_bodies_are_422_never_500(
    api: TestClient, content: bytes, ctype: str, code: str | None
) -> None:
    for path in ("/v1/evaluations", "/v1/evaluations:batch", "/v1/rankings"):
        body = problem(api.post(path, content=content, headers={"content-type": ctype}), 422)
        if code is not None:
            assert code in codes(body)


@pytest.mark.parametrize(
    ("content", "ctype"),
    [(b"id: x", "application/x-www-form-urlencoded"), (b"<xml/>", "text/xml")],
)
def test_a_body_that_is_not_json_is_415(api: TestClient, content: bytes, ctype: str) -> None:
    for path in ("/v1/evaluations", "/v1/evaluations:batch", "/v1/rankings"):
        body = problem(api.post(path, content=content, headers={"content-type": ctype}), 415)
        assert codes(body) == ["UNSUPPORTED_MEDIA_TYPE"]
        assert "støttes ikke" in body["errors"][0]["msg"]


def test_malformed_json_names_line_and_column(api: TestClient) -> None:
    body = problem(
        api.post(
            "/v1/evaluations",
            content=b'{\n  "id": "x",\n  "round" "pulje-5"\n}',
            headers={"content-type": "application/json"},
        ),
        422,
    )
    (e,) = body["errors"]
    assert (e["line"], e["column"]) == (3, 11)
    assert "linje 3" in e["msg"]


def test_an_invalid_application_lists_every_problem_with_positions(api: TestClient) -> None:
    data = changed(
        county="99",
        received="i går",
        **{"schools.0.org_number": "123456789", "schools.1.bullying.0.percent": 140},
    )
    data["ukjent"] = True
    body = problem(
        api.post(
            "/v1/evaluations",
            content=json.dumps(data, indent=2),
            headers={"content-type": "application/json"},
        ),
        422,
    )
    locs = {tuple(e["loc"]) for e in body["errors"]}
    assert {
        ("county",),
        ("received",),
        ("schools", 0, "org_number"),
        ("schools", 1, "bullying", 0, "percent"),
        ("ukjent",),
    } <= locs
    assert all("line" in e and "column" in e for e in body["errors"])
    assert any("Ukjent felt" in e["msg"] for e in body["errors"])  # Norwegian messages


def test_a_body_over_1_mib_is_413(api: TestClient) -> None:
    big = json.dumps({"applications": [baseline()] * 2000}).encode()
    assert len(big) > 1024 * 1024
    for path in ("/v1/evaluations", "/v1/evaluations:batch", "/v1/rankings"):
        body = problem(
            api.post(path, content=big, headers={"content-type": "application/json"}), 413
        )
        assert codes(body) == ["BODY_TOO_LARGE"]
        assert "1 MiB" in body["errors"][0]["msg"]


def test_a_chunked_body_over_the_limit_is_413_too(api: TestClient) -> None:
    def chunks() -> Any:
        for _ in range(40):
            yield b" " * 32_768

    r = api.post("/v1/evaluations", content=chunks(), headers={"content-type": "application/json"})
    assert codes(problem(r, 413)) == ["BODY_TOO_LARGE"]


def test_an_application_over_500_units_is_422(api: TestClient) -> None:
    data = baseline()
    template = data["kindergartens"][0]
    data["kindergartens"] = [
        dict(template, org_number=org_number(1000 + i), name=f"Barnehage {i}") for i in range(499)
    ]
    assert len(data["schools"]) + len(data["kindergartens"]) == 501
    body = problem(api.post("/v1/evaluations", json=data), 422)
    assert codes(body) == ["TOO_MANY_UNITS"]
    assert "500" in body["errors"][0]["msg"]
    data["kindergartens"] = data["kindergartens"][:498]  # exactly 500: accepted
    assert api.post("/v1/evaluations", json=data).status_code == 201


def test_a_batch_over_1000_applications_is_422(api: TestClient) -> None:
    tiny = {
        "round": "pulje-5",
        "county": "50",
        "municipality": {"number": "5001", "name": "T"},
    }
    body = problem(api.post("/v1/evaluations:batch", json={"applications": [tiny] * 1001}), 422)
    assert codes(body) == ["TOO_MANY_APPLICATIONS"]
    body = problem(api.post("/v1/rankings", json={"applications": [tiny] * 1001}), 422)
    assert codes(body) == ["TOO_MANY_APPLICATIONS"]


def test_batch_body_must_be_an_object_with_applications(api: TestClient) -> None:
    assert codes(problem(api.post("/v1/evaluations:batch", json=[baseline()]), 422)) == [
        "INVALID_TYPE"
    ]
    body = problem(api.post("/v1/evaluations:batch", json={"apps": []}), 422)
    assert codes(body) == ["UNKNOWN_FIELD", "MISSING_FIELD"]


def test_unknown_paths_and_methods_are_problems(api: TestClient) -> None:
    assert codes(problem(api.get("/v2/evaluations"), 404)) == ["NOT_FOUND"]
    assert codes(problem(api.delete("/v1/evaluations/x"), 405)) == ["METHOD_NOT_ALLOWED"]
    assert codes(problem(api.get("/v1/rulesets/pulje-9"), 404)) == ["RULESET_NOT_FOUND"]


def test_a_log_that_cannot_be_written_is_503_and_nothing_is_claimed(client_factory: Any) -> None:
    client = client_factory()
    engine = client.app.state.services.log.engine
    with engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE evaluations RENAME TO evaluations_gone")
    data = dict(baseline(), id="lagres-ikke")
    body = problem(client.post("/v1/evaluations", json=data), 503)
    assert codes(body) == ["LOG_UNAVAILABLE"]
    body = problem(client.post("/v1/evaluations:batch", json={"applications": [data]}), 503)
    assert codes(body) == ["LOG_UNAVAILABLE"]


# --- hostile values: a 422 naming the field, never a 500 ------------------------------------


def _post_text(api: TestClient, path: str, text: str) -> Any:
    return api.post(path, content=text.encode(), headers={"Content-Type": "application/json"})


@pytest.mark.parametrize("field", ["percent", "year", "respondents"])
def test_an_integer_of_five_thousand_digits_is_a_422_naming_its_field(
    api: TestClient, field: str
) -> None:
    app = baseline()
    app["schools"][0]["bullying"][0][field] = 12345
    text = json.dumps(app).replace("12345", "9" * 5000, 1)
    body = problem(_post_text(api, "/v1/evaluations", text), 422)
    assert [e["loc"] for e in body["errors"]] == [["schools", 0, "bullying", 0, field]]


LONE = "\ud800"


@pytest.mark.parametrize(
    ("path", "data", "loc"),
    [
        (
            "/v1/evaluations",
            changed(**{"municipality.name": f"Tr{LONE}ondheim"}),
            ["municipality", "name"],
        ),
        ("/v1/evaluations", {**baseline(), f"{LONE}x": 1}, ["\ufffdx"]),
        (
            "/v1/evaluations:batch",
            {"applications": [changed(**{"schools.0.name": LONE})]},
            ["applications", 0, "schools", 0, "name"],
        ),
        (
            "/v1/rankings",
            {"applications": [changed(**{"municipality.name": LONE})]},
            ["applications", 0, "municipality", "name"],
        ),
        ("/v1/rankings", {"applications": [baseline()], LONE: 1}, ["\ufffd"]),
    ],
)
def test_a_lone_surrogate_is_a_422_naming_the_field_and_the_answer_can_be_encoded(
    api: TestClient, path: str, data: Any, loc: list[Any]
) -> None:
    # json.dumps writes the lone surrogate as the escape \ud800, as a hostile client would
    body = problem(_post_text(api, path, json.dumps(data)), 422)
    assert codes(body) == ["BAD_CHARACTER"]
    assert body["errors"][0]["loc"] == loc
    assert "U+D800" in body["errors"][0]["msg"]


@pytest.mark.parametrize("cursor", ["²", "9" * 25, "x1"])
def test_an_odd_cursor_is_a_422_not_a_500(api: TestClient, cursor: str) -> None:
    # found by benchmarks/schemathesis_run.py: «²».isdigit() and 25 digits overflowed SQLite
    body = problem(api.get("/v1/evaluations", params={"cursor": cursor}), 422)
    assert codes(body) == ["INVALID_CURSOR"]
