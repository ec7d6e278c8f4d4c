"""engine.compile: conditions become single-key durable-rules expressions, negation pushed down."""

from __future__ import annotations

from typing import Any

from engine.compile import (
    compile_condition,
    compile_criterion,
    compile_ruleset,
    field_name,
    parse_rule_name,
    rule_name,
)
from engine.conditions import All, Any_, Compare, Known, Not
from tests.builders import ruleset

F = "K1__high_survey_years"


def single_keyed(expression: Any) -> bool:
    """Every mapping in the expression has exactly one key (durable-rules reads only the first)."""
    if isinstance(expression, dict):
        return len(expression) == 1 and all(single_keyed(v) for v in expression.values())
    if isinstance(expression, list):
        return all(single_keyed(v) for v in expression)
    return True


def test_a_comparison_is_guarded_by_existence() -> None:
    assert compile_condition(Compare("high_survey_years", "gte", 2), "K1") == {
        "$and": [{"$ex": {F: 1}}, {"$gte": {F: 2}}]
    }
    assert compile_condition(Compare("high_survey_years", "eq", 2), "K1") == {
        "$and": [{"$ex": {F: 1}}, {F: 2}]
    }


def test_not_is_pushed_down_and_keeps_unknown_unknown() -> None:
    # not (x >= 2) is x < 2 on a known x: an unknown x satisfies neither
    assert compile_condition(Not(Compare("high_survey_years", "gte", 2)), "K1") == {
        "$and": [{"$ex": {F: 1}}, {"$lt": {F: 2}}]
    }
    assert compile_condition(Not(Known("high_survey_years", True)), "K1") == {"$nex": {F: 1}}


def test_de_morgan_for_all_any_and_in() -> None:
    both = All((Compare("high_survey_years", "gt", 1), Compare("high_survey_years", "lt", 3)))
    assert list(compile_condition(both, "K1")) == ["$and"]
    assert list(compile_condition(Not(both), "K1")) == ["$or"]
    assert list(compile_condition(Any_(both.parts), "K1")) == ["$or"]
    among = Compare("high_survey_years", "in", (1, 2))
    assert list(compile_condition(among, "K1")) == ["$or"]
    negated = compile_condition(Not(among), "K1")
    assert list(negated) == ["$and"] and {"$neq": {F: 1}} in negated["$and"][0]["$and"]


def test_rule_names_round_trip() -> None:
    assert rule_name("K1", "not_met", "school") == "K1|not_met|school"
    assert parse_rule_name("K1|not_met|school") == ("K1", "not_met", "school")
    assert field_name("K1", "high_survey_years") == F


def test_each_criterion_gives_one_rule_per_status_and_kind() -> None:
    rs = ruleset()
    k3 = rs.criterion("K3")
    rules = compile_criterion(k3)
    assert sorted(rules) == sorted(
        rule_name("K3", status, kind)
        for status in ("met", "not_met")
        for kind in ("municipality", "school", "kindergarten")
    )
    school_met = rules[rule_name("K3", "met", "school")]["$and"]
    assert school_met[:2] == [{"t": "school"}, {"stage": k3.stage}]
    everything = compile_ruleset(rs)
    assert len(everything) == sum(2 * len(c.applies_to) for c in rs.criteria)
    assert all(single_keyed(expression) for expression in everything.values())
