"""Evaluate one application: facts -> durable-rules -> statuses -> a Norwegian decision."""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Callable, Mapping
from typing import Any

from engine.application import check_round
from engine.compile import compile_ruleset, parse_rule_name
from engine.decision import (
    CriterionResult,
    Decision,
    RulesetRef,
    Subject,
    UnitResult,
    trusted,
)
from engine.facts.build import (
    Derivations,
    SubjectRef,
    build_stage,
    subject_key_of_fact,
    subjects_of,
)
from engine.facts.core import Derived, RecordsLookup, SurveySource, records_key
from engine.memo import IdentityMemo
from engine.outcome import MissingTexts, decide_outcome, unit_status
from engine.ruleset import Criterion, RuleSet
from engine.runtime import Match, RuleRuntime
from engine.text import format_value, join_list, plural, render, sentence_start
from engine.types import UNIT_KINDS, Status

SurveyLookup = Callable[[str], SurveySource | None]

_runtimes: dict[tuple[str, int], RuleRuntime] = {}
_runtimes_lock = threading.Lock()


class RuleConflict(Exception):
    """A criterion was both met and not met for one subject: the rules contradict themselves."""


def runtime_for(ruleset: RuleSet) -> RuleRuntime:
    """The compiled rules of a ruleset in this process (built once per digest and process)."""
    key = (ruleset.digest, os.getpid())
    with _runtimes_lock:
        runtime = _runtimes.get(key)
        if runtime is None:
            name = f"{ruleset.id}-{ruleset.digest[7:19]}"
            runtime = RuleRuntime(name, compile_ruleset(ruleset))
            _runtimes[key] = runtime
        return runtime


def application_id_of(application: Any) -> str:
    """The caller's id, or a stable one derived from the application's content."""
    if application.id:
        return str(application.id)
    canonical = json.dumps(application.model_dump(mode="json"), sort_keys=True)
    return "s-" + hashlib.sha256(canonical.encode()).hexdigest()[:16]


def evaluate(
    application: Any,
    ruleset: RuleSet,
    *,
    survey_lookup: SurveyLookup | None = None,
    records_lookup: RecordsLookup | None = None,
) -> Decision:
    """Evaluate a validated application under a ruleset and explain the decision.

    `survey_lookup` gives imported survey figures of a school that has no `bullying`;
    `records_lookup` the office's own cases and supervisions of a unit (org number) or the
    municipality (kommunenummer) whose `cases` / `supervision` the application leaves out.

    Raises InvalidApplication when the application's round or county is not in the ruleset.
    """
    check_round(application, {ruleset.id: list(ruleset.counties)})
    app_id = application_id_of(application)
    subjects = subjects_of(application, app_id)
    derivations: Derivations = {}
    inclusion_id = ruleset.inclusion_criterion

    def second_stage(matches: list[Match]) -> list[dict[str, Any]]:
        first_inclusion = _statuses(matches).get(inclusion_id, {})
        inclusion: dict[str, Status] = {
            s.id: first_inclusion.get(s.key, "unknown") for s in subjects if s.kind in UNIT_KINDS
        }
        return build_stage(
            application, ruleset, subjects, 2, derivations, inclusion, survey_lookup, records_lookup
        )

    facts = build_stage(
        application, ruleset, subjects, 1, derivations, None, survey_lookup, records_lookup
    )
    matches = runtime_for(ruleset).evaluate(facts, then=second_stage)
    statuses = _statuses(matches)

    results: list[CriterionResult] = []
    missing_texts: MissingTexts = {}
    # per subject once: its Subject (shared by its results; frozen) and its name as it
    # starts an explanation's sentence
    shown = {
        s.key: (
            trusted(Subject, {"kind": s.kind, "id": s.id, "name": s.name}),
            sentence_start(s.name),
        )
        for s in subjects
    }
    # each subject's own results, grouped as they are made (scanning all results for each
    # unit made the cost per unit grow with the number of units)
    own: dict[str, list[CriterionResult]] = {s.key: [] for s in subjects}
    for criterion in ruleset.criteria:
        parameters = _shown_parameters(criterion.parameters)  # once per criterion
        decided = statuses.get(criterion.id, {})
        derived = derivations[criterion.id]
        for subject in subjects:
            if subject.kind not in criterion.applies_to:
                continue
            key = subject.key
            result, texts = _result(
                criterion,
                parameters,
                subject,
                decided.get(key, "unknown"),
                derived[key],
                *shown[key],
            )
            results.append(result)
            own[key].append(result)
            if texts:  # the summary falls back to the result's own (empty) list of paths
                missing_texts[(criterion.id, subject.kind, subject.id)] = texts

    units = _units(subjects, own, ruleset)
    outcome = decide_outcome(results, units, ruleset, missing_texts)
    # built from values that are valid by construction: validating them again was a
    # pydantic round trip per criterion and subject (tests/engine/test_pinned_decisions.py
    # holds the JSON byte for byte)
    return trusted(
        Decision,
        {
            "application_id": app_id,
            "ruleset": trusted(
                RulesetRef,
                {"id": ruleset.id, "version": ruleset.version, "digest": ruleset.digest},
            ),
            "outcome": outcome.outcome,
            "label": ruleset.labels.outcome[outcome.outcome],
            "score": outcome.score,
            "summary": outcome.summary,
            "criteria": results,
            "units": units,
            "warnings": _warnings(application) + _record_warnings(application, records_lookup),
        },
    )


_rule_names: dict[str, tuple[str, Status]] = {}  # rule name -> (criterion, status), parsed once


