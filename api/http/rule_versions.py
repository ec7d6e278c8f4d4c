"""`/v1/rulesets/{id}/versions` and `/activations`: published rule versions (admin).

Publishing runs the same gate as a reload (loader, the round's scenarios, its examples) and
stores nothing when it is refused; a rollback (or forward) puts an earlier published
version in force with a note. Every instance on the database serves the version in force.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from api.http.auth import require
from api.http.deps import caller_name, services
from api.http.openapi import body_doc, responses
from api.http.problems import Problem
from api.http.rule_inputs import not_found, read_body, rules_problem
from api.http.rule_schemas import (
    ActivationOut,
    ActivationRequest,
    ActivationResult,
    PublishRequest,
    PublishResult,
    VersionDetailOut,
    VersionList,
    VersionSummary,
)
from api.keys import Caller
from api.rules_versions import UnknownRound, UnknownVersion
from engine import InvalidRules

router = APIRouter(prefix="/v1", tags=["regelsett"])

PUBLISH = """\
Publiserer utkastet (reglene i bruk med `parameters` og/eller hele `files`) som en ny
versjon og tar den i bruk i alle instanser. Først kjøres den samme kontrollen som ved
omlasting: reglene lastes, rundens scenarioer kjøres og eksemplene vurderes (i en egen
prosess; det tar noen sekunder). Versjonsnummeret er påkrevd og må være nytt i runden
(`VERSION_REQUIRED`, `VERSION_EXISTS`), endringsnotatet er påkrevd (`NOTE_REQUIRED`);
`version` i ruleset.yaml settes til det nye nummeret, så nye vurderinger navngir det.
Avvises utkastet, lagres ingenting (422 med fil og linje for hver feil). Rollen `admin`.
"""


@router.get(
    "/rulesets/{id}/versions",
    summary="Versjonshistorikken til en runde: hvem, når, hvorfor, og hvilken som er i bruk",
    response_model=VersionList,
    responses=responses(200, 404, 401, 403),
)
async def list_versions(
    request: Request, id: str, caller: Annotated[Caller, Depends(require("admin"))]
) -> VersionList:
    """The round's versions with who, when, note and digest; which one is in force."""
    svc = services(request)
    try:
        history = await run_in_threadpool(svc.versions.history, id)
        activations = await run_in_threadpool(svc.versions.activations, id)
    except UnknownRound:
        raise not_found(id, svc.rules.current.rulesets) from None
    in_force = next(v.version for v in history if v.in_force)
    return VersionList(
        round=id,
        in_force=in_force,
        versions=[VersionSummary.of(v) for v in history],
        activations=[ActivationOut.of(a) for a in activations],
    )


@router.get(
    "/rulesets/{id}/versions/{version}",
    summary="Én versjon: hele filene (regler og scenarioer) og endringene mot forrige",
    response_model=VersionDetailOut,
    responses=responses(200, 404, 401, 403),
)
async def get_version(
    request: Request, id: str, version: str, caller: Annotated[Caller, Depends(require("admin"))]
) -> VersionDetailOut:
    """A version's whole files and its unified diff against the version it was based on."""
    svc = services(request)
    try:
        found = await run_in_threadpool(svc.versions.detail, id, version)
    except UnknownRound:
        raise not_found(id, svc.rules.current.rulesets) from None
    except UnknownVersion:
        raise Problem(
            404,
            "VERSION_NOT_FOUND",
            f"Runde {id} har ingen versjon «{version}».",
            loc=["path", "version"],
        ) from None
    summary = VersionSummary.of(found.info).model_dump()
    return VersionDetailOut(**summary, files=found.files, diff=found.diff)


@router.post(
    "/rulesets/{id}/versions",
    status_code=201,
    summary="Publiser et utkast som ny versjon og ta den i bruk (etter scenarioene)",
    description=PUBLISH,
    response_model=PublishResult,
    responses=responses(201, 422, 404, 401, 403),
    openapi_extra=body_doc("PublishRequest", "publish_request"),
)
async def publish_version(
    request: Request, id: str, caller: Annotated[Caller, Depends(require("admin"))]
) -> PublishResult:
    """Publish a draft as a new version and put it in force; nothing is stored if refused."""
    body = await read_body(request, PublishRequest)
    svc = services(request)
    try:
        published = await run_in_threadpool(
            partial(
                svc.versions.publish,
                id,
                body.version,
                body.note,
                caller_name(request),
                parameters=body.parameters,
                files=body.files,
                draft_id=body.draft_id,
            )
        )
    except UnknownRound:
        raise not_found(id, svc.rules.current.rulesets) from None
    except InvalidRules as exc:
        raise rules_problem(
            exc.diagnostics, "Versjonen ble ikke publisert; reglene i bruk er uendret."
        ) from None
    return PublishResult(
        message=f"Versjon {published.version.version} er publisert og i bruk.",
        version=VersionSummary.of(published.version),
        activation=ActivationOut.of(published.activation),
    )


@router.post(
    "/rulesets/{id}/activations",
    status_code=201,
    summary="Ta i bruk en tidligere (eller senere) publisert versjon, med begrunnelse",
    response_model=ActivationResult,
    responses=responses(201, 422, 404, 401, 403),
    openapi_extra=body_doc("ActivationRequest", "activation_request"),
)
async def activate_version(
    request: Request, id: str, caller: Annotated[Caller, Depends(require("admin"))]
) -> ActivationResult:
    """Roll back or forward to a published version; the activation names who, when, why."""
    body = await read_body(request, ActivationRequest)
    svc = services(request)
    try:
        activation = await run_in_threadpool(
            svc.versions.activate, id, body.version, body.note, caller_name(request)
        )
    except UnknownRound:
        raise not_found(id, svc.rules.current.rulesets) from None
    except InvalidRules as exc:
        raise rules_problem(exc.diagnostics, "Ingen versjon ble tatt i bruk.") from None
    return ActivationResult(
        message=f"Versjon {activation.version} er i bruk.", activation=ActivationOut.of(activation)
    )
