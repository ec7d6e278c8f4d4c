"""Ranking per county with capacity (CONTRACT section 2)."""

from __future__ import annotations

from typing import Any

from engine import evaluate, municipality_clashes, rank, rankable
from tests.builders import application, changed, ruleset

HIGH = [{"year": y, "percent": 15.0, "respondents": 100} for y in (2017, 2018, 2019)]


def ranked(*datas: dict[str, Any]) -> dict[str, list[tuple[str, bool]]]:
    rs = ruleset()
    items = []
    for data in datas:
        app = application(data)
        items.append(rankable(app, evaluate(app, rs)))
    result = rank(items, rs)
    return {
        c.county: [(e.application_id, e.within_capacity) for e in c.ranking]
        for c in result.counties
    }


def app(id_: str, county: str = "50", number: str = "5001", **paths: Any) -> dict[str, Any]:
    return changed(id=id_, county=county, **{"municipality.number": number}, **paths)


def test_order_outcome_then_score_then_received() -> None:
    result = ranked(
        app("a-no", number="5006"),
        app("b-rec-low", number="5007", **{"schools.0.bullying": HIGH}),
        app(
            "c-rec-high", number="5031", **{"schools.0.bullying": HIGH, "schools.1.bullying": HIGH}
        ),
        app("d-incomplete", number="5035", **{"participants.ppt": None}),
        app(
            "e-rec-low-early", number="5037", received="2020-01-02", **{"schools.0.bullying": HIGH}
        ),
    )
    assert result["50"] == [
        ("c-rec-high", True),
        ("e-rec-low-early", True),
        ("b-rec-low", False),  # capacity 2 in Trøndelag
        ("d-incomplete", False),
        ("a-no", False),
    ]


def test_nordland_capacity_is_one_and_counties_are_separate() -> None:
    result = ranked(
        app("n1", county="18", number="1804", **{"schools.0.bullying": HIGH}),
        app("n2", county="18", number="1806", **{"schools.0.bullying": HIGH}),
        app("t1", county="50", number="5001", **{"schools.0.bullying": HIGH}),
    )
    assert result["18"] == [("n1", True), ("n2", False)]
    assert result["50"] == [("t1", True)]


def test_absent_received_ranks_last_then_municipality_then_id() -> None:
    result = ranked(
        app("z", number="5001", received=..., **{"schools.0.cases": None}),
        app("y", number="5007", **{"schools.0.cases": None}),
        app("x", number="5006", **{"schools.0.cases": None}),
    )
    # all incomplete with score 0; same received for x and y -> municipality number
    assert [a for a, _ in result["50"]] == ["x", "y", "z"]
    assert not any(w for _, w in result["50"])


def test_two_applications_from_one_municipality_are_named_together() -> None:
    apps = [
        application(app("a", number="5001")),
        application(app("b", number="5006")),
        application(app("c", number="5001")),
    ]
    clashes = municipality_clashes(apps, ["a.yaml", "b.yaml", "c.yaml"])
    assert [(i, d.code, d.loc) for i, d in clashes] == [
        (2, "DUPLICATE_MUNICIPALITY", ("municipality", "number"))
    ]
    message = clashes[0][1].message
    assert "c.yaml" in message and "a.yaml" in message and "5001" in message
    assert "(id a)" in message and "(id c)" in message


def test_one_application_per_municipality_has_no_clash() -> None:
    apps = [application(app("a", number="5001")), application(app("b", number="5006"))]
    assert municipality_clashes(apps, ["a", "b"]) == []


def test_the_same_municipality_in_two_rounds_is_no_clash() -> None:
    first = application(app("a", number="5001"))
    second = first.model_copy(update={"round": "pulje-6", "id": "b"})
    assert municipality_clashes([first, second], ["a", "b"]) == []
