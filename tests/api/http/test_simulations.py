"""`POST /v1/simulations` over the stored cases (CONTRACT 10): nothing stored, rules unchanged."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.app import create_app
from api.store.db import Base
from engine import Rankable, evaluate, load_ruleset, rank
from engine.application import parse_application
from tests.api.conftest import make_settings
from tests.builders import RULES, changed

BORDERLINE = [  # high at K1's margin 2.5 (thresholds 9.1, 8.6), not at 3.0 (9.6, 9.1)
    {"year": 2017, "percent": 9.3, "respondents": 100},
    {"year": 2018, "percent": 8.8, "respondents": 100},
]
HIGH = [{"year": y, "percent": 15.0, "respondents": 100} for y in (2017, 2018, 2019)]


def _case(number: str, name: str, figures: list[dict[str, Any]], received: str) -> dict[str, Any]:
    return changed(
        **{
            "id": f"sim-{number}",
            "municipality.number": number,
            "municipality.name": name,
            "received": received,
            "schools.0.bullying": figures,
        }
    )


CASES = [
    _case("5001", "Trondheim", BORDERLINE, "2020-01-10"),
    _case("5006", "Steinkjer", HIGH, "2020-01-11"),
    _case("5021", "Oppdal", HIGH, "2020-01-12"),
    _case("5007", "Namsos", [], "2020-01-13"),
]
WITHDRAWN = _case("5014", "Frøya", BORDERLINE, "2020-01-09")


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One app with four current cases in county 50 and one withdrawn."""
    folder = tmp_path_factory.mktemp("simulations")
    with TestClient(create_app(make_settings(folder))) as client:
        for body in [*CASES, WITHDRAWN]:
            assert client.post("/v1/evaluations", json=body).status_code == 201
        reason = {"reason": "Kommunen trakk søknaden i brev 12. februar 2020."}
        assert client.post("/v1/cases/pulje-5:5014:withdraw", json=reason).status_code == 200
        yield client


def _rows(client: TestClient) -> dict[str, int]:
    engine = client.app.state.services.log.engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        return {
            name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for name, table in Base.metadata.tables.items()
        }


def _standings(rules_folder: Path) -> dict[str, tuple[str, int, int, bool]]:
    """Each current case's (outcome, score, rank, within_capacity) computed with the engine."""
    rs = load_ruleset(rules_folder)
    apps = [parse_application(c, rounds={rs.id: list(rs.counties)}) for c in CASES]
    decisions = [evaluate(a, rs) for a in apps]
    ranked = rank(
        [
            Rankable(
                f"pulje-5:{a.municipality.number}",
                d.outcome,
                d.score,
                a.county,
                a.municipality.number,
                a.received,
            )
            for a, d in zip(apps, decisions, strict=True)
        ],
        rs,
    )
    (county,) = ranked.counties
    return {
        e.application_id: (e.outcome, e.score, e.rank, e.within_capacity) for e in county.ranking
    }


def test_k1_margin_lists_exactly_the_changed_cases_and_stores_nothing(
    api: TestClient, tmp_path: Path
) -> None:
    rules_before = api.get("/v1/rulesets/pulje-5").json()
    rows_before = _rows(api)
    r = api.post(
        "/v1/simulations",
        json={"round": "pulje-5", "county": "50", "parameters": {"K1": {"margin": 2.5}}},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert _rows(api) == rows_before  # nothing stored
    assert api.get("/v1/rulesets/pulje-5").json() == rules_before  # the rules in force
    (county,) = body["counties"]
    assert county["county"] == "50"
    listed = {e["case_id"] for e in county["before"]}
    assert listed == {f"pulje-5:{c['municipality']['number']}" for c in CASES}  # not 5014

    draft = tmp_path / "utkast"
    shutil.copytree(RULES, draft)
    k1 = draft / "criteria" / "k1-hoye-mobbetall.yaml"
    k1.write_text(k1.read_text(encoding="utf-8").replace("margin: 3.0", "margin: 2.5"), "utf-8")
    before, after = _standings(RULES), _standings(draft)
    expected = {case for case in before if before[case] != after[case]}
    assert expected  # the data has a case the margin moves
    assert {c["case_id"] for c in county["changes"]} == expected
    trondheim = next(c for c in county["changes"] if c["case_id"] == "pulje-5:5001")
    assert trondheim["before"]["outcome"] == before["pulje-5:5001"][0]
    assert trondheim["after"]["outcome"] == after["pulje-5:5001"][0] == "recommended"
    assert body["ruleset_before"]["digest"] == rules_before["digest"]
    assert body["ruleset_after"]["digest"] != rules_before["digest"]
    scenarios = body["scenarios"]
    assert scenarios["total"] > 0 and scenarios["failed"]  # K1's threshold scenarios notice
    assert all(f["file"].endswith(".feature") for f in scenarios["failed"])


def test_a_capacity_in_ruleset_yaml_changes_within_capacity(api: TestClient) -> None:
    r = api.post(
        "/v1/simulations",
        json={"round": "pulje-5", "parameters": {"ruleset": {"counties.50.capacity": 1}}},
    )
    assert r.status_code == 200, r.text
    (county,) = r.json()["counties"]
    assert (county["capacity_before"], county["capacity_after"]) == (2, 1)
    second = [e for e in county["before"] if e["within_capacity"]][1]
    (change,) = county["changes"]
    assert change["case_id"] == second["case_id"]
    assert change["changed"] == ["within_capacity"]
    assert (change["before"]["within_capacity"], change["after"]["within_capacity"]) == (
        True,
        False,
    )


def test_a_draft_that_does_not_load_is_422_with_file_and_line(api: TestClient) -> None:
    text = (RULES / "criteria" / "k1-hoye-mobbetall.yaml").read_text(encoding="utf-8")
    rows_before = _rows(api)
    r = api.post(
        "/v1/simulations",
        json={
            "round": "pulje-5",
            "files": {"criteria/k1-hoye-mobbetall.yaml": text.replace("margin: 3.0", "margin 2.5")},
        },
    )
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    (err,) = r.json()["errors"]
    assert err["code"] == "YAML_SYNTAX"
    assert err["loc"][:2] == ["files", "criteria/k1-hoye-mobbetall.yaml"]
    assert err["line"] == err["loc"][2]
    assert "kolon" in err["msg"]
    assert _rows(api) == rows_before


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"round": "pulje-5", "parameters": {"K9": {"margin": 2.5}}}, "UNKNOWN_CRITERION"),
        (
            {"round": "pulje-5", "parameters": {"ruleset": {"counties.99.capacity": 1}}},
            "UNKNOWN_PARAMETER",
        ),
        ({"round": "pulje-5", "county": "99"}, "UNKNOWN_COUNTY"),
        ({"round": "pulje-5", "files": {"../x.yaml": ""}}, "BAD_FILE_NAME"),
        ({"county": "50"}, "REQUIRED"),
    ],
)  # fmt: skip
def test_bad_requests_are_422_in_norwegian(
    api: TestClient, body: dict[str, Any], code: str
) -> None:
    r = api.post("/v1/simulations", json=body)
    assert r.status_code == 422, r.text
    assert [e["code"] for e in r.json()["errors"]] == [code]
