"""Compile criteria conditions into durable-rules condition expressions.

Each (criterion, status, subject kind) becomes one rule over one fact. Negation is
pushed down to the comparisons (De Morgan), so that `not` keeps three-valued
meaning: a comparison on an unknown (absent) fact never holds, negated or not.
"""

from __future__ import annotations

from typing import Any

from engine.conditions import All, Any_, Condition, Known, Not
from engine.ruleset import Criterion, RuleSet
from engine.types import KINDS, STATUSES, Kind, Status

_DURABLE_OP = {"neq": "$neq", "gt": "$gt", "gte": "$gte", "lt": "$lt", "lte": "$lte"}
_NEGATED = {"eq": "neq", "neq": "eq", "gt": "lte", "gte": "lt", "lt": "gte", "lte": "gt"}
_STATUS_NAMES: dict[str, Status] = {s: s for s in STATUSES}
_KIND_NAMES: dict[str, Kind] = {k: k for k in KINDS}


def field_name(criterion: str, fact: str) -> str:
    """The fact property that holds `fact` as computed with `criterion`'s parameters."""
    return f"{criterion}__{fact}"


def rule_name(criterion: str, status: str, kind: str) -> str:
    """The rule that decides `status` of `criterion` for subjects of `kind`."""
    return f"{criterion}|{status}|{kind}"


def parse_rule_name(name: str) -> tuple[str, Status, Kind]:
    """Split a rule name into (criterion, status, kind)."""
    criterion, status, kind = name.split("|")
    return criterion, _STATUS_NAMES[status], _KIND_NAMES[kind]


def compile_condition(cond: Condition, criterion: str, negate: bool = False) -> dict[str, Any]:
    """One durable-rules expression (every dict has exactly one key) for a condition."""
    if isinstance(cond, Not):
        return compile_condition(cond.part, criterion, not negate)
    if isinstance(cond, All | Any_):
        conjunctive = isinstance(cond, All) != negate
        parts = [compile_condition(p, criterion, negate) for p in cond.parts]
        if len(parts) == 1:
            return parts[0]
        return {"$and" if conjunctive else "$or": parts}
    field = field_name(criterion, cond.fact)
    if isinstance(cond, Known):
        return {"$ex" if cond.known != negate else "$nex": {field: 1}}
    if cond.op == "in":
        op = "neq" if negate else "eq"
        parts = [_compare(field, op, v) for v in cond.value]
        if len(parts) == 1:
            return parts[0]
        return {"$and" if negate else "$or": parts}
    return _compare(field, _NEGATED[cond.op] if negate else cond.op, cond.value)


def _compare(field: str, op: str, value: Any) -> dict[str, Any]:
    # The existence guard makes a comparison on an unknown fact false in every
    # operator, whatever durable-rules does with absent properties.
    test = {field: value} if op == "eq" else {_DURABLE_OP[op]: {field: value}}
    return {"$and": [{"$ex": {field: 1}}, test]}


def compile_criterion(criterion: Criterion) -> dict[str, dict[str, Any]]:
    """The rules of one criterion: rule name -> durable-rules condition for one fact."""
    rules: dict[str, dict[str, Any]] = {}
    for status, cond in (("met", criterion.met), ("not_met", criterion.not_met)):
        body = compile_condition(cond, criterion.id)
        for kind in criterion.applies_to:
            rules[rule_name(criterion.id, status, kind)] = {
                "$and": [{"t": kind}, {"stage": criterion.stage}, body]
            }
    return rules


def compile_ruleset(ruleset: RuleSet) -> dict[str, dict[str, Any]]:
    """All rules of a ruleset, ready for engine.runtime.RuleRuntime."""
    rules: dict[str, dict[str, Any]] = {}
    for criterion in ruleset.criteria:
        rules.update(compile_criterion(criterion))
    return rules
