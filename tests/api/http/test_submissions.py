"""Submissions (CONTRACT 7) over HTTP, on SQLite and PostgreSQL: lock, order, capacity, views."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from pypdf import PdfReader

from api.http.submission_schemas import SubmissionOut
from tests.api.conftest import ADMIN, CASEWORKER, READER, auth
from tests.api.http.test_rulesets import bump_version
from tests.builders import baseline, decide

# a long file: the test processes start it first (tests/conftest.py)
pytestmark = pytest.mark.heavy

APPROVER = "godkjenning:approver:godkjennernokkel-0123456789abcdef"
KEYS = ",".join((READER, CASEWORKER, APPROVER, ADMIN))
# a supervision of the municipality with a deficiency: K3 met, the application recommended
DEFICIENT = [{"year": 2018, "deficiencies": ["practice"]}]


@pytest.fixture
def api(client_factory: Any, database_url: str, rules_copy: Path) -> TestClient:
    """An app with keys (reader, caseworker, approver, admin) on SQLite and PostgreSQL,
    on a copy of the rules a test may change."""
    client: TestClient = client_factory(
        database_url=database_url, api_keys=KEYS, rules_dir=rules_copy
    )
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
        data = app_of("50", number, name, need=need, received=received)
        if number == "5001":
            data["schools"][0]["name"] = "=1+1 skole"  # must stay text in every export
        post(api, data)
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
    outdated = lock(api, "50", reason="Frøya sendte en ny versjon.")
    assert outdated.status_code == 409
    assert [(e["loc"], e["code"]) for e in outdated.json()["errors"]] == [
        (["cases", "pulje-5:5014"], "JUDGEMENT_OUTDATED")
    ]

    again = api.get(f"/v1/submissions/{sub.submission_id}", headers=auth(READER))
    assert again.status_code == 200 and again.json() == r.json()
    exports_match(api, r.json())


def unit_rows(sub: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    """(rank, municipality number, case id, org number, unit name) per unit, as the JSON says."""
    return [
        (str(e["rank"]), e["municipality"]["number"], e["case_id"], u["org_number"], u["name"])
        for e in sub["entries"]
        for u in e["units"]
    ]


def exports_match(api: TestClient, sub: dict[str, Any]) -> None:
    """The .csv, .xlsx and .pdf of a submission read back hold the rows of its JSON."""
    url = f"/v1/submissions/{sub['submission_id']}"
    keys = ("Rang", "Kommunenr.", "Sak", "Org.nr.", "Enhet")

    got = api.get(url + ".csv", headers=auth(READER))
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    assert got.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(got.content.decode("utf-8-sig")), delimiter=";"))
    from_csv = [tuple(row[k] for k in keys) for row in rows]
    expected = unit_rows(sub)
    # the formula guard prefixes the name in the CSV; the workbook keeps it as text
    assert from_csv == [(*t[:4], "'" + t[4] if t[4].startswith("=") else t[4]) for t in expected]
    assert {row["Fylke"] for row in rows} == {"Trøndelag"}

    got = api.get(url + ".xlsx", headers=auth(READER))
    assert got.status_code == 200
    sheet = load_workbook(io.BytesIO(got.content))["50 Trøndelag"]
    values = list(sheet.iter_rows(values_only=True))
    heads = list(values[0])
    from_xlsx = [
        tuple(str(row[heads.index(k)]) for k in keys) for row in values[1:] if row[0] is not None
    ]
    assert from_xlsx == expected
    assert isinstance(values[1][heads.index("Rang")], int)
    names = [row[heads.index("Enhet")] for row in sheet.iter_rows(min_row=2)]
    assert [(c.value, c.data_type) for c in names if str(c.value).startswith("=")] == [
        ("=1+1 skole", "s")
    ]

    got = api.get(url + ".pdf", headers=auth(READER))
    assert got.status_code == 200 and got.headers["content-type"] == "application/pdf"
    text = " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(got.content)).pages)
    words = " ".join(text.split())
    assert "Innstilling fra Trøndelag (50)" in words and "godkjenning" in words
    for entry in sub["entries"]:
        assert entry["municipality"]["name"] in words
        assert " ".join(entry["justification"].split()) in words

    national = api.get("/v1/submissions.xlsx", params={"round": "pulje-5"}, headers=auth(READER))
    assert national.status_code == 200
    assert load_workbook(io.BytesIO(national.content)).sheetnames == ["50 Trøndelag"]


def test_capacity_superseding_the_national_view_and_stale_cases(
    api: TestClient, rules_copy: Path
) -> None:
    # Nordland (18) has room for one: of two proposed, only the first is within capacity
    for number, name, received in (
        ("1804", "Bodø", "2020-01-21"),
        ("1806", "Narvik", "2020-01-20"),
    ):
        post(api, app_of("18", number, name, need=True, received=received))
        judge(api, f"pulje-5:{number}", "propose")
    post(api, app_of("50", "5001", "Trondheim", need=True))
    judge(api, "pulje-5:5001", "propose")
    first = lock(api, "18")
    assert first.status_code == 201, first.text
    assert [(e["municipality"]["name"], e["within_capacity"]) for e in first.json()["entries"]] == [
        ("Narvik", True),
        ("Bodø", False),
    ]
    assert first.json()["capacity"] == 1
    trondelag = lock(api, "50").json()

    # a second lock supersedes the first and must say why; both stay readable
    bare = lock(api, "18")
    assert bare.status_code == 422
    assert [(e["loc"], e["code"]) for e in bare.json()["errors"]] == [
        (["reason"], "REASON_REQUIRED")
    ]
    blank = lock(api, "18", reason="   ")
    assert blank.status_code == 422
    ident = first.json()["submission_id"]
    second = lock(api, "18", reason="Narvik sendte inn nye tall.")
    assert second.status_code == 201, second.text
    assert second.json()["supersedes"] == ident
    assert second.json()["reason"] == "Narvik sendte inn nye tall."
    old = api.get(f"/v1/submissions/{ident}", headers=auth(READER)).json()
    assert old["superseded_by"] == second.json()["submission_id"]
    assert old["entries"] == first.json()["entries"]

    national = api.get("/v1/submissions", params={"round": "pulje-5"}, headers=auth(READER))
    assert national.status_code == 200
    assert national.json()["round"] == "pulje-5"
    assert [s["submission_id"] for s in national.json()["submissions"]] == [
        second.json()["submission_id"],
        trondelag["submission_id"],
    ]
    missing = api.get("/v1/submissions/9999", headers=auth(READER))
    assert missing.status_code == 404 and missing.json()["errors"][0]["code"] == (
        "SUBMISSION_NOT_FOUND"
    )

    # new rules: every case is stale, and a lock names each one
    bump_version(rules_copy, "2020.1-ny")
    assert api.post("/v1/rulesets:reload", headers=auth(ADMIN)).status_code == 200
    stale = lock(api, "18", reason="Nye regler.")
    assert stale.status_code == 409
    assert [(e["loc"], e["code"]) for e in stale.json()["errors"]] == [
        (["cases", "pulje-5:1804"], "CASE_STALE"),
        (["cases", "pulje-5:1806"], "CASE_STALE"),
    ]
    assert "2 saker" in stale.json()["detail"]


def test_bad_bodies_are_refused_with_their_field(api: TestClient) -> None:
    cases = [
        ({"round": "pulje-5", "note": 5}, ["note"], "BAD_TYPE"),
        ({"round": "pulje-9", "note": ""}, ["round"], "UNKNOWN_ROUND"),
        ({"note": ""}, ["round"], "UNKNOWN_ROUND"),
        ({"round": "pulje-5", "notat": ""}, ["notat"], "UNKNOWN_FIELD"),
        ({"round": "pulje-5", "reason": "x" * 4001}, ["reason"], "TOO_LONG"),
    ]
    for body, loc, code in cases:
        r = api.post("/v1/counties/50/submissions", json=body, headers=auth(APPROVER))
        assert r.status_code == 422, body
        assert (r.json()["errors"][0]["loc"], r.json()["errors"][0]["code"]) == (loc, code)
    r = api.post("/v1/counties/99/submissions", json={"round": "pulje-5"}, headers=auth(APPROVER))
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["path", "county"]
    r = api.get("/v1/submissions", params={"round": "pulje-5", "fylke": "50"}, headers=auth(READER))
    assert r.status_code == 422
    # an empty county may be locked: Utdanningsdirektoratet sees that it has no candidates
    empty = lock(api, "03")
    assert empty.status_code == 201 and empty.json()["entries"] == []
