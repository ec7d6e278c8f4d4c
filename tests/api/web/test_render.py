"""What every page shares (api/web/render.py): the role guard and the CSRF check."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.web.conftest import READER_KEY, ROOT, csrf_of, sign_in

EXAMPLES = ROOT / "examples"


def test_a_reader_may_read_but_not_evaluate(keyed_client: TestClient) -> None:
    sign_in(keyed_client, READER_KEY)
    assert keyed_client.get("/kriterier").status_code == 200
    assert keyed_client.get("/soknader.csv?fylke=50").status_code == 200
    r = keyed_client.get("/vurdering")
    assert r.status_code == 403 and "Ikke tilgang" in r.text
    token = csrf_of(keyed_client.get("/kriterier").text)
    text = (EXAMPLES / "trondheim-2020.yaml").read_text()
    r = keyed_client.post("/vurdering/fil", data={"csrf_token": token, "tekst": text})
    assert r.status_code == 403


def test_a_form_without_a_valid_csrf_token_is_refused(open_client: TestClient) -> None:
    open_client.get("/vurdering")
    text = (EXAMPLES / "namsos-2020.yaml").read_text()
    before = open_client.get("/soknader?fylke=50").text.count("data-rank=")
    for data in ({"tekst": text}, {"tekst": text, "csrf_token": "0" * 64}):
        r = open_client.post("/vurdering/fil", data=data, follow_redirects=False)
        assert r.status_code == 403 and "Skjemaet ble avvist" in r.text
    # a token from another visitor's session does not fit this one
    other = TestClient(open_client.app, base_url="https://testserver")
    foreign = csrf_of(other.get("/vurdering").text)
    r = open_client.post("/vurdering/fil", data={"tekst": text, "csrf_token": foreign})
    assert r.status_code == 403
    assert open_client.get("/soknader?fylke=50").text.count("data-rank=") == before
