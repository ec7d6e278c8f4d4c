"""Fixtures for the web pages: an app under TestClient, and a real server for the browser."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings

ROOT = Path(__file__).resolve().parents[3]
CASEWORKER_KEY = "saksbehandler-nokkel-0123456789"
READER_KEY = "leser-nokkel-0123456789abcdef"
KEYS = f"saksbehandler:caseworker:{CASEWORKER_KEY},leser:reader:{READER_KEY}"
# a second round beside pulje-5: its own id, title and labels, as policy staff may write them
OTHER_ROUND = "provelop"
OTHER_TITLE = "Læringsmiljøprosjektet, prøveløpet"
OTHER_RULESET = {
    "id: pulje-5": f"id: {OTHER_ROUND}",
    "title: Læringsmiljøprosjektet, pulje 5": f"title: {OTHER_TITLE}",
    "    recommended: Anbefalt": "    recommended: Tilrådd",
    "    met: oppfylt": "    met: innfridd",
}


def settings_for(folder: Path, **overrides: object) -> Settings:
    """Settings for a test app: its own SQLite file, the repository's rules and examples."""
    values: dict[str, object] = {
        "database_url": f"sqlite:///{folder / 'utvalg.db'}",
        "rules_dir": ROOT / "rules",
        "examples_dir": ROOT / "examples",
        "workers": 1,
        "api_keys": "",
        # the TestClient's host: an open service answers only to the names it listens on
        "bind_host": "testserver",
        "docs_dir": folder / "dokumentasjon",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def upload(client: TestClient, path: Path) -> str:
    """Upload an application file through the page; the decision's address."""
    page = client.get("/vurdering")
    r = client.post(
        "/vurdering/fil",
        data={"csrf_token": csrf_of(page.text)},
        files={"fil": (path.name, path.read_bytes(), "application/yaml")},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    location = r.headers["location"]
    assert location.startswith("/vurderinger/ev-")
    return location


def sign_in(client: TestClient, key: str, next_path: str = "/") -> object:
    """Sign in with a key through the sign-in form; the response to the posted form."""
    page = client.get("/logg-inn")
    return client.post(
        "/logg-inn",
        data={"csrf_token": csrf_of(page.text), "api_key": key, "neste": next_path},
        follow_redirects=False,
    )


@pytest.fixture(scope="package")
def open_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """No keys configured (loopback mode), the examples already in the decision log."""
    folder = tmp_path_factory.mktemp("open")
    docs = folder / "dokumentasjon"  # as `utvalg docs --out` leaves it
    docs.mkdir()
    (docs / "index.html").write_text("<!doctype html><title>Levende dokumentasjon</title>")
    (docs / "kriterium-k1.html").write_text("<!doctype html><title>K1</title><p>Scenarioer</p>")
    (folder / "hemmelig.txt").write_text("ikke del av dokumentasjonen")
    app = create_app(settings_for(folder, seed_examples=True))
    # https: the session cookie is Secure, and a client sends it only over TLS
    with TestClient(app, base_url="https://testserver") as client:
        yield client


@pytest.fixture(scope="package")
def keyed_app_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """Keys configured: the pages need a signed-in visitor."""
    folder = tmp_path_factory.mktemp("keyed")
    app = create_app(settings_for(folder, api_keys=KEYS, seed_examples=True))
    with TestClient(app, base_url="https://testserver") as client:
        yield client


@pytest.fixture
def keyed_client(keyed_app_client: TestClient) -> Iterator[TestClient]:
    """The keyed app with an empty cookie jar for each test."""
    keyed_app_client.cookies.clear()
    yield keyed_app_client
    keyed_app_client.cookies.clear()


@pytest.fixture(scope="package")
def two_rounds_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """pulje-5 and a copy under another id, title and labels (OTHER_RULESET); no keys."""
    folder = tmp_path_factory.mktemp("two-rounds")
    rules = folder / "rules"
    shutil.copytree(ROOT / "rules" / "pulje-5", rules / "pulje-5")
    shutil.copytree(ROOT / "rules" / "pulje-5", rules / OTHER_ROUND)
    ruleset = rules / OTHER_ROUND / "ruleset.yaml"
    text = ruleset.read_text()
    for old, new in OTHER_RULESET.items():
        assert old in text, old
        text = text.replace(old, new)
    ruleset.write_text(text)
    app = create_app(settings_for(folder, rules_dir=rules))
    with TestClient(app, base_url="https://testserver") as client:
        yield client


USER_PASSWORD = "et-langt-passord-for-test"
USERS = {"kari": "caseworker", "lise": "reader", "laast": "caseworker", "bytter": "caseworker"}


@pytest.fixture(scope="package")
def users_app_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """Named users and no keys: the pages need a user signed in with a password."""
    folder = tmp_path_factory.mktemp("users")
    app = create_app(settings_for(folder, test_cheap_passwords=True))
    with TestClient(app, base_url="https://testserver") as client:
        for name, role in USERS.items():
            app.state.services.users.add(name, role, USER_PASSWORD, "test")
        yield client


@pytest.fixture
def users_client(users_app_client: TestClient) -> Iterator[TestClient]:
    """The users' app with an empty cookie jar for each test."""
    users_app_client.cookies.clear()
    yield users_app_client
    users_app_client.cookies.clear()


def sign_in_user(client: TestClient, username: str, password: str, next_path: str = "/") -> Any:
    """Sign in with user name and password through the form; the response to the post."""
    page = client.get("/logg-inn")
    return client.post(
        "/logg-inn",
        data={
            "csrf_token": csrf_of(page.text),
            "brukernavn": username,
            "passord": password,
            "neste": next_path,
        },
        follow_redirects=False,
    )
