"""Outcome, unit statuses, score and summary (CONTRACT section 2)."""

from __future__ import annotations

from engine.outcome import open_questions
from tests.builders import (
    KINDERGARTEN_A,
    SCHOOL_A,
    changed,
    decide,
)

HIGH = [{"year": y, "percent": 15.0, "respondents": 100} for y in (2017, 2018, 2019)]


def test_baseline_without_need_is_not_recommended() -> None:
    decision = decide(changed())
    assert decision.outcome == "not_recommended"
    assert decision.label == "Ikke anbefalt"
    assert "ingen av behovskriteriene" in decision.summary
    assert {u.status for u in decision.units} == {"included"}


def test_one_need_with_all_requirements_is_recommended() -> None:
    decision = decide(changed(**{"schools.0.bullying": HIGH}))
    assert decision.outcome == "recommended"
    assert decision.label == "Anbefalt"
    assert decision.score == 3
    assert "K1 for Nordby skole" in decision.summary
    assert {u.org_number: u.status for u in decision.units}[SCHOOL_A] == "priority"


def test_failed_requirement_beats_met_need() -> None:
    decision = decide(changed(**{"schools.0.bullying": HIGH, "received": "2020-03-01"}))
    assert decision.outcome == "not_recommended"
    assert "FRIST" in decision.summary


def test_unknown_requirement_with_met_need_is_incomplete() -> None:
    decision = decide(changed(**{"schools.0.bullying": HIGH, "participants.ppt": None}))
    assert decision.outcome == "incomplete"
    # the summary says it in Norwegian; the path is in the criterion's `missing`
    assert "om PPT deltar" in decision.summary and "participants" not in decision.summary


def test_unknown_need_without_met_need_is_incomplete() -> None:
    decision = decide(changed(**{"schools.0.cases": None}))
    assert decision.outcome == "incomplete"
    assert "K2 for Nordby skole: sakene" in decision.summary and "cases" not in decision.summary


def test_unknown_need_of_excluded_unit_does_not_count() -> None:
    decision = decide(changed(**{"schools.0.cases": None, "schools.0.motivated": False}))
    assert decision.outcome == "not_recommended"


def test_municipality_need_counts() -> None:
    supervision = [{"year": 2018, "deficiencies": ["system"]}]
    decision = decide(changed(**{"municipality.supervision": supervision}))
    assert decision.outcome == "recommended"
    assert decision.score == 2


def test_score_sums_weights_of_not_excluded_units() -> None:
    decision = decide(
        changed(
            **{
                "schools.0.bullying": HIGH,  # K1: 3
                "schools.0.cases": [{"year": 2019, "kind": "complaint"}],  # K2: 2
                "kindergartens.0.known_challenges": True,  # K5: 1
                "kindergartens.0.supervision": [{"year": 2017, "deficiencies": ["practice"]}],
                "schools.1.bullying": HIGH,  # excluded below: not counted
                "schools.1.motivated": False,
            }
        )
    )
    assert decision.score == 3 + 2 + 1 + 2
    units = {u.org_number: u.status for u in decision.units}
    assert units[KINDERGARTEN_A] == "priority"


def test_open_questions_separate_what_blocks_from_what_would_add_points() -> None:
    # a need is met (K1 for Nordby), PPT is unknown: only K6 blocks; Sørby's unknown K2
    # could add points, and an excluded unit's unknowns count for nothing
    data = changed(
        **{
            "schools.0.bullying": HIGH,
            "participants.ppt": None,
            "schools.1.cases": None,
            "kindergartens.1.motivated": False,
            "kindergartens.1.supervision": None,
        }
    )
    decision = decide(data)
    blocking, optional = open_questions(decision.criteria, decision.units)
    assert [(r.criterion, r.subject.name) for r in blocking] == [
        ("K6", "søknaden fra Trondheim kommune")
    ]
    assert [(r.criterion, r.subject.name) for r in optional] == [("K2", "Sørby skole")]


def test_with_no_need_met_an_unknown_need_blocks() -> None:
    decision = decide(changed(**{"schools.0.cases": None}))
    blocking, optional = open_questions(decision.criteria, decision.units)
    assert [(r.criterion, r.subject.name) for r in blocking] == [("K2", "Nordby skole")]
    assert optional == []
