"""The loaded rules: a RuleSet of Criterion objects with the round's dates, counties and texts.

engine.loader builds these from a rules folder; everything else only reads them.
"""

# pydantic models: no postponed annotations (docs/ARCHITECTURE.md, «Start-up»)

import datetime as dt
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from engine.conditions import Condition
from engine.types import Kind, Outcome, Role, Status, UnitStatus


class RulesModel(BaseModel):
    """Base of the rules files' schemas: unknown keys refused, values frozen and strictly typed."""

    # defer_build: each file's schema (engine.loader) is built whole when the first folder is
    # loaded, taking these tables in; their own validators, never used alone, are not built
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, defer_build=True)


class RoundDates(RulesModel):
    """The round's dates."""

    application_deadline: dt.date
    startup_gathering: dt.date
    project_start: dt.date
    project_end: dt.date
    selection: str


class SurveyPolicy(RulesModel):
    """How Elevundersøkelsen figures are read."""

    indicator: str
    min_respondents: int = Field(ge=0)
    national_average: dict[int, float]


class County(RulesModel):
    """A county governor's office: its deadline and how many it may recommend."""

    name: str
    deadline: dt.date
    capacity: int = Field(ge=0)


class Labels(RulesModel):
    """The Norwegian labels a rådgiver may change: every value of each table is named."""

    outcome: dict[Outcome, str]
    unit: dict[UnitStatus, str]
    status: dict[Status, str]
    kind: dict[Kind, str]  # what a criterion is judged for
    role: dict[Role, str]  # what a criterion is for its subject


class Summaries(RulesModel):
    """Templates for the decision's summary sentence."""

    recommended: str
    not_recommended_requirement: str
    incomplete: str
    not_recommended_need: str


@dataclass(frozen=True)
class Criterion:
    """One compiled criterion."""

    id: str
    title: str
    description: str
    source: tuple[str, ...]
    applies_to: tuple[Kind, ...]
    roles: dict[Kind, Role]
    weight: int
    parameters: dict[str, Any]
    met: Condition
    not_met: Condition
    explanation: dict[str, str]
    facts: tuple[str, ...]
    stage: int
    file: str
    line: int = 1

    def role_for(self, kind: Kind) -> Role:
        """The criterion's role for a subject kind."""
        return self.roles[kind]


@dataclass(frozen=True)
class RuleSet:
    """A validated rules folder, ready to evaluate with."""

    id: str
    version: str
    title: str
    source: str
    round: RoundDates
    survey: SurveyPolicy
    counties: dict[str, County]
    inclusion_criterion: str
    office: str  # the county governor's office as texts name it: Fylkesmannen (2020)
    labels: Labels
    summaries: Summaries
    criteria: tuple[Criterion, ...]
    digest: str
    folder: str

    def criterion(self, cid: str) -> Criterion:
        """The criterion with this id."""
        for c in self.criteria:
            if c.id == cid:
                return c
        raise KeyError(cid)
