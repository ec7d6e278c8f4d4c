"""The decision and ranking formats of CONTRACT sections 3 and 4 (pydantic, serialised as JSON)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from engine.types import Kind, Outcome, Role, Status, UnitKind, UnitStatus


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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
