"""`GET /v1/invitations?round=&county=`: the contract's shape, evaluated in the workers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.survey.parse import parse_survey_file
from api.survey.store import import_survey
from tests.api.conftest import make_settings
from tests.survey_national import write_export


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One open app whose database holds the generated national export (with columns)."""
    folder = tmp_path_factory.mktemp("invitations")
    with TestClient(create_app(make_settings(folder, workers=1))) as client:
        engine = client.app.state.services.log.engine  # type: ignore[attr-defined]
        export = write_export(folder / "eu.csv")
        import_survey(engine, parse_survey_file(str(export), name="eu.csv"))
        yield client


def test_the_county_list_has_the_contracts_shape(client: TestClient) -> None:
    response = client.get("/v1/invitations", params={"round": "pulje-5", "county": "50"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"county", "municipalities", "schools_without_municipality"}
    assert body["county"] == "50"
    first = body["municipalities"][0]
    assert set(first) == {"municipality", "schools_met", "schools"}
    assert set(first["municipality"]) == {"number", "name"}
    assert set(first["schools"][0]) == {"org_number", "name", "status", "years"}
    assert set(first["schools"][0]["years"][0]) == {"year", "percent", "threshold", "high"}
    met = [m["schools_met"] for m in body["municipalities"]]
    assert met == sorted(met, reverse=True)
    assert response.headers["Utvalg-Ruleset"].startswith("pulje-5;")


def test_the_round_may_be_left_out_when_there_is_one(client: TestClient) -> None:
    with_round = client.get("/v1/invitations", params={"round": "pulje-5", "county": "18"})
    without = client.get("/v1/invitations", params={"county": "18"})
    assert without.status_code == 200 and without.json() == with_round.json()


def test_a_county_without_figures_has_an_empty_list(client: TestClient) -> None:
    body = client.get("/v1/invitations", params={"county": "46"}).json()
    assert body == {"county": "46", "municipalities": [], "schools_without_municipality": []}


@pytest.mark.parametrize(
    ("params", "code", "loc"),
    [
        ({"county": "99"}, "UNKNOWN_COUNTY", ["query", "county"]),
        ({}, "UNKNOWN_COUNTY", ["query", "county"]),
        ({"county": "50", "round": "pulje-9"}, "UNKNOWN_ROUND", ["query", "round"]),
        ({"county": "50", "fylke": "50"}, None, None),
    ],
)
def test_bad_parameters_are_a_norwegian_422(
    client: TestClient, params: dict[str, str], code: str | None, loc: list[str] | None
) -> None:
    response = client.get("/v1/invitations", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    error = response.json()["errors"][0]
    if code is not None:
        assert (error["code"], error["loc"]) == (code, loc)
