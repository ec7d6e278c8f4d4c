"""The «Invitasjoner» page: filters, school charts, schools without municipality, export."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook  # type: ignore[import-untyped]

from api.app import create_app
from api.spreadsheet import to_csv
from api.survey.parse import parse_survey_file
from api.survey.register import parse_register
from api.survey.schools import import_register
from api.survey.store import import_survey
from api.web.pages.invitations import table
from engine import load_ruleset
from tests.api.web.conftest import ROOT, settings_for
from tests.survey_national import schools, write_export, write_register


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """An open app with the generated export (no municipality columns) and a register."""
    folder = tmp_path_factory.mktemp("invitasjoner")
    with TestClient(create_app(settings_for(folder)), base_url="https://testserver") as client:
        engine = client.app.state.services.log.engine  # type: ignore[attr-defined]
        export = write_export(folder / "eu.csv", with_municipality=False)
        import_survey(engine, parse_survey_file(str(export), name="eu.csv"))
        with open(write_register(folder / "nsr.csv", leave_out=1), "rb") as stream:
            import_register(engine, parse_register(stream, "nsr.csv"))
        yield client


def test_without_a_county_the_page_asks_for_one(client: TestClient) -> None:
    page = client.get("/invitasjoner")
    assert page.status_code == 200
    assert "Velg et fylke for å se kommunene" in page.text
    assert 'aria-current="page">Invitasjoner' in page.text


def test_the_county_page_lists_municipalities_with_charts(client: TestClient) -> None:
    page = client.get("/invitasjoner", params={"fylke": "50"})
    assert page.status_code == 200
    text = page.text
    assert "<h1>Invitasjoner i Trøndelag" in text
    for name in ("Trondheim", "Steinkjer", "Namsos"):
        assert f"<h2>{name} " in text
    trondheim = [s for s in schools() if s.municipality == "5001"]
    assert text.count('<svg class="chart"') == 15
    assert f'data-org="{trondheim[0].org_number}"' in text
    assert "oppfyller K1." in text


def test_the_status_filter_shows_only_those_schools(client: TestClient) -> None:
    page = client.get("/invitasjoner", params={"fylke": "50", "vis": "met"})
    statuses = set(re.findall(r'data-status="(\w+)"', page.text))
    assert statuses == {"met"}


def test_schools_without_municipality_are_shown(client: TestClient) -> None:
    page = client.get("/invitasjoner", params={"fylke": "03"})
    assert "Skoler uten kommune" in page.text
    assert schools()[-1].org_number in page.text


def test_the_export_has_a_row_per_school(client: TestClient) -> None:
    response = client.get("/invitasjoner.csv", params={"fylke": "50"})
    assert response.status_code == 200
    assert 'filename="invitasjoner-pulje-5-fylke-50.csv"' in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:6] == [
        "Kommunenr.",
        "Kommune",
        "Skoler som oppfyller K1",
        "Org.nr.",
        "Skole",
        "K1",
    ]
    assert rows[0][6:9] == ["2017 %", "2017 terskel", "2017 høyt"]
    assert len(rows) == 1 + 15
    assert rows[1][7] == "9,6"
    book = client.get("/invitasjoner.xlsx", params={"fylke": "50", "vis": "met"})
    sheet = load_workbook(io.BytesIO(book.content)).active
    values = list(sheet.values)
    assert values[0][0] == "Kommunenr." and all(v[5] == "oppfylt" for v in values[1:])


def test_an_export_without_a_county_is_refused(client: TestClient) -> None:
    assert client.get("/invitasjoner.csv").status_code == 422


def test_a_name_a_spreadsheet_would_run_stays_text() -> None:
    listed = {
        "county": "50",
        "municipalities": [
            {
                "municipality": {"number": "5001", "name": "Trondheim"},
                "schools_met": 0,
                "schools": [
                    {
                        "org_number": "910000071",
                        "name": "=HYPERLINK(1)",
                        "status": "unknown",
                        "years": [{"year": 2017, "percent": None, "threshold": 9.6, "high": None}],
                    }
                ],
            }
        ],
        "schools_without_municipality": [],
    }
    rules = load_ruleset(ROOT / "rules" / "pulje-5")
    text = to_csv(table(listed, rules, "")).decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text and "ukjent" in text
