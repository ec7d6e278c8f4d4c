"""Turn an application into flat facts per subject (one per stage), computing the derived values."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from engine.compile import field_name
from engine.facts.core import VOCABULARY, Derived, FactContext, RecordsLookup, SurveySource
from engine.ruleset import Criterion, RuleSet
from engine.types import Kind, Status


class SubjectRef:
    """A subject that criteria are judged for, with its place in the application.

    `key` is the subject's fact id, unique within one evaluation (made once: it is read
    for every criterion and match). Read-only by convention, like `Derived`: a frozen
    dataclass sets each field through `object.__setattr__`, for every subject of every
    application.
    """

    __slots__ = ("kind", "id", "name", "path", "obj", "key")

    def __init__(self, kind: Kind, id: str, name: str, path: str, obj: Any) -> None:
        self.kind = kind
        self.id = id
        self.name = name
        self.path = path
        self.obj = obj
        self.key = f"{kind}:{id}"

    def __repr__(self) -> str:
        return f"SubjectRef({self.kind!r}, {self.id!r}, {self.name!r}, {self.path!r})"


_ENDS_IN_KOMMUNE = re.compile(r"(^|\s)kommune$", re.IGNORECASE)


def municipality_name(name: str) -> str:
    """`Trondheim` -> `Trondheim kommune`; `Malvik kommune` stays as it is."""
    name = name.strip()
    return name if _ENDS_IN_KOMMUNE.search(name) else f"{name} kommune"


def subjects_of(application: Any, application_id: str) -> list[SubjectRef]:
    """The application, its municipality, its schools and its kindergartens, in that order."""
    muni = application.municipality
    out = [
        SubjectRef(
            "application",
            application_id,
            # lower case: the name is used mid-sentence ("FRIST for søknaden fra …")
            f"søknaden fra {municipality_name(muni.name)}",
            "",
            application,
        ),
        SubjectRef("municipality", muni.number, municipality_name(muni.name), "municipality", muni),
    ]
    for i, school in enumerate(application.schools):
        out.append(SubjectRef("school", school.org_number, school.name, f"schools[{i}]", school))
    for i, kg in enumerate(application.kindergartens):
        out.append(SubjectRef("kindergarten", kg.org_number, kg.name, f"kindergartens[{i}]", kg))
    return out


# criterion -> subject key -> its facts (by criterion first: a result finds them without
# making a key tuple)
Derivations = dict[str, dict[str, dict[str, Derived]]]


def build_stage(
    application: Any,
    ruleset: RuleSet,
    subjects: list[SubjectRef],
    stage: int,
    derivations: Derivations,
    inclusion: Mapping[str, Status] | None = None,
    survey_lookup: Callable[[str], SurveySource | None] | None = None,
    records_lookup: RecordsLookup | None = None,
) -> list[dict[str, Any]]:
    """The facts of one stage, recording each derived value in `derivations`.

    One fact per subject that a criterion of the stage applies to (in stage 2, only the
    application and the kindergartens under pulje 5).
    """
    facts: list[dict[str, Any]] = []
    schools_by_org = {s.org_number: s for s in application.schools}
    # each criterion of the stage with its fact functions and where its derived facts go
    criteria = [
        (c, _computes(c), derivations.setdefault(c.id, {}))
        for c in ruleset.criteria
        if c.stage == stage
    ]
    # one context for the stage, moved from subject to subject (made per subject, its
    # __init__ was a noticeable share of building the facts)
    ctx: FactContext | None = None
    for subject in subjects:
        key = subject.key
        fact: dict[str, Any] = {"id": f"{key}#{stage}", "t": subject.kind, "stage": stage}
        applied = False
        for criterion, computes, made in criteria:
            if subject.kind not in criterion.applies_to:
                continue
            if ctx is None:
                ctx = FactContext(
                    kind=subject.kind,
                    subject=subject.obj,
                    path=subject.path,
                    application=application,
                    params=criterion.parameters,
                    ruleset=ruleset,
                    inclusion=inclusion or {},
                    survey_lookup=survey_lookup,
                    records_lookup=records_lookup,
                    schools_by_org=schools_by_org,
                )
            else:
                ctx.kind, ctx.subject, ctx.path = subject.kind, subject.obj, subject.path
                ctx.params = criterion.parameters
                ctx.memo = {}
            applied = True
            computed: dict[str, Derived] = {}
            for name, compute, prop in computes:
                derived = computed[name] = compute(ctx)
                if derived.value is not None:
                    fact[prop] = derived.value
            made[key] = computed
        if applied:  # a fact no rule of this stage is for would match only the catch-all
            facts.append(fact)
    return facts


_Compute = tuple[str, Callable[[FactContext], Derived], str]
_computes_of: dict[tuple[str, tuple[str, ...]], tuple[_Compute, ...]] = {}


def _computes(criterion: Criterion) -> tuple[_Compute, ...]:
    """(fact name, its compute function, its field in the fact) for each fact of a criterion.

    Looked up once per criterion id and fact names (the registry and the field names are the
    same for every application).
    """
    key = (criterion.id, criterion.facts)
    found = _computes_of.get(key)
    if found is None:
        found = _computes_of[key] = tuple(
            (name, VOCABULARY[name].compute, field_name(criterion.id, name))
            for name in criterion.facts
        )
    return found


def subject_key_of_fact(fact_id: str) -> str:
    """`school:974123456#1` -> `school:974123456`."""
    return fact_id.rsplit("#", 1)[0]
