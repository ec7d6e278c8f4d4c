"""API keys and roles: 401 without a valid key, 403 for a role too low, the key never logged."""

from __future__ import annotations

import argparse
import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.cli.serve import cmd_serve, is_loopback
from api.keys import KeyRing
from api.settings import ApiKey, Settings, parse_api_keys
from tests.api.conftest import (
    ADMIN,
    CASEWORKER,
    KEYS,
    READER,
    auth,
    make_settings,
    secret,
    unique_id,
)
from tests.builders import baseline

READS = [
    ("GET", "/v1/rulesets"),
    ("GET", "/v1/rulesets/pulje-5"),
    ("GET", "/v1/evaluations"),
]
EVALUATES = [
    ("POST", "/v1/evaluations"),
    ("POST", "/v1/evaluations:batch"),
    ("POST", "/v1/rankings"),
]
ADMINISTERS = [("POST", "/v1/rulesets:reload")]


def body_for(path: str) -> Any:
    """A valid body for each POST route."""
    app = dict(baseline(), id=unique_id())
    if path == "/v1/evaluations":
        return app
    if path.endswith(":reload"):
        return None
    return {"applications": [app]}


def call(client: TestClient, method: str, path: str, headers: dict[str, str]) -> Any:
    """Send one request with a valid body."""
    if method == "GET":
        return client.get(path, headers=headers)
    return client.post(path, json=body_for(path), headers=headers)


