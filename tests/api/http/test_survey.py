"""`POST /v1/survey-imports`, `GET /v1/schools/{org_number}/survey`, and K1 over HTTP."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.http.survey import MAX_UPLOAD_BYTES
from tests.api.conftest import ADMIN, CASEWORKER, KEYS, READER, auth, unique_id
from tests.builders import SCHOOL_A, SCHOOL_B, baseline
from tests.survey_export import (
    OTHER,
    csv_text,
    national_rows,
    row,
    sample_rows,
    typed_table,
    write_excel_xlsx,
)

CSV = "text/csv"


def _upload(
    client: TestClient, content: bytes, name: str = "elevundersokelsen.csv", key: str = ADMIN
) -> Any:
    return client.post(
        "/v1/survey-imports", files={"file": (name, content, CSV)}, headers=auth(key)
    )


@pytest.fixture
def client(client_factory: Callable[..., TestClient], database_url: str) -> TestClient:
    """A server with API keys, on SQLite and on PostgreSQL."""
    return client_factory(api_keys=KEYS, database_url=database_url, workers=1)


def test_upload_imports_then_the_same_file_changes_nothing(client: TestClient) -> None:
    content = ("\ufeff" + csv_text(sample_rows())).encode()
    first = _upload(client, content, name="C:\\Users\\rådgiver\\elevundersokelsen.csv")
    assert first.status_code == 201, first.text
    report = first.json()
    assert report["file_name"] == "elevundersokelsen.csv"
    assert (report["rows_read"], report["imported"], report["suppressed"]) == (16, 7, 1)
    assert (report["skipped"], report["county_rows"], len(report["national"])) == (3, 3, 3)
    assert report["warnings"] == [] and report["already_imported"] is False
    assert first.headers["location"] == f"/v1/survey-imports/{report['import_id']}"

    again = _upload(client, content, name="kopi.csv")
    assert again.status_code == 200
    assert again.json()["already_imported"] is True
    assert again.json()["import_id"] == report["import_id"]

    listed = client.get("/v1/survey-imports", headers=auth(READER)).json()["imports"]
    assert [i["import_id"] for i in listed] == [report["import_id"]]
    one = client.get(first.headers["location"], headers=auth(READER))
    assert one.status_code == 200 and one.json()["sha256"] == report["sha256"]


def test_school_survey_returns_the_stored_figures(client: TestClient) -> None:
    assert _upload(client, csv_text(sample_rows()).encode()).status_code == 201
    r = client.get(f"/v1/schools/{SCHOOL_A}/survey", headers=auth(READER))
    assert r.status_code == 200
    body = r.json()
    assert body["name"] == "Nordby skole"
    assert body["source"].startswith("Elevundersøkelsen, import ")
    assert body["source"].endswith(" av fil elevundersokelsen.csv")
    by_year = {f["year"]: f for f in body["figures"]}
    assert sorted(by_year) == [2016, 2017, 2018, 2019]
    assert (by_year[2017]["percent"], by_year[2017]["respondents"]) == (10.4, 1234)
    assert by_year[2018]["suppressed"] is True and by_year[2018]["percent"] is None
    assert by_year[2017]["indicator_name"] == "Mobbing på skolen"
    assert by_year[2017]["source"]["file_name"] == "elevundersokelsen.csv"


def test_a_broken_file_is_refused_whole_with_lines(client: TestClient) -> None:
    bad_digit = SCHOOL_B[:8] + str((int(SCHOOL_B[8]) + 1) % 10)
    rows = [
        *national_rows({2019: "6,0"}),
        row(2019, SCHOOL_A, "7,0"),  # valid, but must not be imported either
        row(2019, bad_digit, "7,0"),
        row(2018, SCHOOL_A, "mye"),
    ]
    r = _upload(client, csv_text(rows).encode(), name="feil.csv")
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    errors = r.json()["errors"]
    assert [(e["code"], e["line"], e["file"]) for e in errors] == [
        ("BAD_ORG_NUMBER", 4, "feil.csv"),
        ("BAD_NUMBER", 5, "feil.csv"),
    ]
    assert errors[0]["loc"] == ["body", "file", "Organisasjonsnummer"]
    assert client.get("/v1/survey-imports", headers=auth(READER)).json()["imports"] == []
    assert client.get(f"/v1/schools/{SCHOOL_A}/survey", headers=auth(READER)).status_code == 404


def test_an_application_without_figures_is_evaluated_with_the_imported_ones(
    client: TestClient,
) -> None:
    assert _upload(client, csv_text(sample_rows()).encode()).status_code == 201
    data = baseline()
    data["id"] = unique_id()
    for school in data["schools"]:
        del school["bullying"]
    r = client.post("/v1/evaluations", json=data, headers=auth(CASEWORKER))
    assert r.status_code == 201, r.text
    [k1] = [
        c for c in r.json()["criteria"] if c["criterion"] == "K1" and c["subject"]["id"] == SCHOOL_A
    ]
    assert k1["status"] == "met"
    assert k1["evidence"]["survey_source"].endswith("av fil elevundersokelsen.csv")
    assert "(kilde: Elevundersøkelsen, import " in k1["explanation"]


# --- roles, limits and formats (SQLite is enough) ------------------------------------------


@pytest.fixture
def sqlite_client(client_factory: Callable[..., TestClient]) -> TestClient:
    """A server with API keys on SQLite."""
    return client_factory(api_keys=KEYS, workers=1)


def test_only_an_admin_may_import(sqlite_client: TestClient) -> None:
    r = _upload(sqlite_client, csv_text(sample_rows()).encode(), key=CASEWORKER)
    assert r.status_code == 403
    r = sqlite_client.post("/v1/survey-imports", files={"file": ("eu.csv", b"x", CSV)}, headers={})
    assert r.status_code == 401


def test_school_survey_refuses_a_bad_org_number_and_says_when_none_is_stored(
    sqlite_client: TestClient,
) -> None:
    bad = sqlite_client.get("/v1/schools/123456789/survey", headers=auth(READER))
    assert bad.status_code == 422 and bad.json()["errors"][0]["code"] == "BAD_ORG_NUMBER"
    none = sqlite_client.get(f"/v1/schools/{SCHOOL_A}/survey", headers=auth(READER))
    assert none.status_code == 404 and none.json()["errors"][0]["code"] == "SURVEY_NOT_FOUND"
    missing = sqlite_client.get("/v1/survey-imports/99", headers=auth(READER))
    assert missing.status_code == 404
    # beyond a 64-bit key (found by schemathesis: it used to overflow into a 500)
    huge = sqlite_client.get(f"/v1/survey-imports/{2**96}", headers=auth(READER))
    assert huge.status_code == 404
    assert huge.json()["errors"][0]["code"] == "SURVEY_IMPORT_NOT_FOUND"


def test_an_xlsx_upload_is_read(sqlite_client: TestClient, tmp_path: Path) -> None:
    path = write_excel_xlsx(tmp_path / "eu.xlsx", typed_table(sample_rows()))
    r = sqlite_client.post(
        "/v1/survey-imports",
        files={"file": ("eu.xlsx", path.read_bytes(), "application/octet-stream")},
        headers=auth(ADMIN),
    )
    assert r.status_code == 201, r.text
    assert r.json()["imported"] == 7


def test_an_upload_may_be_larger_than_other_requests(sqlite_client: TestClient) -> None:
    # about 2 MB: over the 1 MiB limit for application bodies, well under the upload limit
    filler = [row(2019, SCHOOL_A, "50,0", indicator=OTHER) for _ in range(20_000)]
    content = csv_text([*sample_rows(), *filler]).encode()
    assert 1024 * 1024 < len(content) < MAX_UPLOAD_BYTES
    r = _upload(sqlite_client, content)
    assert r.status_code == 201, r.text
    assert r.json()["skipped"] == 20_003
    too_big = sqlite_client.post(
        "/v1/evaluations", content=b" " * len(content), headers=auth(CASEWORKER)
    )
    assert too_big.status_code == 413


def test_national_figures_unlike_the_ruleset_warn(sqlite_client: TestClient) -> None:
    rows = [*national_rows({2019: "6,4"}), row(2019, SCHOOL_A, "7,0")]
    r = _upload(sqlite_client, csv_text(rows).encode())
    assert r.status_code == 201
    [warning] = r.json()["warnings"]
    assert "pulje-5" in warning and "6,4 %" in warning and "6,0 %" in warning


def test_broken_multipart_body_is_a_norwegian_422(sqlite_client: TestClient) -> None:
    # found by schemathesis: Starlette answered a body it could not parse with a bare 400
    boundary = "7c5156fb04a2177cf9e322ad31ebde44"
    r = sqlite_client.post(
        "/v1/survey-imports",
        content=f"--{boundary}\r\nNone--{boundary}--\r\n".encode(),
        headers={**auth(ADMIN), "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["errors"][0]["code"] == "INVALID_BODY"
