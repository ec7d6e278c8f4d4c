"""engine.evaluate: one decision per application, every criterion and subject, stable ids."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine import InvalidApplication, evaluate, load_ruleset
from tests.builders import RULES, application, changed, decide, ruleset


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
