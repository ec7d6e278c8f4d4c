"""From criterion statuses to unit statuses, outcome, score and summary (CONTRACT section 2)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from engine.decision import CriterionResult, UnitResult
from engine.ruleset import RuleSet
from engine.text import join_list, render
from engine.types import Outcome, UnitStatus

# Show at most this many missing items in the summary; the criteria list them all.
_SUMMARY_MISSING = 4


# (criterion, subject kind, subject id) -> Norwegian descriptions of what is missing
MissingTexts = dict[tuple[str, str, str], list[str]]


@dataclass(frozen=True)
class OutcomeResult:
    """The outcome of an application with its score and Norwegian summary."""

    outcome: Outcome
    score: int
    summary: str


def unit_status(results: list[CriterionResult], inclusion_criterion: str) -> UnitStatus:
    """A unit's status from its own criterion results."""
    inclusion = next((r.status for r in results if r.criterion == inclusion_criterion), "unknown")
    if inclusion == "not_met":
        return "excluded"
    if inclusion == "unknown":
        return "undetermined"
    if any(r.status == "met" and r.role in ("need", "advantage") for r in results):
        return "priority"
    return "included"


def _counted(units: list[UnitResult]) -> Callable[[CriterionResult], bool]:
    """Whether a result counts: its subject is not an excluded unit."""
    excluded = {(u.kind, u.org_number) for u in units if u.status == "excluded"}
    return lambda r: (r.subject.kind, r.subject.id) not in excluded


def open_questions(
    results: list[CriterionResult], units: list[UnitResult]
) -> tuple[list[CriterionResult], list[CriterionResult]]:
    """The unknown criteria that block the outcome, and those that would only add to it.

    Blocking (rule 3 of CONTRACT 2): an unknown requirement, or an unknown need while no
    need is met. The rest (an unknown need beside a met one, an unknown advantage, a unit's
    unknown inclusion) can change the score or a unit's status, not whether it is decided.
    Excluded units count for nothing and are left out of both.
    """
    counts = _counted(units)
    unknown = [r for r in results if r.status == "unknown" and counts(r)]
    need_met = any(r.status == "met" and r.role == "need" and counts(r) for r in results)
    blocking = [
        r for r in unknown if r.role == "requirement" or (r.role == "need" and not need_met)
    ]
    # by identity: each result is one (criterion, subject), and comparing models field by
    # field for every pair grew with the square of the units
    blocked = {id(r) for r in blocking}
    return blocking, [r for r in unknown if id(r) not in blocked]


def decide_outcome(
    results: list[CriterionResult],
    units: list[UnitResult],
    ruleset: RuleSet,
    missing_texts: MissingTexts | None = None,
) -> OutcomeResult:
    """The outcome in the contract's order: failed requirement, met need, unknowns, else no."""
    counts = _counted(units)
    requirements = [r for r in results if r.role == "requirement"]
    needs = [r for r in results if r.role == "need" and counts(r)]
    weights = {c.id: c.weight for c in ruleset.criteria}  # not a search per met result
    score = sum(
        weights[r.criterion]
        for r in results
        if r.status == "met" and r.subject.kind != "application" and counts(r)
    )
    failed = [r for r in requirements if r.status == "not_met"]
    met_needs = [r for r in needs if r.status == "met"]
    unknown_reqs = [r for r in requirements if r.status == "unknown"]
    unknown_needs = [r for r in needs if r.status == "unknown"]
    outcome: Outcome
    values: dict[str, str] = {}
    if failed:
        outcome, template = "not_recommended", ruleset.summaries.not_recommended_requirement
        values["krav"] = join_list(_describe(r) for r in failed)
    elif met_needs and all(r.status == "met" for r in requirements):
        outcome, template = "recommended", ruleset.summaries.recommended
        values["behov"] = join_list(_describe(r) for r in met_needs)
    elif unknown_reqs or (not met_needs and unknown_needs):
        outcome, template = "incomplete", ruleset.summaries.incomplete
        blocking, _ = open_questions(results, units)
        values["mangler"] = _missing_text(blocking, missing_texts or {})
    else:
        outcome, template = "not_recommended", ruleset.summaries.not_recommended_need
    return OutcomeResult(outcome, score, render(template, values))


def _describe(r: CriterionResult) -> str:
    if r.subject.kind == "application":
        return f"{r.criterion} ({r.title.lower()})"
    return f"{r.criterion} for {r.subject.name}"


def _missing_text(items: list[CriterionResult], texts: MissingTexts) -> str:
    parts: list[str] = []
    for r in items:
        described = texts.get((r.criterion, r.subject.kind, r.subject.id)) or r.missing
        what = join_list(described, empty="ukjent")
        parts.append(f"{_describe(r)}: {what}")
    if len(parts) > _SUMMARY_MISSING:
        rest = len(parts) - _SUMMARY_MISSING
        parts = parts[:_SUMMARY_MISSING] + [f"{rest} til (se kriteriene)"]
    return "; ".join(parts)
