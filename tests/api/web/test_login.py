"""`/logg-inn` and `/logg-ut` (api/web/pages/login.py): sign-in, sessions, sign-out."""

from __future__ import annotations

import base64
import json

from fastapi.testclient import TestClient

from tests.api.web.conftest import CASEWORKER_KEY, READER_KEY, csrf_of, sign_in
from tests.api.web.html_checks import check_page


def test_pages_need_sign_in_when_keys_are_configured(keyed_client: TestClient) -> None:
    for path in ("/kriterier", "/vurdering", "/soknader?fylke=50", "/soknader.xlsx?fylke=50"):
        r = keyed_client.get(path, follow_redirects=False)
        assert r.status_code == 303, path
        assert r.headers["location"].startswith("/logg-inn?neste=%2F")
    page = keyed_client.get("/logg-inn")
    assert page.status_code == 200
    check_page(page.text)
    assert 'type="password" id="f-api_key" name="api_key"' in page.text


def test_sign_in_sets_a_secure_http_only_cookie_and_goes_on(keyed_client: TestClient) -> None:
    r = sign_in(keyed_client, CASEWORKER_KEY, "/soknader?fylke=50")
    assert r.status_code == 303 and r.headers["location"] == "/soknader?fylke=50"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("utvalg_okt=")
    for attribute in ("HttpOnly", "Secure", "SameSite=lax", "Path=/"):
        assert attribute.lower() in cookie.lower()
    assert CASEWORKER_KEY not in cookie  # the key itself is never in the cookie
    r = keyed_client.get("/vurdering")
    assert r.status_code == 200 and "Innlogget som" in r.text and "saksbehandler" in r.text


def test_a_wrong_key_is_refused_next_to_the_field(keyed_client: TestClient) -> None:
    r = sign_in(keyed_client, "feil-nokkel-0123456789")
    assert r.status_code == 401
    assert 'id="f-api_key-feil"' in r.text and "API-nøkkelen er ukjent" in r.text
    assert keyed_client.get("/kriterier", follow_redirects=False).status_code == 303


def test_a_tampered_session_cookie_is_not_trusted(keyed_client: TestClient) -> None:
    token_page = keyed_client.get("/logg-inn")
    r = keyed_client.post(
        "/logg-inn",
        data={"csrf_token": csrf_of(token_page.text), "api_key": READER_KEY, "neste": "/"},
        follow_redirects=False,
    )
    cookie = r.cookies["utvalg_okt"]
    body, sig = cookie.split(".")
    data = json.loads(base64.urlsafe_b64decode(body + "=="))
    data["r"] = "admin"
    forged = base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    keyed_client.cookies.clear()
    keyed_client.cookies.set("utvalg_okt", f"{forged}.{sig}", domain="testserver")
    r = keyed_client.get("/vurdering", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/logg-inn")


def test_sign_out_ends_the_session(keyed_client: TestClient) -> None:
    sign_in(keyed_client, CASEWORKER_KEY)
    page = keyed_client.get("/kriterier")
    r = keyed_client.post(
        "/logg-ut", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"] == "/logg-inn"
    assert keyed_client.get("/kriterier", follow_redirects=False).status_code == 303


def test_sign_in_goes_only_to_pages_on_this_site(keyed_client: TestClient) -> None:
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        r = sign_in(keyed_client, CASEWORKER_KEY, target)
        assert r.status_code == 303 and r.headers["location"] == "/"


def test_without_keys_there_is_no_sign_in(open_client: TestClient) -> None:
    r = open_client.get("/logg-inn?neste=/soknader", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/soknader"
    r = open_client.get("/kriterier")
    assert "Logg ut" not in r.text and "Innlogget som" not in r.text
