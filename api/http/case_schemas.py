"""Shapes of the case endpoints (CONTRACT section 6), for validation of answers and OpenAPI."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.http.schemas import MunicipalityRef
from engine.decision import RankEntry, RulesetRef
from engine.types import Outcome

CaseStatusName = Literal["received", "assessed", "judged", "submitted", "withdrawn", "void"]
ProposalName = Literal["propose", "not_propose"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class JudgementOut(_Model):
    """The office's judgement as recorded."""

    proposal: ProposalName
    justification: str
    departs: bool = Field(description="Forslaget avviker fra det beregnede utfallet.")
    outcome: Outcome = Field(description="Det beregnede utfallet da skjønnet ble gitt.")
    version: int
    outdated: bool = Field(description="En nyere versjon av søknaden er kommet etterpå.")
    evaluation_id: str
    created_at: dt.datetime
    created_by: str | None


class StatusOut(_Model):
    """A status change recorded by hand (withdrawn, void) or on a new version (reopened)."""

    status: Literal["withdrawn", "void", "reopened"]
    reason: str
    created_at: dt.datetime
    created_by: str | None


class CaseSummary(_Model):
    """A case as listed."""

    id: str = Field(description="`{runde}:{kommunenummer}`")
    round: str
    county: str
    municipality: MunicipalityRef
    status: CaseStatusName
    stale: bool = Field(description="Nyeste versjon har ikke noe vedtak etter reglene i bruk.")
    version: int
    application_id: str
    received: dt.date | None
    evaluation_id: str | None
    outcome: Outcome | None
    score: int | None
    ruleset: RulesetRef | None
    judgement: JudgementOut | None
    closed: StatusOut | None
    created_at: dt.datetime
    created_by: str | None
    links: dict[str, str]


class CaseList(_Model):
    """The cases of a round and county."""

    items: list[CaseSummary]


class Change(_Model):
    """One place where a version differs from the one before."""

    loc: list[str | int]
    before: Any
    after: Any


class VersionOut(_Model):
    """One version of the application."""

    version: int
    application_id: str
    received: dt.date | None
    digest: str
    application: dict[str, Any]
    changes: list[Change]
    created_at: dt.datetime
    created_by: str | None


class CaseEvaluationOut(_Model):
    """One evaluation of one version."""

    evaluation_id: str
    version: int
    outcome: Outcome
    score: int
    ruleset: RulesetRef
    created_at: dt.datetime
    created_by: str | None


class CaseDetail(CaseSummary):
    """A case with its whole history, oldest first in each list."""

    versions: list[VersionOut]
    evaluations: list[CaseEvaluationOut]
    judgements: list[JudgementOut]
    statuses: list[StatusOut]
    decision: dict[str, Any] | None = Field(description="Nyeste versjons nyeste vedtak.")


class JudgementRequest(_Model):
    """The office's judgement: a proposal and why."""

    proposal: ProposalName
    justification: str = Field(
        min_length=1,
        description="Påkrevd; minst 20 tegn når forslaget avviker fra det beregnede utfallet.",
    )


class ReasonRequest(_Model):
    """Why a case is withdrawn or void."""

    reason: str = Field(min_length=1)


class Reevaluated(_Model):
    """What a county's re-evaluation did."""

    county: str
    round: str
    reevaluated: list[str]
    failed: list[dict[str, Any]]


class CaseRankEntry(RankEntry):
    """A stored case's place in its county, with the office's proposal beside it."""

    case_id: str
    version: int
    municipality: MunicipalityRef
    proposal: ProposalName | None
    departs: bool | None
    judgement_outdated: bool


class CaseCountyRanking(_Model):
    """The ranking of a county's stored cases."""

    county: str
    capacity: int
    ranking: list[CaseRankEntry]


class CaseRanking(_Model):
    """The ranking of stored cases (`POST /v1/rankings {"county": …}`)."""

    counties: list[CaseCountyRanking]
