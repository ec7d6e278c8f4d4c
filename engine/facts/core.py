"""What a derived fact is, what it may read, and the one registry of them (VOCABULARY).

Each fact is computed in Python from the application and the criterion's parameters
(like OpenFisca's variables); the conditions that compare them live in YAML.
A value of None means unknown: the fact is left out, and no comparison on it holds.
Each fact declares the parameters it reads, with their types; the loader checks a
criterion's parameters against the declarations of the facts it names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from engine.memo import IdentityMemo
from engine.text import in_sentence
from engine.types import Kind, Status

FactType = Literal["bool", "int", "number"]
# year_list: a non-empty list of years; survey_years: the same, each year with a national
# average in the ruleset's survey section; number: int or float; int: a whole number.
ParamType = Literal["year_list", "survey_years", "number", "int"]


@dataclass(slots=True)
class Derived:
    """A computed fact: value (None = unknown), evidence, template texts, what is missing.

    Read-only by convention, not frozen: a frozen dataclass's `__init__` sets each field
    through `object.__setattr__`, about three times the cost, for ~100 facts an application.
    """

    value: bool | int | float | None
    evidence: dict[str, Any] = field(default_factory=dict)
    texts: dict[str, Any] = field(default_factory=dict)
    missing: list[tuple[str, str]] = field(default_factory=list)
    source: str | None = None  # where the data came from when not from the application


@dataclass(frozen=True)
class SurveySource:
    """Survey figures for a school found outside the application (an import), with their source."""

    surveys: Sequence[Any]
    label: str


@dataclass(frozen=True)
class RecordsSource:
    """The office's own records of a unit or municipality (cases, supervisions), with source.

    A field is None when the office has no record of that kind for the subject.
    """

    cases: Sequence[Any] | None
    supervision: Sequence[Any] | None
    label: str


RecordsLookup = Callable[[str], RecordsSource | None]


def records_key(subject: Any) -> str:
    """The key the office's records use: a unit's org number, a municipality's number."""
    return str(getattr(subject, "org_number", None) or subject.number)


@dataclass(slots=True)
class FactContext:
    """Everything a derived fact may read: the subject, the application, parameters, rules."""

    kind: Kind
    subject: Any
    path: str  # data path of the subject in the application, e.g. "schools[2]"
    application: Any
    params: Mapping[str, Any]
    ruleset: Any
    inclusion: Mapping[str, Status] = field(default_factory=dict)
    survey_lookup: Callable[[str], SurveySource | None] | None = None
    # the application's schools by org number, built once per stage (not once per subject)
    schools_by_org: Mapping[str, Any] = field(default_factory=dict)
    records_lookup: RecordsLookup | None = None
    # what several facts of one criterion derive alike (the survey rows of K1's two facts),
    # computed by the first and read by the others; emptied for each criterion
    memo: dict[str, Any] = field(default_factory=dict)

    def from_records(self, name: str) -> tuple[Sequence[Any] | None, str | None]:
        """The subject's `name` (cases, supervision), else the office's records of it."""
        own = getattr(self.subject, name)
        if own is not None or self.records_lookup is None:
            return own, None
        found = self.records_lookup(records_key(self.subject))
        held = getattr(found, name) if found is not None else None
        return (held, found.label) if found is not None and held is not None else (None, None)


Compute = Callable[[FactContext], Derived]


@dataclass(frozen=True)
class FactDef:
    """The definition of one derived fact, with the parameters it reads and their types."""

    name: str
    kinds: frozenset[Kind]
    type: FactType
    params: Mapping[str, ParamType]
    texts: tuple[str, ...]
    stage: int
    description: str
    compute: Compute


VOCABULARY: dict[str, FactDef] = {}


def fact(
    name: str,
    kinds: Sequence[Kind],
    type_: FactType,
    description: str,
    params: Mapping[str, ParamType] | None = None,
    texts: Sequence[str] = (),
    stage: int = 1,
) -> Callable[[Compute], Compute]:
    """Register the decorated function as the fact `name` (each name once)."""

    def register(fn: Compute) -> Compute:
        if name in VOCABULARY:
            raise ValueError(f"the fact {name!r} is defined twice")
        VOCABULARY[name] = FactDef(
            name,
            frozenset(kinds),
            type_,
            dict(params or {}),
            tuple(texts),
            stage,
            description,
            fn,
        )
        return fn

    return register


def field_title(model: Any, name: str) -> str:
    """A field's Norwegian title from the application schema, for mid-sentence use.

    `field_title(school, "cases")` -> `sakene`. The schema's `Field(title=...)` is the one
    source of field names; a field without a title falls back to its technical name.
    """
    key = (type(model), name)
    found = _field_titles.get(key)
    if found is None:
        # per schema class and field: the same few titles are asked for every unit
        schema = key[0]
        info = schema.model_fields.get(name) if hasattr(schema, "model_fields") else None
        title = info.title if info is not None and info.title else name
        found = _field_titles[key] = in_sentence(title)
    return found


_field_titles: dict[tuple[type, str], str] = {}


_years_of: IdentityMemo[tuple[int, ...]] = IdentityMemo(
    lambda params, _: tuple(int(y) for y in params["years"])
)


def years_in(params: Mapping[str, Any]) -> tuple[int, ...]:
    """The criterion's `years` parameter as ints (made once per parameters)."""
    return _years_of.get(params)
