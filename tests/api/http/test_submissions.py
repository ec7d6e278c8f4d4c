"""Submissions (CONTRACT 7) over HTTP, on SQLite and PostgreSQL: lock, order, capacity, views."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.http.submission_schemas import SubmissionOut
from tests.api.conftest import ADMIN, CASEWORKER, READER, auth
from tests.builders import baseline, decide

APPROVER = "godkjenning:approver:godkjennernokkel-0123456789abcdef"
KEYS = ",".join((READER, CASEWORKER, APPROVER, ADMIN))
# a supervision of the municipality with a deficiency: K3 met, the application recommended
DEFICIENT = [{"year": 2018, "deficiencies": ["practice"]}]


@pytest.fixture
def api(client_factory: Any, database_url: str) -> TestClient:
    """An app with keys (reader, caseworker, approver, admin) on SQLite and PostgreSQL."""
    client: TestClient = client_factory(database_url=database_url, api_keys=KEYS)
    return client


def app_of(county: str, number: str, name: str, *, need: bool, **over: Any) -> dict[str, Any]:
    """The baseline application as municipality `number`; recommended when `need`."""
    data = baseline()
    data["county"] = county
    municipality = dict(data["municipality"], number=number, name=name)
    if need:
        municipality["supervision"] = DEFICIENT
    data["municipality"] = municipality
    data["id"] = f"app-{number}"
    data.update(over)
    return data


def post(api: TestClient, data: dict[str, Any]) -> dict[str, Any]:
    r = api.post("/v1/evaluations", json=data, headers=auth(CASEWORKER))
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def judge(api: TestClient, case: str, proposal: str, justification: str = "") -> None:
    text = justification or "Embetet har vurdert saken grundig og står ved forslaget."
    r = api.post(
        f"/v1/cases/{case}/judgement",
        json={"proposal": proposal, "justification": text},
        headers=auth(CASEWORKER),
    )
    assert r.status_code == 201, r.text


def lock(api: TestClient, county: str, key: str = APPROVER, **body: Any) -> Any:
    return api.post(
        f"/v1/counties/{county}/submissions",
        json={"round": "pulje-5", "note": "Innstilling fra embetet.", **body},
        headers=auth(key),
    )


def test_refused_while_unjudged_then_locked_in_the_proposed_order(api: TestClient) -> None:
    # Trondheim and Malvik are recommended (Trondheim received earlier ranks first),
    # Frøya and Orkland are not
    for number, name, need, received in (
        ("5001", "Trondheim", True, "2020-01-10"),
        ("5031", "Malvik", True, "2020-01-20"),
        ("5014", "Frøya", False, "2020-01-05"),
        ("5059", "Orkland", False, "2020-01-06"),
    ):
        assert decide(app_of("50", number, name, need=need)).outcome == (
            "recommended" if need else "not_recommended"
        )
        post(api, app_of("50", number, name, need=need, received=received))
    judge(api, "pulje-5:5001", "propose")

    refused = lock(api, "50")
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert [(e["loc"], e["code"]) for e in refused.json()["errors"]] == [
        (["cases", "pulje-5:5014"], "JUDGEMENT_MISSING"),
        (["cases", "pulje-5:5031"], "JUDGEMENT_MISSING"),
        (["cases", "pulje-5:5059"], "JUDGEMENT_MISSING"),
    ]
    assert "Frøya" in refused.json()["errors"][0]["msg"]
    assert "3 saker" in refused.json()["detail"]

    # overrides both ways: Malvik (recommended) is not proposed, Orkland (not) is
    judge(api, "pulje-5:5031", "not_propose")
    judge(api, "pulje-5:5059", "propose")
    judge(api, "pulje-5:5014", "not_propose")
    assert lock(api, "50", key=READER).status_code == 403
    assert lock(api, "50", key=CASEWORKER).status_code == 403
    r = lock(api, "50")
    assert r.status_code == 201, r.text
    sub = SubmissionOut.model_validate(r.json())
    assert [(e.rank, e.municipality.name, e.proposal, e.within_capacity) for e in sub.entries] == [
        (1, "Trondheim", "propose", True),
        (2, "Orkland", "propose", True),
        (3, "Malvik", "not_propose", False),
        (4, "Frøya", "not_propose", False),
    ]
    assert [e.departs for e in sub.entries] == [False, True, True, False]
    assert sub.county_name == "Trøndelag" and sub.capacity == 2
    assert sub.approved_by == "godkjenning" and sub.supersedes is None
    assert sub.entries[0].units and sub.entries[0].criteria
    assert sub.ruleset.id == "pulje-5"

    # a case in the newest submission is `submitted`; a new version takes it back
    listed = api.get("/v1/cases", params={"county": "50"}, headers=auth(READER)).json()
    assert {c["status"] for c in listed["items"]} == {"submitted"}
    post(api, app_of("50", "5014", "Frøya", need=False, received="2020-01-07"))
    case = api.get("/v1/cases/pulje-5:5014", headers=auth(READER)).json()
    assert case["status"] == "assessed"

    again = api.get(f"/v1/submissions/{sub.submission_id}", headers=auth(READER))
    assert again.status_code == 200 and again.json() == r.json()
