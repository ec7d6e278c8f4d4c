"""Shapes of the submission endpoints (CONTRACT section 7), for answers and OpenAPI."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from api.http.case_schemas import ProposalName
from api.http.schemas import MunicipalityRef
from engine.decision import RulesetRef, Subject
from engine.types import Outcome, Status, UnitKind, UnitStatus


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SubmissionRequest(_Model):
    """What an approver sends to lock the county's list."""

    round: str = Field(max_length=64, description="Rundens id (regelsettets id).")
    note: str = Field("", max_length=4000, description="Embetets merknad til innstillingen.")
    reason: str | None = Field(
        None,
        max_length=4000,
        description="Hvorfor en ny innstilling erstatter den forrige (påkrevd da).",
    )


class SubmissionUnit(_Model):
    """A school or kindergarten of a case as locked."""

    kind: UnitKind
    org_number: str
    name: str
    status: UnitStatus
    label: str


class SubmissionCriterion(_Model):
    """One criterion's status for one subject as locked."""

    criterion: str
    subject: Subject
    status: Status


class SubmissionEntry(_Model):
    """One case of the submission, in the submission's order."""

    rank: int = Field(description="Plassen i innstillingen (foreslåtte først).")
    case_id: str
    case_version: int
    evaluation_id: str
    municipality: MunicipalityRef
    received: dt.date | None
    outcome: Outcome
    label: str
    score: int
    summary: str
    proposal: ProposalName
    departs: bool = Field(description="Forslaget avviker fra det beregnede utfallet.")
    justification: str
    judged_by: str | None
    judged_at: dt.datetime
    within_capacity: bool = Field(
        description="Blant de første foreslåtte sakene innenfor fylkets kapasitet."
    )
    units: list[SubmissionUnit]
    criteria: list[SubmissionCriterion]


class SubmissionOut(_Model):
    """A locked submission (never changed; a newer one supersedes it)."""

    submission_id: int
    round: str
    county: str
    county_name: str
    capacity: int
    ruleset: RulesetRef
    note: str
    approved_by: str | None
    approved_at: dt.datetime
    supersedes: int | None
    reason: str | None
    superseded_by: int | None = Field(description="Innstillingen som erstatter denne, om noen.")
    entries: list[SubmissionEntry]


class SubmissionList(_Model):
    """Utdanningsdirektoratet's national view: the newest submission of every county."""

    round: str
    submissions: list[SubmissionOut]
