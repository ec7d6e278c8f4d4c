"""`/dokumentasjon` (api/web/pages/docs.py): the living documentation behind the pages."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.web.conftest import READER_KEY, sign_in


def test_the_criteria_link_to_the_living_documentation(open_client: TestClient) -> None:
    r = open_client.get("/kriterier")
    assert 'href="/dokumentasjon/">den levende dokumentasjonen</a>' in r.text
    assert 'href="/dokumentasjon/kriterium-k1.html">Scenarioer for K1' in r.text
    assert 'href="/dokumentasjon/">Scenarioer for K2' in r.text  # no page of its own (yet)
    page = open_client.get("/dokumentasjon/kriterium-k1.html")
    assert page.status_code == 200 and "Scenarioer" in page.text
    assert open_client.get("/dokumentasjon/").text.startswith("<!doctype html><title>Levende")
    assert open_client.get("/dokumentasjon", follow_redirects=False).status_code == 303
    for escape in ("/dokumentasjon/%2e%2e/hemmelig.txt", "/dokumentasjon/..%2fhemmelig.txt"):
        r = open_client.get(escape)
        assert r.status_code == 404 and "ikke del av" not in r.text


def test_without_generated_documentation_there_is_no_link(keyed_client: TestClient) -> None:
    sign_in(keyed_client, READER_KEY)
    r = keyed_client.get("/kriterier")
    assert "/dokumentasjon/" not in r.text and "utvalg docs --out" in r.text
    r = keyed_client.get("/dokumentasjon/")
    assert r.status_code == 404 and "Dokumentasjonen er ikke laget ennå" in r.text
