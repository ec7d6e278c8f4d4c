"""The gate: key before body and query, known host names, no cross-site writes when open."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.http.gate import host_name, own_origin
from api.settings import Settings
from tests.api.conftest import ADMIN, CASEWORKER, KEYS, READER, auth, make_settings, unique_id
from tests.builders import baseline

BROKEN_MULTIPART = {"Content-Type": "multipart/form-data; boundary=x"}
EVIL = "https://evil.example"


@pytest.fixture(scope="module")
def keyed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """An app with a reader, a caseworker and an admin key."""
    folder = tmp_path_factory.mktemp("gate")
    with TestClient(create_app(make_settings(folder, api_keys=KEYS, workers=1))) as client:
        yield client


def _code(r: Any) -> str:
    assert r.headers["content-type"].startswith("application/problem+json"), r.text
    code: str = r.json()["errors"][0]["code"]
    return code


# --- the key before the body and the query (keys configured) -----------------------------


def test_a_survey_import_without_a_key_is_401_before_its_body_is_parsed(keyed: TestClient) -> None:
    # a garbage multipart body used to be parsed first and answered 422
    r = keyed.post("/v1/survey-imports", content=b"--x\r\nNone--x--\r\n", headers=BROKEN_MULTIPART)
    assert r.status_code == 401 and _code(r) == "MISSING_API_KEY"
    assert "bearer" in r.headers["www-authenticate"].lower()
    wrong = {**BROKEN_MULTIPART, "Authorization": "Bearer ukjent-nokkel-0123456789"}
    r = keyed.post("/v1/survey-imports", content=b"--x\r\nNone--x--\r\n", headers=wrong)
    assert r.status_code == 401 and _code(r) == "INVALID_API_KEY"


def test_a_survey_import_with_too_low_a_role_is_403_before_its_body_is_parsed(
    keyed: TestClient,
) -> None:
    for key in (READER, CASEWORKER):
        headers = {**BROKEN_MULTIPART, **auth(key)}
        r = keyed.post("/v1/survey-imports", content=b"--x\r\nNone--x--\r\n", headers=headers)
        assert r.status_code == 403 and _code(r) == "FORBIDDEN"
    # the admin gets to the body, and its fault is named
    headers = {**BROKEN_MULTIPART, **auth(ADMIN)}
    r = keyed.post("/v1/survey-imports", content=b"--x\r\nNone--x--\r\n", headers=headers)
    assert r.status_code == 422


@pytest.mark.parametrize(
    "path", ["/v1/evaluations?fylke=50", "/v1/survey-imports?limit=mange", "/v1/rulesets?x=1"]
)
def test_unknown_or_bad_query_parameters_without_a_key_are_401_not_422(
    keyed: TestClient, path: str
) -> None:
    r = keyed.get(path)
    assert r.status_code == 401 and _code(r) == "MISSING_API_KEY"
    assert keyed.head(path).status_code == 401
    assert keyed.get(path, headers=auth(READER)).status_code == 422


@pytest.mark.parametrize(
    ("path", "role_ok"),
    [
        ("/v1/evaluations", CASEWORKER),
        ("/v1/evaluations:batch", CASEWORKER),
        ("/v1/rankings", CASEWORKER),
        ("/v1/rulesets:reload", ADMIN),
    ],
)
def test_every_write_refuses_a_missing_key_or_a_low_role_before_the_body(
    keyed: TestClient, path: str, role_ok: str
) -> None:
    garbage = {"Content-Type": "application/json"}
    r = keyed.post(path, content=b"{ikke json", headers=garbage)
    assert r.status_code == 401 and _code(r) == "MISSING_API_KEY"
    r = keyed.post(path, content=b"{ikke json", headers={**garbage, **auth(READER)})
    assert r.status_code == 403 and _code(r) == "FORBIDDEN"
    if role_ok != ADMIN:  # reloading takes no body; the others now read it
        r = keyed.post(path, content=b"{ikke json", headers={**garbage, **auth(role_ok)})
        assert r.status_code == 422 and _code(r) == "INVALID_JSON"


def test_probes_need_no_key_and_a_keyed_service_answers_to_any_host_name(
    keyed: TestClient,
) -> None:
    assert keyed.get("/healthz").status_code == 200
    assert keyed.get("/healthz", headers={"Host": "utvalg.embete.example"}).status_code == 200


def test_a_keyed_service_reads_a_body_without_content_type_as_json(keyed: TestClient) -> None:
    body = json.dumps(dict(baseline(), id=unique_id("gate")), default=str).encode()
    r = keyed.post("/v1/evaluations", content=body, headers=auth(CASEWORKER))
    assert r.status_code == 201, r.text


# --- open (no keys): host names, cross-site writes, JSON content type ----------------------


def _application() -> bytes:
    return json.dumps(dict(baseline(), id=unique_id("gate")), default=str).encode()


JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize("host", ["evil.example", "rebound.example:8000", "10.0.0.7", ""])
def test_an_open_service_refuses_a_host_name_it_does_not_answer_to(
    api: TestClient, host: str
) -> None:
    for method, path in (("GET", "/healthz"), ("GET", "/"), ("POST", "/v1/evaluations")):
        r = api.request(method, path, headers={"Host": host, **JSON}, content=_application())
        assert r.status_code == 400 and _code(r) == "HOST_NOT_ALLOWED", (method, path)
        assert r.json()["errors"][0]["loc"] == ["header", "host"]


@pytest.mark.parametrize("host", ["localhost:8000", "127.0.0.1", "[::1]:8000", "testserver"])
def test_an_open_service_answers_to_loopback_names_and_the_one_it_listens_on(
    api: TestClient, host: str
) -> None:
    assert api.get("/healthz", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": EVIL},
        {"Origin": "null"},
        {"Origin": "http://testserver:8080"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": "http://testserver", "Sec-Fetch-Site": "cross-site"},
    ],
)
def test_an_open_service_refuses_writes_from_another_site(
    api: TestClient, headers: dict[str, str]
) -> None:
    writes: list[tuple[str, dict[str, Any]]] = [
        ("/v1/evaluations", {"content": _application(), "headers": JSON}),
        ("/v1/evaluations", {"content": _application()}),  # no content type, as a form sends
        ("/v1/rankings", {"content": b'{"county": "50"}', "headers": JSON}),
        (
            "/v1/rulesets:reload",
            {"content": b"a=1", "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
        ),
        ("/v1/survey-imports", {"files": {"file": ("eu.csv", b"x;y\n1;2\n", "text/csv")}}),
        ("/vurdering/fil", {"data": {"tekst": "round: pulje-5"}}),
        ("/vurdering", {"data": {"round": "pulje-5"}}),
    ]
    for path, kwargs in writes:
        extra = kwargs.pop("headers", {})
        r = api.post(path, headers={**extra, **headers}, **kwargs)
        assert r.status_code == 403 and _code(r) == "CROSS_ORIGIN", (path, r.text)


def test_an_open_service_takes_writes_from_its_own_pages_and_reads_from_anywhere(
    api: TestClient,
) -> None:
    own = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin", **JSON}
    assert api.post("/v1/evaluations", content=_application(), headers=own).status_code == 201
    assert api.get("/v1/rulesets", headers={"Origin": EVIL}).status_code == 200
    assert api.get("/healthz", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 200


def test_an_open_service_requires_a_json_content_type_for_json_bodies(api: TestClient) -> None:
    r = api.post("/v1/evaluations", content=_application())
    assert r.status_code == 415 and _code(r) == "UNSUPPORTED_MEDIA_TYPE"
    assert "mangler" in r.json()["errors"][0]["msg"]
    r = api.post("/v1/evaluations", content=_application(), headers={"Content-Type": "text/plain"})
    assert r.status_code == 415
    vendor = {"Content-Type": "application/vnd.utvalg+json; charset=utf-8"}
    assert api.post("/v1/evaluations", content=_application(), headers=vendor).status_code == 201


# --- the parts ------------------------------------------------------------------------------


def test_host_names_and_origins_are_compared_without_ports_and_case() -> None:
    assert host_name("LocalHost:8000") == "localhost"
    assert host_name("[::1]:8000") == "::1"
    assert host_name("::1") == "::1"
    assert own_origin("http", "127.0.0.1:80") == "http://127.0.0.1"
    assert own_origin("https", "Utvalg.Example:443") == "https://utvalg.example"
    assert own_origin("http", "localhost:8000") == "http://localhost:8000"


def test_the_host_names_setting(tmp_path: Any) -> None:
    open_ = Settings(api_keys="", bind_host="192.168.1.5")
    assert open_.host_names() == {"127.0.0.1", "localhost", "::1", "192.168.1.5"}
    assert Settings(api_keys=KEYS).host_names() is None  # any name, when keys guard it
    given = Settings(api_keys=KEYS, allowed_hosts="utvalg.embete.example, Localhost")
    assert given.host_names() == {"utvalg.embete.example", "localhost"}
