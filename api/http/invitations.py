"""`GET /v1/invitations`: the county's invitation candidates from Elevundersøkelsen (CONTRACT 9)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from api.http.auth import require
from api.http.deps import services
from api.http.inputs import ruleset_for
from api.http.openapi import responses
from api.http.pipeline import evaluate
from api.http.records import ruleset_header
from api.invitations import InvitationBasis, candidates, invitation_basis, stored_places
from api.keys import Caller
from engine import RuleSet

router = APIRouter(prefix="/v1", tags=["invitasjoner"])


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InvitationYear(_Model):
    """One survey year of a school against that year's threshold."""

    year: int
    percent: float | None = Field(description="Publisert andel mobbede (null: ukjent).")
    threshold: float = Field(description="Landssnittet det året pluss K1s margin.")
    high: bool | None = Field(
        description="Året er høyt; null når tallet er ukjent (skjermet, for få svar, mangler)."
    )


class InvitationSchool(_Model):
    """A school of the municipality with K1's status on the imported figures."""

    org_number: str
    name: str
    status: Literal["met", "not_met", "unknown"]
    years: list[InvitationYear]


class InvitationMunicipalityRef(_Model):
    """Kommunenummer and name."""

    number: str
    name: str


class InvitationMunicipality(_Model):
    """A municipality of the county with its schools, those meeting K1 first."""

    municipality: InvitationMunicipalityRef
    schools_met: int
    schools: list[InvitationSchool]


class UnplacedSchool(_Model):
    """A school with imported figures that no file places in a municipality."""

    org_number: str
    name: str


class Invitations(_Model):
    """The invitation candidates of one county."""

    county: str
    municipalities: list[InvitationMunicipality] = Field(
        description="Etter antall skoler som oppfyller K1, så etter hvor nær de andre kommer."
    )
    schools_without_municipality: list[UnplacedSchool] = Field(
        description="Skoler med importerte tall som verken uttrekket eller skoleregisteret "
        "plasserer i en kommune (f.eks. sammenslåtte skoler med nytt nummer)."
    )


async def county_invitations(
    request: Request, round_id: str | None, county: str | None
) -> tuple[RuleSet, dict[str, Any]]:
    """The invitation list, evaluated in the workers like any application (pages use it too)."""
    svc = services(request)
    ruleset = ruleset_for(svc.rules.current, round_id, county)
    assert county is not None
    places = await run_in_threadpool(stored_places, svc.log.engine)
    basis: InvitationBasis = invitation_basis(ruleset, county, places)
    results = await evaluate(request, ruleset, basis.applications) if basis.applications else []
    return ruleset, candidates(ruleset, basis, [r.decision() for r in results])


@router.get(
    "/invitations",
    summary="Kommuner å invitere: skolene og K1 på de importerte tallene",
    response_model=Invitations,
    responses=responses(200, 422, 401, 403),
)
async def get_invitations(
    request: Request,
    response: Response,
    caller: Annotated[Caller, Depends(require("reader"))],
    county: Annotated[str | None, Query(description="Fylkesnummer, f.eks. 50.")] = None,
    round: Annotated[
        str | None, Query(description="Runden (regelsettets id); kan utelates når det er én.")
    ] = None,
) -> Any:
    """Each municipality of the county with its schools' K1 on the imported figures."""
    ruleset, body = await county_invitations(request, round, county)
    response.headers["Utvalg-Ruleset"] = ruleset_header(ruleset)
    return body
