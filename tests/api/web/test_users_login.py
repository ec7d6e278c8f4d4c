"""Signing in as a named user on the pages: password, lockout, sign-out and a new password."""

from __future__ import annotations

import base64
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.api.web.conftest import (
    CASEWORKER_KEY,
    ROOT,
    USER_PASSWORD,
    csrf_of,
    sign_in,
    sign_in_user,
)
from tests.api.web.html_checks import check_page

EXAMPLE = ROOT / "examples" / "pulje-5" / "trondheim-2020.yaml"


def _basic(username: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def _stored(client: TestClient) -> int:
    engine = client.app.state.services.log.engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        count: int = conn.execute(text("SELECT COUNT(*) FROM evaluations")).scalar_one()
    return count


def _post_upload(client: TestClient, csrf: str, path: Path = EXAMPLE) -> object:
    return client.post(
        "/vurdering/fil",
        data={"csrf_token": csrf},
        files={"fil": (path.name, path.read_bytes(), "application/yaml")},
        follow_redirects=False,
    )


def test_users_without_keys_need_sign_in_with_a_password(users_client: TestClient) -> None:
    r = users_client.get("/vurdering", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/logg-inn")
    page = users_client.get("/logg-inn")
    check_page(page.text)
    assert 'name="brukernavn"' in page.text and 'name="passord"' in page.text
    assert 'name="api_key"' not in page.text  # no keys configured: no key form
    assert users_client.get("/v1/rulesets").status_code == 401  # the API is closed too


def test_a_user_signs_in_and_is_named_in_what_is_stored(users_client: TestClient) -> None:
    r = sign_in_user(users_client, "Kari", USER_PASSWORD, "/vurdering")
    assert r.status_code == 303 and r.headers["location"] == "/vurdering"
    assert USER_PASSWORD not in r.headers["set-cookie"]
    page = users_client.get("/vurdering")
    assert page.status_code == 200
    assert "Innlogget som <strong>kari</strong> (saksbehandler)" in page.text
    r = _post_upload(users_client, csrf_of(page.text))
    assert r.status_code == 303, r.text  # type: ignore[attr-defined]
    evaluation = r.headers["location"].rsplit("/", 1)[1]  # type: ignore[attr-defined]
    record = users_client.get(
        f"/v1/evaluations/{evaluation}/record", headers=_basic("lise", USER_PASSWORD)
    )
    assert record.status_code == 200 and record.json()["api_key"] == "kari"


def test_a_wrong_password_is_said_next_to_the_field(users_client: TestClient) -> None:
    r = sign_in_user(users_client, "lise", "feil-passord-her")
    assert r.status_code == 401
    assert 'id="f-passord-feil"' in r.text and "Feil brukernavn eller passord." in r.text
    assert 'value="lise"' in r.text  # the user name stays in the field
    r = sign_in_user(users_client, "ingen-slik", USER_PASSWORD)
    assert r.status_code == 401 and "Feil brukernavn eller passord." in r.text


def test_sign_out_ends_the_session_on_the_server(users_client: TestClient) -> None:
    sign_in_user(users_client, "kari", USER_PASSWORD)
    page = users_client.get("/vurdering")
    csrf, cookie = csrf_of(page.text), users_client.cookies["utvalg_okt"]
    r = users_client.post("/logg-ut", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/logg-inn"
    before = _stored(users_client)
    # the old cookie, kept by someone, opens nothing and stores nothing (issue 11 item 10)
    users_client.cookies.clear()
    users_client.cookies.set("utvalg_okt", cookie, domain="testserver")
    r = users_client.get("/vurdering", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/logg-inn")
    r = _post_upload(users_client, csrf)
    assert r.status_code in (303, 403)  # type: ignore[attr-defined]
    assert not r.headers.get("location", "").startswith("/vurderinger/")  # type: ignore[attr-defined]
    assert _stored(users_client) == before


def test_a_new_password_ends_the_users_sessions(users_client: TestClient) -> None:
    sign_in_user(users_client, "bytter", USER_PASSWORD)
    assert users_client.get("/vurdering", follow_redirects=False).status_code == 200
    users = users_client.app.state.services.users  # type: ignore[attr-defined]
    users.set_password("bytter", USER_PASSWORD + "-ny", "test")
    assert users_client.get("/vurdering", follow_redirects=False).status_code == 303
    r = sign_in_user(users_client, "bytter", USER_PASSWORD + "-ny")
    assert r.status_code == 303
    users.set_password("bytter", USER_PASSWORD, "test")


def test_five_wrong_passwords_lock_the_user_for_a_while(users_client: TestClient) -> None:
    for attempt in range(5):
        r = sign_in_user(users_client, "laast", f"feil-passord-{attempt}")
    assert r.status_code == 429
    assert "For mange mislykkede innlogginger for denne brukeren." in r.text
    assert "Prøv igjen om 15 minutter." in r.text
    r = sign_in_user(users_client, "laast", USER_PASSWORD)  # even the right password
    assert r.status_code == 429 and "Prøv igjen om" in r.text
    r = users_client.get("/v1/rulesets", headers=_basic("laast", USER_PASSWORD))
    assert r.status_code == 429 and r.json()["errors"][0]["code"] == "TOO_MANY_SIGN_IN_ATTEMPTS"
    assert int(r.headers["retry-after"]) > 0
    assert sign_in_user(users_client, "lise", USER_PASSWORD).status_code == 303  # others not


def test_the_api_takes_a_named_user_by_basic_auth(users_client: TestClient) -> None:
    r = users_client.get("/v1/rulesets", headers=_basic("lise", USER_PASSWORD))
    assert r.status_code == 200
    r = users_client.get("/v1/rulesets", headers=_basic("lise", "feil-passord"))
    assert r.status_code == 401 and r.json()["errors"][0]["code"] == "INVALID_CREDENTIALS"
    r = users_client.get("/v1/rulesets", headers={"Authorization": "Basic ikke-base64!"})
    assert r.status_code == 401
    r = users_client.post("/v1/rulesets:reload", headers=_basic("lise", USER_PASSWORD), json={})
    assert r.status_code == 403
    assert r.json()["errors"][0]["msg"].startswith("Brukeren «lise» har rollen leser")


def test_key_sign_out_ends_the_session_on_the_server(keyed_client: TestClient) -> None:
    sign_in(keyed_client, CASEWORKER_KEY)
    page = keyed_client.get("/vurdering")
    cookie = keyed_client.cookies["utvalg_okt"]
    keyed_client.post("/logg-ut", data={"csrf_token": csrf_of(page.text)})
    keyed_client.cookies.clear()
    keyed_client.cookies.set("utvalg_okt", cookie, domain="testserver")
    r = keyed_client.get("/vurdering", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/logg-inn")
