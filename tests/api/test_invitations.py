"""Invitation candidates: K1 by the round's own rule on the imported figures, per municipality."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from api.invitations import (
    candidates,
    decide_here,
    invitation_basis,
    stored_places,
    survey_criterion,
)
from api.store.db import make_engine, migrate
from api.survey.parse import parse_survey_file
from api.survey.register import parse_register
from api.survey.schools import import_register
from api.survey.store import import_survey
from engine import evaluate, parse_application
from tests.builders import baseline, ruleset
from tests.survey_national import GenSchool, schools, write_export, write_register


@pytest.fixture(scope="module")
def rules() -> Any:
    return ruleset()


def _engine(path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{path / 'u.db'}")
    migrate(engine)
    return engine


@pytest.fixture(scope="module")
def with_columns(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    folder = tmp_path_factory.mktemp("with")
    engine = _engine(folder)
    export = write_export(folder / "eu.csv")
    import_survey(engine, parse_survey_file(str(export), name="eu.csv"))
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def with_register(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    folder = tmp_path_factory.mktemp("without")
    engine = _engine(folder)
    export = write_export(folder / "eu.csv", with_municipality=False)
    import_survey(engine, parse_survey_file(str(export), name="eu.csv"))
    with open(write_register(folder / "nsr.csv", leave_out=2), "rb") as stream:
        import_register(engine, parse_register(stream, "nsr.csv"))
    yield engine
    engine.dispose()


def _list(engine: Engine, rules: Any, county: str) -> dict[str, Any]:
    basis = invitation_basis(rules, county, stored_places(engine))
    return candidates(rules, basis, decide_here(engine, rules, basis))


def _typed_in_k1(school: GenSchool, rules: Any) -> str:
    """K1 of the school from an ordinary application with the same figures typed in."""
    app = baseline()
    app["schools"] = [
        {
            "org_number": school.org_number,
            "name": school.name,
            "motivated": True,
            "bullying": [
                {
                    "year": year,
                    "percent": None if p == "*" else float(p.replace(",", ".")),
                    "respondents": None if r == "*" else int(r),
                    "suppressed": p == "*",
                }
                for year, (p, r) in school.figures.items()
            ],
        }
    ]
    app["kindergartens"][0]["feeds_schools"] = []
    decision = evaluate(parse_application(app), rules)
    return next(c.status for c in decision.criteria if c.criterion == "K1")


@pytest.mark.parametrize("county", ["50", "18", "03"])
def test_each_schools_status_agrees_with_k1_on_the_same_figures(
    with_columns: Engine, rules: Any, county: str
) -> None:
    listed = _list(with_columns, rules, county)
    expected = {s.org_number: s for s in schools() if s.municipality[:2] == county}
    got = {s["org_number"]: s for m in listed["municipalities"] for s in m["schools"]}
    assert got.keys() == expected.keys()
    for org, school in got.items():
        assert school["status"] == _typed_in_k1(expected[org], rules), org


def test_the_generated_figures_reach_every_status(with_columns: Engine, rules: Any) -> None:
    statuses = {
        s["status"]
        for county in ("50", "18", "03")
        for m in _list(with_columns, rules, county)["municipalities"]
        for s in m["schools"]
    }
    assert statuses == {"met", "not_met", "unknown"}


def test_the_shape_and_order_of_the_list(with_columns: Engine, rules: Any) -> None:
    listed = _list(with_columns, rules, "50")
    assert listed["county"] == "50" and listed["schools_without_municipality"] == []
    numbers = [m["municipality"]["number"] for m in listed["municipalities"]]
    assert sorted(numbers) == ["5001", "5006", "5007"]
    met = [m["schools_met"] for m in listed["municipalities"]]
    assert met == sorted(met, reverse=True)
    first = listed["municipalities"][0]
    assert first["municipality"]["name"] in ("Trondheim", "Steinkjer", "Namsos")
    assert first["schools_met"] == sum(s["status"] == "met" for s in first["schools"])
    year = first["schools"][0]["years"][0]
    assert set(year) == {"year", "percent", "threshold", "high"}
    assert [y["threshold"] for y in first["schools"][0]["years"]] == [9.6, 9.1, 9.0]
    ranks = {"met": 0, "unknown": 1, "not_met": 2}
    for m in listed["municipalities"]:
        order = [ranks[s["status"]] for s in m["schools"]]
        assert order == sorted(order)


def test_suppressed_and_under_ten_years_are_unknown(with_columns: Engine, rules: Any) -> None:
    listed = _list(with_columns, rules, "50")
    by_org = {s["org_number"]: s for m in listed["municipalities"] for s in m["schools"]}
    seen = set()
    for school in schools():
        if school.org_number not in by_org:
            continue
        for year, (percent, respondents) in school.figures.items():
            row = next(y for y in by_org[school.org_number]["years"] if y["year"] == year)
            if percent == "*":
                assert (row["percent"], row["high"]) == (None, None)
                seen.add("suppressed")
            elif respondents == "8":
                assert row["high"] is None and row["percent"] == 14.0
                seen.add("under ten")
            else:
                assert row["high"] == (float(percent.replace(",", ".")) >= row["threshold"])
    assert seen == {"suppressed", "under ten"}


def test_without_columns_the_register_places_schools_and_the_rest_are_reported(
    with_register: Engine, with_columns: Engine, rules: Any
) -> None:
    placed = _list(with_register, rules, "03")
    every = schools()
    missing = {s.org_number for s in every[-2:]}  # left out of the register (Oslo's)
    assert {s["org_number"] for s in placed["schools_without_municipality"]} == missing
    oslo = placed["municipalities"][0]["schools"]
    assert {s["org_number"] for s in oslo} == {
        s.org_number for s in every if s.municipality == "0301"
    } - missing
    # the same schools are decided the same whichever file placed them
    by_columns = _list(with_columns, rules, "50")["municipalities"]
    by_register = _list(with_register, rules, "50")["municipalities"]
    assert [m["schools"] for m in by_columns] == [m["schools"] for m in by_register]


def test_the_survey_criterion_is_the_rounds_own(rules: Any) -> None:
    criterion = survey_criterion(rules)
    assert criterion is not None and criterion.id == "K1"