def _statuses(matches: list[Match]) -> dict[str, dict[str, Status]]:
    """criterion -> subject key -> the status its rules matched."""
    out: dict[str, dict[str, Status]] = {}
    for rule, fact_id in matches:
        parsed = _rule_names.get(rule)
        if parsed is None:
            criterion, status, _kind = parse_rule_name(rule)
            parsed = _rule_names[rule] = (criterion, status)
        criterion, status = parsed
        key = subject_key_of_fact(fact_id)
        by_subject = out.get(criterion)
        if by_subject is None:
            by_subject = out[criterion] = {}
        elif by_subject.get(key, status) != status:
            raise RuleConflict(
                f"Kriteriet {criterion} er både oppfylt og ikke oppfylt for {key}: "
                "betingelsene «met» og «not_met» overlapper."
            )
        by_subject[key] = status
    return out


def _result(
    criterion: Criterion,
    parameters: Mapping[str, Any],
    subject: SubjectRef,
    status: Status,
    facts: dict[str, Derived],
    shown: Subject,
    subject_text: str,
) -> tuple[CriterionResult, list[str]]:
    values: dict[str, Any] = dict(parameters)  # the criterion's, as its templates show them
    evidence: dict[str, Any] = {}
    missing: list[tuple[str, str]] = []
    unknown = status == "unknown"  # only an unknown status lists what is missing
    sources: list[str] = []
    for name, derived in facts.items():
        values[name] = evidence[name] = derived.value
        if derived.texts:
            values.update(derived.texts)
        if derived.evidence:
            evidence.update(derived.evidence)
        if unknown:
            for item in derived.missing:
                if item not in missing:
                    missing.append(item)
        if derived.source and derived.source not in sources:
            sources.append(derived.source)
    values["subject"] = subject_text
    values["missing"] = join_list([text for _, text in missing]) if missing else "ingen"
    explanation = render(criterion.explanation[status], values)
    if sources:  # the data came from the office's records, not from the application
        explanation += f" Kilde: {join_list(sources)}."
    result = trusted(
        CriterionResult,
        {
            "criterion": criterion.id,
            "title": criterion.title,
            "role": criterion.roles[subject.kind],
            "subject": shown,
            "status": status,
            "explanation": explanation,
            "evidence": evidence,
            # most results miss nothing: no comprehension (a function call in 3.11) for them
            "missing": [path for path, _ in missing] if missing else [],
        },
    )
    return result, [text for _, text in missing] if missing else []


def _format_parameters(parameters: Mapping[str, Any], _: Any) -> dict[str, Any]:
    return {
        name: value if type(value) is int else format_value(value)
        for name, value in parameters.items()
    }


_shown: IdentityMemo[dict[str, Any]] = IdentityMemo(_format_parameters)


def _shown_parameters(parameters: Mapping[str, Any]) -> dict[str, Any]:
    """A criterion's parameters as its templates show them, formatted once per ruleset.

    Lists, numbers with decimals and dates are formatted here (a year list was joined anew
    for every explanation); ints stay ints, as `{n:dag|dager}` words them by their number.
    """
    return _shown.get(parameters)


def _units(
    subjects: list[SubjectRef], own: dict[str, list[CriterionResult]], ruleset: RuleSet
) -> list[UnitResult]:
    units = []
    for subject in subjects:
        kind = subject.kind
        if kind not in UNIT_KINDS:
            continue
        status = unit_status(own.get(subject.key, []), ruleset.inclusion_criterion)
        units.append(
            trusted(
                UnitResult,
                {
                    "kind": kind,
                    "org_number": subject.id,
                    "name": subject.name,
                    "status": status,
                    "label": ruleset.labels.unit[status],
                },
            )
        )
    return units


def _warnings(application: Any) -> list[str]:
    schools = {s.org_number for s in application.schools}
    out = []
    for kg in application.kindergartens:
        for number in kg.feeds_schools or []:
            if number not in schools:
                out.append(
                    f"{kg.name} oppgir at barn går videre til skolen {number}, "
                    "som ikke er med i søknaden."
                )
    return out


def _case_key(case: Any) -> tuple[Any, ...]:
    return (case.year, case.kind, bool(case.complex), case.months_open)


def _supervision_key(supervision: Any) -> tuple[Any, ...]:
    return (supervision.year, tuple(sorted(set(supervision.deficiencies))))


def _record_warnings(application: Any, records_lookup: RecordsLookup | None) -> list[str]:
    """A warning for each subject whose stated cases or supervisions differ from the records.

    What the application states is used; the warning names both, so the office can check.
    """
    if records_lookup is None:
        return []
    out = []
    subjects = [application.municipality, *application.schools, *application.kindergartens]
    for subject in subjects:
        found = records_lookup(records_key(subject))
        if found is None:
            continue
        for name, key, one, many in (
            ("cases", _case_key, "sak", "saker"),
            ("supervision", _supervision_key, "tilsyn", "tilsyn"),
        ):
            stated, held = getattr(subject, name, None), getattr(found, name)
            if stated is None or held is None:
                continue
            if sorted(map(key, stated)) != sorted(map(key, held)):
                said, known = plural(len(stated), one, many), plural(len(held), one, many)
                out.append(
                    f"{sentence_start(subject.name)}: søknaden oppgir {said} "
                    f"({_listed(stated, key)}), men {found.label} har {known} "
                    f"({_listed(held, key)}). Vurderingen bruker søknadens opplysninger; "
                    "kontroller hvilke som er riktige."
                )
    return out


def _listed(items: Any, key: Callable[[Any], tuple[Any, ...]]) -> str:
    years = [str(key(item)[0]) for item in sorted(items, key=key)]
    return "år " + join_list(years) if years else "ingen"
