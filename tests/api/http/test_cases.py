"""`/v1/cases` (CONTRACT section 6): versions, judgement rules, withdraw, void, stale, ranking."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from api.http.case_schemas import CaseDetail
from tests.api.conftest import CASEWORKER, KEYS, READER, auth
from tests.api.http.test_rulesets import bump_version
from tests.builders import baseline, decide

# a long file: the test processes start it first (tests/conftest.py)
pytestmark = pytest.mark.heavy


@pytest.fixture
def api(client_factory: Any, database_url: str) -> TestClient:
    """An open app on SQLite and on a fresh PostgreSQL database (CONTRACT 6 on both)."""
    client: TestClient = client_factory(database_url=database_url, test_kill_switch=True)
    return client


def app_of(number: str, name: str, **over: Any) -> dict[str, Any]:
    """The baseline application as municipality `number` of Trøndelag."""
    data = baseline()
    data["municipality"] = dict(data["municipality"], number=number, name=name)
    data.update(over)
    return data


def post(api: TestClient, data: dict[str, Any]) -> dict[str, Any]:
    r = api.post("/v1/evaluations", json=data)
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def test_versions_identical_resend_and_a_reused_reference(api: TestClient) -> None:
    first = post(api, app_of("5020", "Malvik", id="malvik-1"))
    again = post(api, app_of("5020", "Malvik", id="malvik-1"))
    changed = post(api, app_of("5020", "Malvik", id="malvik-1", received="2020-01-30"))
    # Skaun using Malvik's reference is Skaun's own case: Malvik's version stays
    skaun = post(api, app_of("5029", "Skaun", id="malvik-1"))
    assert [(d["case_id"], d["case_version"]) for d in (first, again, changed, skaun)] == [
        ("pulje-5:5020", 1),
        ("pulje-5:5020", 1),
        ("pulje-5:5020", 2),
        ("pulje-5:5029", 1),
    ]
    case = api.get("/v1/cases/pulje-5:5020")
    assert case.status_code == 200
    detail = CaseDetail.model_validate(case.json())
    assert detail.status == "assessed" and not detail.stale and detail.version == 2
    assert [v.version for v in detail.versions] == [1, 2]
    assert [(c.loc, c.before, c.after) for c in detail.versions[1].changes] == [
        (["received"], "2020-01-20", "2020-01-30")
    ]
    assert [e.version for e in detail.evaluations] == [1, 1, 2]
    listed = api.get("/v1/cases", params={"county": "50", "round": "pulje-5"}).json()["items"]
    assert {"pulje-5:5020", "pulje-5:5029"} <= {c["id"] for c in listed}
    assert api.get("/v1/cases/pulje-5:9999").json()["errors"][0]["code"] == "CASE_NOT_FOUND"


def test_judgement_rules_departs_and_outdated(api: TestClient) -> None:
    data = app_of("5021", "Gauldal")
    outcome = decide(data).outcome
    post(api, data)
    agree = "propose" if outcome == "recommended" else "not_propose"
    depart = "not_propose" if agree == "propose" else "propose"
    url = "/v1/cases/pulje-5:5021/judgement"

    missing = api.post(url, json={"proposal": agree})
    assert missing.status_code == 422
    assert missing.json()["errors"][0] == {
        "loc": ["justification"],
        "code": "JUSTIFICATION_REQUIRED",
        "msg": "Skriv en begrunnelse for skjønnet.",
    }
    short = api.post(url, json={"proposal": depart, "justification": "For kort."})
    assert short.status_code == 422
    assert short.json()["errors"][0]["code"] == "JUSTIFICATION_TOO_SHORT"
    bad = api.post(url, json={"proposal": "kanskje", "justification": "x", "extra": 1})
    assert bad.status_code == 422 and bad.json()["errors"][0]["code"] == "UNKNOWN_FIELD"

    ok = api.post(url, json={"proposal": agree, "justification": "Enig."})
    assert ok.status_code == 201 and ok.json()["status"] == "judged"
    assert ok.json()["judgement"]["departs"] is False
    long = "Embetet kjenner til store utfordringer i kommunen."
    departed = api.post(url, json={"proposal": depart, "justification": long})
    assert departed.status_code == 201
    judgement = departed.json()["judgement"]
    assert judgement["departs"] is True and judgement["justification"] == long
    assert judgement["created_at"] and judgement["outdated"] is False

    post(api, dict(data, received="2020-01-29"))
    after = api.get("/v1/cases/pulje-5:5021").json()
    assert after["status"] == "assessed" and after["judgement"]["outdated"] is True
    assert [j["departs"] for j in after["judgements"]] == [False, True]


def test_withdraw_and_void_keep_a_case_out_of_the_ranking(api: TestClient) -> None:
    for number, name in (("5022", "Rennebu"), ("5025", "Røros")):
        post(api, app_of(number, name))
    url = "/v1/cases/pulje-5:5022:withdraw"
    empty = api.post(url, json={"reason": "  "})
    assert empty.status_code == 422 and empty.json()["errors"][0]["code"] == "REASON_REQUIRED"
    r = api.post(url, json={"reason": "Kommunen trakk søknaden."})
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    assert r.json()["closed"]["reason"] == "Kommunen trakk søknaden."
    again = api.post("/v1/cases/pulje-5:5022:void", json={"reason": "Feil."})
    assert again.status_code == 409 and again.json()["errors"][0]["code"] == "CASE_CLOSED"
    voided = api.post("/v1/cases/pulje-5:5025:void", json={"reason": "Registrert ved en feil."})
    assert voided.status_code == 200 and voided.json()["status"] == "void"
    ranked = api.post("/v1/rankings", json={"county": "50"}).json()["counties"][0]["ranking"]
    assert not {"pulje-5:5022", "pulje-5:5025"} & {e["case_id"] for e in ranked}
    listed = api.get("/v1/cases", params={"county": "50", "status": "withdrawn"}).json()
    assert [c["id"] for c in listed["items"]] == ["pulje-5:5022"]


def test_stale_cases_are_refused_then_reevaluated(client_factory: Any, rules_copy: Path) -> None:
    client = client_factory(rules_dir=rules_copy)
    for number, name in (("5001", "Trondheim"), ("5014", "Frøya")):
        assert client.post("/v1/evaluations", json=app_of(number, name)).status_code == 201
    bump_version(rules_copy, "2020.1-ny")
    assert client.post("/v1/rulesets:reload").status_code == 200
    r = client.post("/v1/rankings", json={"county": "50"})
    assert r.status_code == 409
    assert {e["code"] for e in r.json()["errors"]} == {"STALE_CASE"}
    assert len(r.json()["errors"]) == 2
    case = client.get("/v1/cases/pulje-5:5001").json()
    assert case["stale"] is True and case["status"] == "received"
    judged = client.post(
        "/v1/cases/pulje-5:5001/judgement", json={"proposal": "propose", "justification": "x" * 30}
    )
    assert judged.status_code == 409 and judged.json()["errors"][0]["code"] == "STALE_CASE"

    one = client.post("/v1/cases/pulje-5:5001:reevaluate")
    assert one.status_code == 200 and one.json()["stale"] is False
    rest = client.post("/v1/counties/50/cases:reevaluate")
    assert rest.status_code == 200
    assert rest.json()["reevaluated"] == ["pulje-5:5014"] and rest.json()["failed"] == []
    ranked = client.post("/v1/rankings", json={"county": "50"})
    assert ranked.status_code == 200
    assert [e["case_id"] for e in ranked.json()["counties"][0]["ranking"]] != []
    history = client.get("/v1/cases/pulje-5:5001").json()
    assert [e["version"] for e in history["evaluations"]] == [1, 1]


def test_roles_and_who_is_recorded(client_factory: Any) -> None:
    client = client_factory(api_keys=KEYS)
    data = app_of("5001", "Trondheim")
    assert client.post("/v1/evaluations", json=data, headers=auth(CASEWORKER)).status_code == 201
    reader = client.post(
        "/v1/cases/pulje-5:5001:withdraw", json={"reason": "Trukket."}, headers=auth(READER)
    )
    assert reader.status_code == 403
    assert client.get("/v1/cases/pulje-5:5001", headers=auth(READER)).status_code == 200
    r = client.post(
        "/v1/cases/pulje-5:5001:withdraw", json={"reason": "Trukket."}, headers=auth(CASEWORKER)
    )
    assert r.status_code == 200
    history = client.get("/v1/cases/pulje-5:5001", headers=auth(READER)).json()
    assert history["created_by"] == "saksbehandling"
    assert history["versions"][0]["created_by"] == "saksbehandling"
    assert history["statuses"][0]["created_by"] == "saksbehandling"


def test_the_case_document_is_a_pdf_with_the_decision_and_judgement(api: TestClient) -> None:
    data = app_of("5027", "Midtre Gauldal")
    post(api, data)
    outcome = decide(data).outcome
    depart = "propose" if outcome != "recommended" else "not_propose"
    why = "Embetet kjenner til store utfordringer i kommunen."
    judged = api.post(
        "/v1/cases/pulje-5:5027/judgement", json={"proposal": depart, "justification": why}
    )
    assert judged.status_code == 201
    r = api.get("/v1/cases/pulje-5:5027/document.pdf")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
    text = " ".join(text.split())
    for expected in ("Midtre Gauldal", "pulje-5", "sha256:", "K1", "Embetets skjønn", why[:30]):
        assert expected in text, expected
    assert api.get("/v1/cases/pulje-5:9998/document.pdf").status_code == 404
