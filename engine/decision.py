"""The decision and ranking formats of CONTRACT sections 3 and 4 (pydantic, serialised as JSON)."""

# pydantic models: no postponed annotations (docs/ARCHITECTURE.md, «Start-up»)

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from engine.types import Kind, Outcome, Role, Status, UnitKind, UnitStatus


class _Model(BaseModel):
    # built on first use, with no postponed annotations (docs/ARCHITECTURE.md, «Start-up»):
    # `utvalg evaluate --format text` neither validates nor serialises a decision
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


_M = TypeVar("_M", bound=_Model)
_new = object.__new__
_every_field: dict[type, set[str]] = {}
_set = object.__setattr__


def trusted(model: type[_M], values: dict[str, Any]) -> _M:
    """A model made from values the engine built to fit it (every field, right types), unchecked.

    What `model_construct` does in the end, without its Python loop over the fields (it was
    slower than validating). Only for the engine's own output: the pinned decisions test
    (tests/engine/test_pinned_decisions.py) holds the JSON byte for byte.
    """
    obj = _new(model)
    _set(obj, "__dict__", values)
    fields = _every_field.get(model)
    if fields is None or len(values) != len(fields):
        fields = set(values)
        if len(fields) == len(model.model_fields):
            _every_field[model] = fields
    # every field given (the engine's case): one set per model, shared. The models are
    # frozen, so pydantic never adds to it; model_copy copies it.
    _set(obj, "__pydantic_fields_set__", fields)
    _set(obj, "__pydantic_extra__", None)
    _set(obj, "__pydantic_private__", None)
    return obj


class RulesetRef(_Model):
    """Which rules produced a decision: id, version and a digest of the rule files."""

    id: str
    version: str
    digest: str


class Subject(_Model):
    """What a criterion was judged for."""

    kind: Kind
    id: str
    name: str


class CriterionResult(_Model):
    """One criterion judged for one subject, with its Norwegian explanation."""

    criterion: str
    title: str
    role: Role
    subject: Subject
    status: Status
    explanation: str
    evidence: dict[str, Any] = Field(default_factory=dict)
    missing: list[str] = Field(default_factory=list)


class UnitResult(_Model):
    """A school or kindergarten and whether it takes part."""

    kind: UnitKind
    org_number: str
    name: str
    status: UnitStatus
    label: str


class Decision(_Model):
    """The full decision for one application (CONTRACT section 3)."""

    application_id: str
    ruleset: RulesetRef
    outcome: Outcome
    label: str
    score: int
    summary: str
    criteria: list[CriterionResult]
    units: list[UnitResult]
    warnings: list[str] = Field(default_factory=list)


class RankEntry(_Model):
    """One application's place in its county."""

    rank: int
    application_id: str
    outcome: Outcome
    score: int
    within_capacity: bool


class CountyRanking(_Model):
    """The ranking of one county against its capacity."""

    county: str
    capacity: int
    ranking: list[RankEntry]


class Ranking(_Model):
    """Rankings per county (CONTRACT section 4, `utvalg rank --format json`)."""

    counties: list[CountyRanking]
