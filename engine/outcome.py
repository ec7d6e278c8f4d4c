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
    inclusion = None
    valued = False  # a need or an advantage met
    for r in results:  # a loop, not next() and any() over generators: one call per unit
        if inclusion is None and r.criterion == inclusion_criterion:
            inclusion = r.status
        if r.status == "met" and (r.role == "need" or r.role == "advantage"):
            valued = True
    if inclusion == "not_met":
        return "excluded"
    if inclusion is None or inclusion == "unknown":
        return "undetermined"
    return "priority" if valued else "included"


def _excluded(units: list[UnitResult]) -> set[tuple[str, str]]:
    """(kind, org number) of each excluded unit: its results count for nothing."""
    return {(u.kind, u.org_number) for u in units if u.status == "excluded"}


def _counted(units: list[UnitResult]) -> Callable[[CriterionResult], bool]:
    """Whether a result counts: its subject is not an excluded unit."""
    excluded = _excluded(units)
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
    excluded = _excluded(units)
    weights = {c.id: c.weight for c in ruleset.criteria}  # not a search per met result
    score = 0
    failed: list[CriterionResult] = []
    unknown_reqs: list[CriterionResult] = []
    met_needs: list[CriterionResult] = []
    unknown_needs: list[CriterionResult] = []
    # one pass over the results (they are a few per unit): requirements count whoever they
    # are for; needs and the score only for subjects that are not excluded units
    for r in results:
        role, status, subject = r.role, r.status, r.subject
        if role == "requirement":
            if status == "not_met":
                failed.append(r)
            elif status == "unknown":
                unknown_reqs.append(r)
        if excluded and (subject.kind, subject.id) in excluded:
            continue
        if status == "met":
            if subject.kind != "application":
                score += weights[r.criterion]
            if role == "need":
                met_needs.append(r)
        elif status == "unknown" and role == "need":
            unknown_needs.append(r)
    outcome: Outcome
    values: dict[str, str] = {}
    if failed:
        outcome, template = "not_recommended", ruleset.summaries.not_recommended_requirement
        values["krav"] = join_list(_describe(r) for r in failed)
    elif met_needs and not unknown_reqs:  # no requirement failed or unknown: all are met
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
