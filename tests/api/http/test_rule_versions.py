"""Published rule versions over HTTP, on SQLite and PostgreSQL, with two apps on one database."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from api.rules_versions import MAX_NOTE
from api.store.rule_versions import RULE_TABLES
from tests.api.conftest import KEYS, READER, auth
from tests.builders import changed, ruleset

# a long file: the test processes start it first (tests/conftest.py)
pytestmark = pytest.mark.heavy

SELECTION = "Utdanningsdirektoratet velger kommunene i april 2020."


def _new_selection(version: str, note: str = "Ny tekst om Udirs utvalg.") -> dict[str, Any]:
    """The body that publishes `version` with a new round.selection text."""
    return {
        "version": version,
        "note": note,
        "parameters": {"ruleset": {"round.selection": SELECTION}},
    }


def _rows(client: TestClient) -> dict[str, int]:
    engine = client.app.state.services.log.engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        return {
            t: conn.execute(select(func.count()).select_from(text(t))).scalar_one()
            for t in RULE_TABLES
        }


def _in_use(client: TestClient) -> tuple[str, str]:
    (rs,) = client.get("/v1/rulesets").json()["rulesets"]
    return rs["version"], rs["digest"]


def test_publish_refusals_store_nothing_then_publish_and_roll_back_on_two_apps(
    client_factory: Callable[..., TestClient], database_url: str
) -> None:
    first = client_factory(database_url=database_url, rules_refresh_seconds=0)
    second = client_factory(database_url=database_url, rules_refresh_seconds=0)
    files = ruleset()
    listed = first.get("/v1/rulesets/pulje-5/versions").json()
    assert listed["in_force"] == files.version
    assert [(v["version"], v["source"], v["in_force"]) for v in listed["versions"]] == [
        (files.version, "filer", True)
    ]
    empty = _rows(first)

    r = first.post("/v1/rulesets/pulje-5/versions", json={"version": " ", "note": ""})
    assert r.status_code == 422
    assert [e["code"] for e in r.json()["errors"]] == ["VERSION_REQUIRED", "NOTE_REQUIRED"]
    r = first.post(
        "/v1/rulesets/pulje-5/versions", json={"version": files.version, "note": "Samme nummer."}
    )
    assert [e["code"] for e in r.json()["errors"]] == ["VERSION_EXISTS"]
    # K1's margin changed without its scenarios: the gate refuses it, naming the feature file
    r = first.post(
        "/v1/rulesets/pulje-5/versions",
        json={
            "version": "2020.2",
            "note": "Lavere terskel.",
            "parameters": {"K1": {"margin": 2.5}},
        },
    )
    assert r.status_code == 422, r.text
    failed = r.json()["errors"]
    assert {e["code"] for e in failed} == {"SCENARIO_FAILED"}
    assert all(e["file"] == "features/k1-hoye-mobbetall.feature" for e in failed)
    assert _rows(first) == empty and _in_use(first) == (files.version, files.digest)

    r = first.post("/v1/rulesets/pulje-5/versions", json=_new_selection("2020.2"))
    assert r.status_code == 201, r.text
    published = r.json()["version"]
    assert published["version"] == "2020.2" and published["based_on"] == files.version
    assert published["in_force"] and published["digest"] != files.digest
    # both instances serve the new version; new decisions name it
    assert _in_use(first) == _in_use(second) == ("2020.2", published["digest"])
    decided = second.post("/v1/evaluations", json=changed(id="etter-publisering")).json()
    assert decided["ruleset"]["version"] == "2020.2"
    assert SELECTION in second.get("/v1/rulesets/pulje-5").json()["round"]["selection"]
    page = second.get("/kriterier")
    assert page.status_code == 200 and "2020.2" in page.text

    history = second.get("/v1/rulesets/pulje-5/versions").json()
    assert [(v["version"], v["in_force"]) for v in history["versions"]] == [
        (files.version, False),
        ("2020.2", True),
    ]
    assert [a["kind"] for a in history["activations"]] == ["publish"]
    detail = second.get("/v1/rulesets/pulje-5/versions/2020.2").json()
    assert f'-version: "{files.version}"' in detail["diff"]
    assert '+version: "2020.2"' in detail["diff"] and SELECTION in detail["diff"]
    assert "features/k1-hoye-mobbetall.feature" in detail["files"]
    assert "criteria/k1-hoye-mobbetall.yaml" in detail["files"]

    again = first.post(
        "/v1/rulesets/pulje-5/versions",
        json={"version": "2020.2", "note": "En gang til.", "parameters": {}},
    )
    assert [e["code"] for e in again.json()["errors"]] == ["VERSION_EXISTS"]

    r = second.post(
        "/v1/rulesets/pulje-5/activations",
        json={"version": files.version, "note": "Tilbake: teksten var ikke godkjent."},
    )
    assert r.status_code == 201, r.text
    assert _in_use(first) == _in_use(second) == (files.version, files.digest)
    missing = first.post(
        "/v1/rulesets/pulje-5/activations", json={"version": "1999.9", "note": "Finnes ikke."}
    )
    assert [e["code"] for e in missing.json()["errors"]] == ["UNKNOWN_VERSION"]
    # every problem at once, and the note bounded as when publishing
    both = first.post("/v1/rulesets/pulje-5/activations", json={"version": "1999.9", "note": ""})
    assert [(e["code"], e["loc"]) for e in both.json()["errors"]] == [
        ("UNKNOWN_VERSION", ["version"]),
        ("NOTE_REQUIRED", ["note"]),
    ]
    long = first.post(
        "/v1/rulesets/pulje-5/activations",
        json={"version": files.version, "note": "x" * (MAX_NOTE + 1)},
    )
    assert long.status_code == 422
    assert [e["code"] for e in long.json()["errors"]] == ["NOTE_TOO_LONG"]
    assert first.get("/v1/rulesets/pulje-5/versions/1999.9").status_code == 404
    rows = _rows(first)
    assert rows == {"rule_versions": 2, "rule_activations": 2, "rule_drafts": 0}


def test_a_publish_whose_gate_crashes_is_refused_and_stores_nothing(
    client_factory: Callable[..., TestClient], crashing_gate_process: pytest.MonkeyPatch
) -> None:
    client = client_factory(rules_refresh_seconds=0)
    before, empty = _in_use(client), _rows(client)
    r = client.post("/v1/rulesets/pulje-5/versions", json=_new_selection("2020.2"))
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    (crashed,) = r.json()["errors"]
    assert crashed["code"] == "RULES_CRASHED"
    assert crashed["msg"] == (
        "Kontrollen av de nye reglene stoppet før den var ferdig: prosessen krasjet med "
        "signal 11 (SIGSEGV), typisk i regelmotoren. Reglene i bruk er uendret."
    )
    assert r.json()["detail"] == "Versjonen ble ikke publisert; reglene i bruk er uendret."
    # nothing published: no version, activation or draft row, the same rules in force
    assert _rows(client) == empty and _in_use(client) == before
    listed = client.get("/v1/rulesets/pulje-5/versions").json()
    assert [v["version"] for v in listed["versions"]] == [before[0]]
    assert client.get("/v1/rulesets/pulje-5/versions/2020.2").status_code == 404


def test_stored_versions_are_never_changed(
    client_factory: Callable[..., TestClient], database_url: str, passing_publish_gate: None
) -> None:
    client = client_factory(database_url=database_url, rules_refresh_seconds=0)
    r = client.post(
        "/v1/rulesets/pulje-5/versions", json=_new_selection("2020.9", note="Ny tekst.")
    )
    assert r.status_code == 201, r.text
    engine = client.app.state.services.log.engine  # type: ignore[attr-defined]
    for statement in (
        "UPDATE rule_versions SET note = 'endret'",
        "DELETE FROM rule_activations",
    ):
        with pytest.raises(DBAPIError), engine.begin() as conn:
            conn.execute(text(statement))


def test_the_routes_are_for_admins(client_factory: Callable[..., TestClient]) -> None:
    client = client_factory(api_keys=KEYS)
    body: dict[str, Any] = {"version": "x", "note": "y"}
    assert client.get("/v1/rulesets/pulje-5/versions", headers=auth(READER)).status_code == 403
    r = client.post("/v1/rulesets/pulje-5/versions", json=body, headers=auth(READER))
    assert r.status_code == 403
    r = client.post("/v1/simulations", json={"round": "pulje-5"}, headers=auth(READER))
    assert r.status_code == 403


def test_the_docs_site_follows_the_version_in_force(
    client_factory: Callable[..., TestClient], passing_publish_gate: None
) -> None:
    client = client_factory()
    files = ruleset()
    r = client.post(
        "/v1/rulesets/pulje-5/versions", json=_new_selection("2020.5", note="Ny tekst.")
    )
    assert r.status_code == 201, r.text
    page = client.get("/dokumentasjon/")
    assert page.status_code == 200 and "versjon 2020.5" in page.text
    r = client.post(
        "/v1/rulesets/pulje-5/activations",
        json={"version": files.version, "note": "Tilbake til filene."},
    )
    assert r.status_code == 201, r.text
    page = client.get("/dokumentasjon/")
    assert page.status_code == 200 and f"versjon {files.version}" in page.text
    assert "versjon 2020.5" not in page.text
