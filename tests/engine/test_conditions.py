"""engine.conditions: the YAML condition grammar, parsed into a tree or refused with codes."""

from __future__ import annotations

from typing import Any

import pytest

from engine.conditions import All, Any_, Compare, ConditionParser, Known, Not, facts_in
from engine.yamlpos import load_positioned

FACT_TYPES = {"motivated": "bool", "high_survey_years": "int", "margin_years": "number"}


def parse(raw: Any, parameters: dict[str, Any] | None = None) -> tuple[Any, list[str]]:
    """Parse one condition; return the tree (or None) and the diagnostics' codes."""
    doc = load_positioned("met: {}\n", "k.yaml")
    parser = ConditionParser(doc, "K1", parameters or {}, FACT_TYPES)
    tree = parser.parse(raw, ("met",))
    return tree, [d.code for d in parser.diagnostics]


def test_a_tree_with_every_combinator() -> None:
    raw = {
        "all": [
            {"fact": "motivated", "eq": True},
            {"any": [{"fact": "high_survey_years", "gte": {"param": "n"}}]},
            {"not": {"fact": "margin_years", "known": False}},
            {"fact": "high_survey_years", "in": [1, 2]},
        ]
    }
    tree, codes = parse(raw, {"n": 2})
    assert codes == []
    assert tree == All(
        (
            Compare("motivated", "eq", True),
            Any_((Compare("high_survey_years", "gte", 2),)),
            Not(Known("margin_years", False)),
            Compare("high_survey_years", "in", (1, 2)),
        )
    )
    assert facts_in(tree) == ["motivated", "high_survey_years", "margin_years"]


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ([], "BAD_CONDITION"),
        ({"all": []}, "BAD_CONDITION"),
        ({"fact": "motivated"}, "BAD_CONDITION"),
        ({"fact": "motivated", "eq": True, "neq": False}, "BAD_CONDITION"),
        ({"fact": "high_survey_years", "gtee": 1}, "BAD_OPERATOR"),
        ({"alle": []}, "BAD_OPERATOR"),
        ({"fact": "klagesaker", "eq": 1}, "UNKNOWN_FACT"),
        ({"fact": "high_survey_years", "gte": {"param": "x"}}, "UNKNOWN_PARAMETER"),
        ({"fact": "high_survey_years", "gte": "to"}, "BAD_TYPE"),
        ({"fact": "motivated", "gt": True}, "BAD_TYPE"),
        ({"fact": "motivated", "known": "ja"}, "BAD_TYPE"),
        ({"fact": "high_survey_years", "in": []}, "BAD_TYPE"),
    ],
)
def test_a_broken_condition_is_refused_with_its_code(raw: Any, code: str) -> None:
    tree, codes = parse(raw)
    assert tree is None and codes == [code]