@pytest.fixture(scope="module")
def keyed(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """An app with three keys: reader, caseworker, admin."""
    folder = tmp_path_factory.mktemp("keyed")
    with TestClient(create_app(make_settings(folder, api_keys=KEYS))) as client:
        yield client


@pytest.mark.parametrize(("method", "path"), READS + EVALUATES + ADMINISTERS)
def test_no_key_or_a_wrong_key_is_401(keyed: TestClient, method: str, path: str) -> None:
    for headers, code in (
        ({}, "MISSING_API_KEY"),
        ({"Authorization": "Bearer feil-nokkel-som-er-lang-nok"}, "INVALID_API_KEY"),
        ({"Authorization": "Token dXNlcjpwYXNz"}, "MISSING_API_KEY"),
    ):
        r = call(keyed, method, path, headers)
        assert r.status_code == 401
        assert r.headers["content-type"] == "application/problem+json"
        assert r.headers["www-authenticate"].startswith("Bearer")
        assert r.json()["errors"][0]["code"] == code


@pytest.mark.parametrize(
    ("key", "allowed"),
    [
        (READER, READS),
        (CASEWORKER, READS + EVALUATES),
        (ADMIN, READS + EVALUATES + ADMINISTERS),
    ],
)
def test_each_role_reaches_exactly_its_routes(
    keyed: TestClient, key: str, allowed: list[tuple[str, str]]
) -> None:
    for method, path in READS + EVALUATES + ADMINISTERS:
        r = call(keyed, method, path, auth(key))
        if (method, path) in allowed:
            assert r.status_code in (200, 201), (key, path, r.text)
        else:
            assert r.status_code == 403, (key, path)
            assert r.headers["content-type"] == "application/problem+json"
            assert r.json()["errors"][0]["code"] == "FORBIDDEN"


def test_x_api_key_header_works_and_the_log_names_the_key_not_the_secret(
    keyed: TestClient,
) -> None:
    data = dict(baseline(), id=unique_id())
    r = keyed.post("/v1/evaluations", json=data, headers={"X-API-Key": secret(CASEWORKER)})
    assert r.status_code == 201
    record = keyed.get(
        f"/v1/evaluations/{r.headers['utvalg-evaluation-id']}/record", headers=auth(READER)
    ).json()
    assert record["api_key"] == "saksbehandling"
    listed = keyed.get("/v1/evaluations", headers=auth(READER)).text
    assert secret(CASEWORKER) not in listed


def test_health_and_docs_need_no_key(keyed: TestClient) -> None:
    for path in ("/healthz", "/readyz", "/openapi.json", "/docs"):
        assert keyed.get(path).status_code == 200, path


def test_secrets_never_reach_the_logs(keyed: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    keyed.post("/v1/evaluations", json=dict(baseline(), id=unique_id()), headers=auth(CASEWORKER))
    keyed.post("/v1/rulesets:reload", headers=auth(CASEWORKER))
    keyed.get("/v1/evaluations", headers={"Authorization": "Bearer gjettet-nokkel-1234567890"})
    for entry in (READER, CASEWORKER, ADMIN):
        assert secret(entry) not in caplog.text
    assert "gjettet-nokkel" not in caplog.text
    assert secret(ADMIN) not in repr(Settings(api_keys=KEYS))
    assert secret(ADMIN) not in repr(Settings(api_keys=KEYS).keys())


def test_key_lookup_compares_every_key() -> None:
    ring = KeyRing(parse_api_keys(KEYS))
    found = ring.lookup(secret(CASEWORKER))
    assert found is not None and (found.name, found.role) == ("saksbehandling", "caseworker")
    assert ring.lookup(secret(CASEWORKER) + "x") is None
    assert ring.lookup("") is None
    assert KeyRing([]).open


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("reader", "navn:rolle:nøkkel"),
        ("a:boss:0123456789abcdef0", "ukjent rolle"),
        ("a:reader:kort", "kortere enn 16"),
        ("a:reader:blåbærsyltetøy-med-fløte", "ASCII"),
        ("a:reader:0123456789abcdef0,a:admin:0123456789abcdef1", "flere ganger"),
    ],
)
def test_bad_key_settings_are_refused(text: str, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        parse_api_keys(text)


def test_key_settings_accept_role_and_secret_without_a_name() -> None:
    (key,) = parse_api_keys("  caseworker:0123456789abcdef  ")
    assert key.role == "caseworker" and key.name.startswith("nøkkel-")
    assert key == ApiKey(key.name, "caseworker", "0123456789abcdef")


def serve_args(**over: Any) -> argparse.Namespace:
    """Arguments of `utvalg serve`."""
    values: dict[str, Any] = dict(
        host="127.0.0.1",
        port=0,
        rules=None,
        workers=None,
        watch=False,
        seed_examples=False,
        no_access_log=True,
    )
    values.update(over)
    return argparse.Namespace(**values)


def test_serve_refuses_a_public_bind_without_keys(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("UTVALG_API_KEYS", raising=False)
    started: list[Any] = []
    monkeypatch.setattr("uvicorn.run", lambda *a, **k: started.append(a))
    assert cmd_serve(serve_args(host="0.0.0.0")) == 2
    assert "Nekter å lytte på 0.0.0.0 uten API-nøkler" in capsys.readouterr().err
    assert started == []


def test_serve_without_keys_binds_loopback_and_says_so(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    monkeypatch.delenv("UTVALG_API_KEYS", raising=False)
    monkeypatch.setenv("UTVALG_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    started: list[dict[str, Any]] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **k: started.append(k))
    assert cmd_serve(serve_args()) == 0
    assert "Ingen API-nøkler er satt" in capsys.readouterr().err
    assert started[0]["host"] == "127.0.0.1"


def test_serve_with_keys_may_bind_anywhere(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    monkeypatch.setenv("UTVALG_API_KEYS", KEYS)
    monkeypatch.setenv("UTVALG_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    started: list[dict[str, Any]] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **k: started.append(k))
    assert cmd_serve(serve_args(host="0.0.0.0")) == 0
    err = capsys.readouterr().err
    assert "saksbehandling (caseworker)" in err
    assert secret(CASEWORKER) not in err
    assert started[0]["host"] == "0.0.0.0"


def test_serve_refuses_bad_key_settings(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("UTVALG_API_KEYS", "a:boss:0123456789abcdef0")
    assert cmd_serve(serve_args()) == 2
    assert "ukjent rolle" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.0.0.2", True), ("::1", True), ("localhost", True)]
    + [("0.0.0.0", False), ("10.0.0.5", False), ("::", False), ("example.org", False)],
)
def test_loopback_detection(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
