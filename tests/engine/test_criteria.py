"""Each pulje-5 criterion's met, not met and unknown, with the boundaries of CONTRACT section 2."""

from __future__ import annotations

from typing import Any

import pytest

from tests.builders import (
    KINDERGARTEN_A,
    SCHOOL_A,
    SCHOOL_B,
    changed,
    decide,
    result,
    status,
)


def figures(*rows: tuple[int, Any, Any]) -> list[dict[str, Any]]:
    return [{"year": y, "percent": p, "respondents": r} for y, p, r in rows]


# --- FRIST ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("county", "received", "expected"),
    [
        ("50", "2020-02-01", "met"),  # on the deadline
        ("50", "2020-02-02", "not_met"),
        ("18", "2020-02-10", "met"),  # Nordland's own deadline 14 February
        ("18", "2020-02-14", "met"),
        ("18", "2020-02-15", "not_met"),
        ("50", ..., "unknown"),
    ],
)
def test_frist(county: str, received: Any, expected: str) -> None:
    number = {"50": "5001", "18": "1804"}[county]  # a kommunenummer begins with its county
    decision = decide(changed(county=county, received=received, **{"municipality.number": number}))
    assert status(decision, "FRIST") == expected
    if expected == "unknown":
        assert result(decision, "FRIST").missing == ["received"]
        assert decision.outcome == "incomplete"


def test_frist_explanation_names_dates() -> None:
    r = result(decide(changed(received="2020-02-05")), "FRIST")
    assert "5. februar 2020" in r.explanation and "1. februar 2020" in r.explanation
    assert r.evidence["days_after_deadline"] == 4


# --- K1 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # exactly on the threshold (average + 3,0) counts as high: 9,6 / 9,1 / 9,0
        (figures((2017, 9.6, 100), (2018, 9.1, 100), (2019, 3.0, 100)), "met"),
        (figures((2017, 3.0, 100), (2018, 9.1, 100), (2019, 9.0, 100)), "met"),
        # just under the threshold
        (figures((2017, 9.5, 100), (2018, 9.0, 100), (2019, 8.9, 100)), "not_met"),
        # one high year, one unknown (suppressed): could still reach two
        (
            [
                {"year": 2017, "percent": 12.0, "respondents": 100},
                {"year": 2018, "percent": None, "respondents": None, "suppressed": True},
                {"year": 2019, "percent": 2.0, "respondents": 100},
            ],
            "unknown",
        ),
        # under 10 respondents counts as unknown, not as high
        (figures((2017, 12.0, 100), (2018, 30.0, 9), (2019, 2.0, 100)), "unknown"),
        # exactly 10 respondents is published
        (figures((2017, 12.0, 100), (2018, 30.0, 10), (2019, 2.0, 100)), "met"),
        # a missing year is unknown
        (figures((2017, 12.0, 100), (2019, 2.0, 100)), "unknown"),
        # one high year and two known low years: cannot reach two
        (figures((2017, 12.0, 100), (2018, 2.0, 100), (2019, 2.0, 100)), "not_met"),
        # years outside 2017-2019 do not count
        (
            figures(
                (2015, 20.0, 100),
                (2016, 20.0, 100),
                (2017, 2.0, 100),
                (2018, 2.0, 100),
                (2019, 2.0, 100),
            ),
            "not_met",
        ),  # fmt: skip
        (None, "unknown"),
        ([], "unknown"),
    ],
)
def test_k1(rows: Any, expected: str) -> None:
    decision = decide(changed(**{"schools.0.bullying": rows}))
    assert status(decision, "K1", SCHOOL_A) == expected


def test_k1_explanation_quotes_figures_with_decimal_comma() -> None:
    rows = figures((2017, 9.6, 100), (2018, 9.1, 100), (2019, 3.0, 100))
    r = result(decide(changed(**{"schools.0.bullying": rows})), "K1", SCHOOL_A)
    assert "9,6 %" in r.explanation and "terskel 9,6 %" in r.explanation
    assert r.evidence["high_survey_years"] == 2
    assert [row["status"] for row in r.evidence["survey"]] == ["high", "high", "not_high"]


def test_k1_unknown_lists_missing_years() -> None:
    rows = figures((2017, 12.0, 100), (2019, 2.0, 100))
    r = result(decide(changed(**{"schools.0.bullying": rows})), "K1", SCHOOL_A)
    assert r.missing == ["schools[0].bullying[year=2018]"]
    assert "2018" in r.explanation


# --- K2 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cases", "expected"),
    [
        ([{"year": 2019, "kind": "complaint"}], "met"),
        ([{"year": 2018, "kind": "other", "complex": True}], "met"),
        ([{"year": 2017, "kind": "other", "months_open": 6}], "met"),
        ([{"year": 2017, "kind": "other", "months_open": 5}], "not_met"),
        ([{"year": 2016, "kind": "complaint"}, {"year": 2020, "kind": "complaint"}], "not_met"),
        ([], "not_met"),
        (None, "unknown"),
        (..., "unknown"),
    ],
)
def test_k2(cases: Any, expected: str) -> None:
    decision = decide(changed(**{"schools.0.cases": cases}))
    assert status(decision, "K2", SCHOOL_A) == expected


