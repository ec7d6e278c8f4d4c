"""Outcome, unit statuses, score and summary (CONTRACT section 2)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine import InvalidApplication, evaluate, load_ruleset
from tests.builders import (
    KINDERGARTEN_A,
    RULES,
    SCHOOL_A,
    application,
    changed,
    decide,
    ruleset,
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
    assert "participants.ppt" in decision.summary


def test_unknown_need_without_met_need_is_incomplete() -> None:
    decision = decide(changed(**{"schools.0.cases": None}))
    assert decision.outcome == "incomplete"
    assert "K2 for Nordby skole" in decision.summary and "(cases)" in decision.summary


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


def test_every_criterion_and_subject_has_one_entry() -> None:
    decision = decide(changed())
    keys = [(r.criterion, r.subject.kind, r.subject.id) for r in decision.criteria]
    assert len(keys) == len(set(keys))
    # FRIST, K6: application; K3, K4: municipality, 2 schools, 2 kindergartens;
    # K1, K2: 2 schools; K5: 2 kindergartens
    assert len(keys) == 2 + 2 * 5 + 2 * 2 + 2


def test_margin_change_in_yaml_changes_the_decision(tmp_path: Path) -> None:
    rules = tmp_path / "pulje-5"
    shutil.copytree(RULES, rules)
    k1 = rules / "criteria" / "k1-hoye-mobbetall.yaml"
    k1.write_text(k1.read_text(encoding="utf-8").replace("margin: 3.0", "margin: 4.0"))
    edge = [{"year": y, "percent": p, "respondents": 100} for y, p in ((2017, 9.6), (2018, 9.1))]
    data = changed(**{"schools.0.bullying": edge})
    assert decide(data).outcome == "recommended"
    changed_rules = load_ruleset(rules)
    after = decide(data, changed_rules)
    assert after.outcome == "not_recommended"
    assert after.ruleset.digest != decide(data).ruleset.digest


def test_decision_is_json_with_contract_keys() -> None:
    payload = decide(changed()).model_dump(mode="json")
    assert set(payload) == {
        "application_id", "ruleset", "outcome", "label", "score", "summary",
        "criteria", "units", "warnings",
    }  # fmt: skip
    assert set(payload["ruleset"]) == {"id", "version", "digest"}
    assert set(payload["criteria"][0]) == {
        "criterion", "title", "role", "subject", "status", "explanation", "evidence", "missing",
    }  # fmt: skip


def test_application_without_id_gets_a_stable_one() -> None:
    data = changed(id=...)
    first, second = decide(data), decide(data)
    assert first.application_id == second.application_id
    assert first.application_id.startswith("s-")


def test_evaluate_refuses_a_county_the_rules_do_not_know() -> None:
    app = application(changed())
    other = app.model_copy(update={"county": "99"})
    with pytest.raises(InvalidApplication) as caught:
        evaluate(other, ruleset())
    assert [d.code for d in caught.value.diagnostics] == ["UNKNOWN_COUNTY"]
