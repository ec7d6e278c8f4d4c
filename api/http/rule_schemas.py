"""Shapes of simulations and published rule versions over HTTP (requests and answers)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.rules_versions import VersionInfo
from api.store.rule_versions import Activation


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SimulationRequest(_Model):
    """`POST /v1/simulations`: the round, optionally one county, and the draft."""

    round: str = Field(description="Runden (regelsettets id).")
    county: str | None = Field(None, description="Bare dette fylket (fylkesnummer).")
    parameters: dict[str, dict[str, Any]] | None = Field(
        None,
        description=(
            'Parameterendringer mot reglene i bruk: per kriterium (`{"K1": {"margin": '
            "2.5}}`) eller under `ruleset` for verdier i ruleset.yaml etter sti "
            '(`{"ruleset": {"counties.50.capacity": 3, "survey.min_respondents": 5}}`).'
        ),
    )
    files: dict[str, str] | None = Field(
        None,
        description=(
            "Hele filer i utkastet: `ruleset.yaml`, `criteria/<navn>.yaml` og "
            "`features/<navn>.feature` (rundens scenarioer)."
        ),
    )


class PublishRequest(_Model):
    """`POST /v1/rulesets/{id}/versions`: publish a draft as a new version."""

    version: str = Field(description="Det nye versjonsnummeret, ulikt alle tidligere i runden.")
    note: str = Field(description="Endringsnotat: hva er endret, og hvorfor.")
    parameters: dict[str, dict[str, Any]] | None = Field(
        None, description="Parameterendringer, som i `POST /v1/simulations`."
    )
    files: dict[str, str] | None = Field(
        None, description="Hele filer i utkastet, som i `POST /v1/simulations`."
    )
    draft_id: str | None = Field(
        None, description="Utkastet fra regelsiden som publiseres (da er det ferdig)."
    )


class ActivationRequest(_Model):
    """`POST /v1/rulesets/{id}/activations`: put a published version in force again."""

    version: str = Field(description="Versjonen som skal tas i bruk.")
    note: str = Field(description="Hvorfor (f.eks. «Tilbake til 2020.1: feil i K1»).")


class ActivationOut(_Model):
    """An activation: which version was put in force, by whom, when and why."""

    id: int
    round: str
    version: str
    kind: Literal["publish", "activate"]
    note: str
    created_at: dt.datetime
    created_by: str | None

    @classmethod
    def of(cls, a: Activation) -> ActivationOut:
        """The answer's shape of a stored activation."""
        return cls(
            id=a.seq,
            round=a.round,
            version=a.version,
            kind=a.kind,
            note=a.note,
            created_at=a.created_at,
            created_by=a.created_by,
        )


class VersionSummary(_Model):
    """One version in a round's history."""

    round: str
    version: str
    digest: str
    source: Literal["filer", "database"] = Field(
        description="«filer»: regelmappen (ingen versjon publisert ennå); «database»: publisert."
    )
    note: str | None
    based_on: str | None
    created_at: dt.datetime | None
    created_by: str | None
    in_force: bool
    links: dict[str, str]

    @classmethod
    def of(cls, v: VersionInfo) -> VersionSummary:
        """The answer's shape of a version."""
        return cls(
            round=v.round,
            version=v.version,
            digest=v.digest,
            source=v.source,  # type: ignore[arg-type]
            note=v.note,
            based_on=v.based_on,
            created_at=v.created_at,
            created_by=v.created_by,
            in_force=v.in_force,
            links={"self": f"/v1/rulesets/{v.round}/versions/{v.version}"},
        )


class VersionList(_Model):
    """A round's versions (oldest first), the one in force, and every activation."""

    round: str
    in_force: str
    versions: list[VersionSummary]
    activations: list[ActivationOut]


class VersionDetailOut(VersionSummary):
    """A version with its whole files (rules and scenarios) and the diff to its base."""

    files: dict[str, str]
    diff: str


class PublishResult(_Model):
    """A published version, now in force."""

    message: str
    version: VersionSummary
    activation: ActivationOut


class ActivationResult(_Model):
    """A version put in force again."""

    message: str
    activation: ActivationOut
