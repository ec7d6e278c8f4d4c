"""Response and request shapes of the HTTP API beyond the engine's own (for OpenAPI)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.settings import Settings
from engine import Application, Decision
from engine.decision import RulesetRef
from engine.types import Outcome

# the published limit: the default of UTVALG_MAX_BATCH, which api/http/inputs.py enforces
MAX_BATCH = Settings.model_fields["max_batch"].default


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EvaluatedDecision(Decision):
    """A decision as the API returns it: with its evaluation, case and version."""

    evaluation_id: str = Field(
        description="Vurderingens id i beslutningsloggen (`ev-…`), som i `Location`."
    )
    case_id: str | None = Field(description="Saken søknaden hører til: `{runde}:{kommunenummer}`.")
    case_version: int | None = Field(
        description="Versjonen av søknaden i saken som ble vurdert (1, 2, …).", ge=1
    )


def with_evaluation_id(
    decision_json: str, evaluation_id: str, case_id: str | None, case_version: int | None
) -> str:
    """The decision's JSON text with its evaluation, case and version first (not parsed again)."""
    body = decision_json.lstrip()
    assert body.startswith("{") and body != "{}", "a decision is a non-empty JSON object"
    head = json.dumps(
        {"evaluation_id": evaluation_id, "case_id": case_id, "case_version": case_version}
    )
    return head[:-1] + ", " + body[1:]


class ErrorItem(_Model):
    """One problem: where (`loc`), a stable code, and a Norwegian message."""

    loc: list[str | int]
    code: str
    msg: str
    line: int | None = None
    column: int | None = None
    file: str | None = None


class ProblemBody(_Model):
    """An application/problem+json body (RFC 9457) with the `errors` list."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[ErrorItem]
    instance: str | None = None


class BatchRequest(_Model):
    """Several applications to evaluate (at most 1,000; the body at most 1 MiB)."""

    applications: list[Application] = Field(min_length=1, max_length=MAX_BATCH)


class RankingRequest(_Model):
    """Rank the given applications, or the stored evaluations of one county."""

    applications: list[Application] | None = Field(
        default=None,
        description="Søknader som vurderes (uten å lagres) og rangeres.",
        min_length=1,
        max_length=MAX_BATCH,
    )
    county: str | None = Field(
        default=None,
        description="Ranger siste lagrede vurdering av hver søknad i dette fylket.",
        pattern=r"^\d{2}$",
    )
    round: str | None = Field(
        default=None, description="Runde (regelsett) for `county`; standard: den eneste lastede."
    )


class MunicipalityRef(_Model):
    """A municipality by number and name (the application's `Municipality` has more fields)."""

    number: str
    name: str


class EvaluationSummary(_Model):
    """One stored evaluation without the documents."""

    evaluation_id: str
    application_id: str
    round: str
    county: str
    municipality: MunicipalityRef
    received: dt.date | None
    outcome: Outcome
    score: int
    ruleset: RulesetRef
    created_at: dt.datetime
    api_key: str | None = Field(description="Navnet på API-nøkkelen som ba om vurderingen.")
    links: dict[str, str]


class EvaluationList(_Model):
    """A page of stored evaluations, newest first."""

    items: list[EvaluationSummary]
    next_cursor: str | None
    next: str | None = Field(description="Adressen til neste side, eller null.")


class EvaluationRecord(EvaluationSummary):
    """A stored evaluation with the application as received and the decision."""

    application: dict[str, Any]
    decision: Decision


class Difference(_Model):
    """One place where the stored and the current decision differ."""

    loc: list[str | int]
    stored: Any
    current: Any


class ReplayResult(_Model):
    """The stored decision and the decision under the rules in use now, compared."""

    evaluation_id: str
    same: bool
    stored: Decision
    current: Decision
    differences: list[Difference]


class CountyInfo(_Model):
    """A county office in a ruleset."""

    number: str
    name: str
    deadline: dt.date
    capacity: int


class CriterionInfo(_Model):
    """A criterion as published."""

    id: str
    title: str
    description: str
    source: list[str]
    applies_to: list[str]
    roles: dict[str, str]
    weight: int
    parameters: dict[str, Any]
    explanation: dict[str, str]


class RulesetSummary(_Model):
    """A ruleset in the list."""

    id: str
    version: str
    title: str
    digest: str
    loaded_at: dt.datetime
    links: dict[str, str]


class RulesetList(_Model):
    """The rulesets in use."""

    rulesets: list[RulesetSummary]


class RulesetDetail(RulesetSummary):
    """A ruleset with its round, counties, survey policy and criteria."""

    source: str
    round: dict[str, Any]
    survey: dict[str, Any]
    counties: list[CountyInfo]
    criteria: list[CriterionInfo]


class ReloadResult(_Model):
    """The outcome of a successful reload."""

    changed: bool
    message: str
    rulesets: list[RulesetRef]
    previous: list[RulesetRef]


class Health(_Model):
    """Liveness."""

    status: Literal["ok"]


class Ready(_Model):
    """Readiness: rules loaded and the database reachable."""

    status: Literal["ready"]
    rulesets: list[RulesetRef]
    database: Literal["ok"]
    workers: int