# --- K3 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("supervision", "expected"),
    [
        ([{"year": 2016, "deficiencies": ["practice"]}], "met"),
        ([{"year": 2019, "deficiencies": ["routines", "system"]}], "met"),
        ([{"year": 2019, "deficiencies": []}], "not_met"),
        ([{"year": 2015, "deficiencies": ["system"]}], "not_met"),
        ([], "not_met"),
        (None, "unknown"),
    ],
)
@pytest.mark.parametrize(
    ("path", "subject"),
    [
        ("municipality", "5001"),
        ("schools.1", SCHOOL_B),
        ("kindergartens.0", KINDERGARTEN_A),
    ],
)
def test_k3(supervision: Any, expected: str, path: str, subject: str) -> None:
    decision = decide(changed(**{f"{path}.supervision": supervision}))
    assert status(decision, "K3", subject) == expected


# --- K4 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"), [(True, "met"), (False, "not_met"), (None, "unknown")]
)
def test_k4_municipality_is_a_requirement(value: Any, expected: str) -> None:
    decision = decide(changed(**{"municipality.motivated": value}))
    assert status(decision, "K4", "5001") == expected
    assert result(decision, "K4", "5001").role == "requirement"
    if value is False:
        assert decision.outcome == "not_recommended"


@pytest.mark.parametrize(
    ("value", "unit_status"), [(True, "included"), (False, "excluded"), (None, "undetermined")]
)
def test_k4_unit_decides_inclusion(value: Any, unit_status: str) -> None:
    decision = decide(changed(**{"schools.1.motivated": value}))
    assert result(decision, "K4", SCHOOL_B).role == "inclusion"
    assert {u.org_number: u.status for u in decision.units}[SCHOOL_B] == unit_status


def test_excluded_school_needs_do_not_count() -> None:
    high = figures((2017, 20.0, 100), (2018, 20.0, 100), (2019, 20.0, 100))
    decision = decide(changed(**{"schools.1.bullying": high, "schools.1.motivated": False}))
    assert status(decision, "K1", SCHOOL_B) == "met"
    assert decision.outcome == "not_recommended"
    assert decision.score == 0


# --- K5 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("feeds", "challenges", "school_b_motivated", "expected"),
    [
        ([SCHOOL_B], False, True, "met"),
        ([SCHOOL_B], False, None, "met"),  # an undetermined school is not excluded
        ([SCHOOL_B], False, False, "not_met"),  # feeds only an excluded school
        ([], True, True, "met"),
        ([], False, True, "not_met"),
        (None, False, True, "unknown"),
        ([], None, True, "unknown"),
        (None, True, True, "met"),
        (["974760673"], False, True, "not_met"),  # a school outside the application
    ],
)
def test_k5(feeds: Any, challenges: Any, school_b_motivated: Any, expected: str) -> None:
    decision = decide(
        changed(
            **{
                "kindergartens.0.feeds_schools": feeds,
                "kindergartens.0.known_challenges": challenges,
                "schools.1.motivated": school_b_motivated,
            }
        )
    )
    assert status(decision, "K5", KINDERGARTEN_A) == expected


def test_k5_warns_about_school_outside_application() -> None:
    decision = decide(changed(**{"kindergartens.0.feeds_schools": ["974760673"]}))
    assert any("974760673" in w for w in decision.warnings)


# --- K6 ------------------------------------------------------------------------------

PRIVATE = {"name": "Privat AS", "private": True, "participates": True}


@pytest.mark.parametrize(
    ("paths", "expected"),
    [
        ({}, "met"),
        ({"participants.ppt": False}, "not_met"),
        ({"participants.school_owner": False}, "not_met"),
        ({"participants.kindergarten_owner": None}, "unknown"),
        ({"participants.ppt": None, "participants.school_owner": False}, "not_met"),
        ({"schools.0.motivated": False, "schools.1.motivated": False}, "not_met"),
        ({"schools.0.motivated": False, "schools.1.motivated": None}, "unknown"),
        ({"schools.0.motivated": None}, "met"),  # the other school is in
        ({"kindergartens.0.motivated": False, "kindergartens.1.motivated": False}, "not_met"),
        ({"schools.0.owner": PRIVATE}, "met"),
        ({"schools.0.owner": {**PRIVATE, "participates": False}}, "not_met"),
        ({"kindergartens.1.owner": {**PRIVATE, "participates": None}}, "unknown"),
        ({"schools.0.owner": {**PRIVATE, "private": False, "participates": None}}, "met"),
        ({"kindergartens": []}, "not_met"),
    ],
)
def test_k6(paths: dict[str, Any], expected: str) -> None:
    decision = decide(changed(**paths))
    assert status(decision, "K6") == expected


def test_k6_unknown_names_what_is_missing() -> None:
    decision = decide(changed(**{"participants.ppt": None}))
    assert result(decision, "K6").missing == ["participants.ppt"]
    assert "PPT" in result(decision, "K6").explanation
