"""The «Egne opplysninger» page: add a record, see it, correct it; refused input keeps nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from tests.api.web.conftest import csrf_of, settings_for
from tests.builders import SCHOOL_A


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("opplysninger")
    with TestClient(create_app(settings_for(folder)), base_url="https://testserver") as client:
        yield client


def _post(client: TestClient, **fields: str) -> object:
    token = csrf_of(client.get("/opplysninger").text)
    return client.post(
        "/opplysninger", data={"csrf_token": token, **fields}, follow_redirects=False
    )


def test_add_a_complaint_then_correct_it(client: TestClient) -> None:
    r = _post(client, type="klagesak", nummer=SCHOOL_A, year="2018", complex="nei")
    assert r.status_code == 303  # type: ignore[attr-defined]
    page = client.get("/opplysninger", params={"nr": SCHOOL_A}).text
    assert "1 opplysning som gjelder" in page and "klagesak" in page
    first = page.split('data-id="')[1].split('"')[0]
    r = _post(client, type="klagesak", nummer=SCHOOL_A, year="2019", replaces=first)
    assert r.status_code == 303  # type: ignore[attr-defined]
    page = client.get("/opplysninger", params={"nr": SCHOOL_A}).text
    assert "1 opplysning som gjelder" in page and ">2019<" in page and ">2018<" not in page


def test_a_supervision_of_the_municipality_with_deficiencies(client: TestClient) -> None:
    token = csrf_of(client.get("/opplysninger").text)
    r = client.post(
        "/opplysninger",
        data={"csrf_token": token, "type": "tilsyn", "nummer": "5001", "year": "2017",
              "avvik": ["praksis", "system"]},
        follow_redirects=False,
    )  # fmt: skip
    assert r.status_code == 303
    page = client.get("/opplysninger", params={"nr": "5001"}).text
    assert "praksis, system" in page


def test_bad_input_is_refused_with_norwegian_messages_and_nothing_stored(
    client: TestClient,
) -> None:
    r = _post(client, type="klagesak", nummer="123", year="18")
    assert r.status_code == 422  # type: ignore[attr-defined]
    text = r.text  # type: ignore[attr-defined]
    assert "Ingenting ble lagret" in text and "Året må være et årstall" in text
    assert (
        "Ingen opplysninger registrert for 123"
        in client.get("/opplysninger", params={"nr": "123"}).text
    )


def test_a_form_without_its_csrf_token_is_refused(client: TestClient) -> None:
    r = client.post("/opplysninger", data={"type": "sak"}, follow_redirects=False)
    assert r.status_code == 403
