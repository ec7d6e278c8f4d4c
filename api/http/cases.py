"""`/v1/cases`: a municipality's application per round, its history, judgement and status.

CONTRACT section 6. Every change is a new row (api.store.cases); the routes only check the
rules (api.judgement) and say what the case looks like afterwards (api.http.case_views).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.convertors import StringConvertor, register_url_convertor

from api.evaluation import log_row
from api.http.auth import require
from api.http.case_document import case_pdf
from api.http.case_schemas import (
    CaseDetail,
    CaseList,
    CaseStatusName,
    CaseSummary,
    Reevaluated,
)
from api.http.case_views import case_detail, case_summary
from api.http.deps import caller_name, services
from api.http.inputs import check_application, read_json, ruleset_for
from api.http.openapi import body_doc, responses
from api.http.pipeline import evaluate
from api.http.problems import Problem, error
from api.judgement import Problem as FieldProblem
from api.judgement import departs, judgement_problems, reason_problems
from api.keys import Caller
from api.registry import Snapshot
from api.store.cases import CaseHistory, ClosingStatus
from engine import RuleSet

router = APIRouter(prefix="/v1", tags=["saker"])


class _CaseIdConvertor(StringConvertor):
    """A case id `{round}:{municipality number}`: `{id}:withdraw` ends after the number."""

    regex = "[A-Za-z0-9._-]{1,64}:[0-9]{4}"


register_url_convertor("case", _CaseIdConvertor())

CLOSED_LABELS = {"withdrawn": "trukket", "void": "feilregistrert"}


@router.get(
    "/cases",
    summary="List sakene i en runde og et fylke",
    response_model=CaseList,
    responses=responses(200, 422, 401),
)
async def list_cases(
    request: Request,
    caller: Annotated[Caller, Depends(require("reader"))],
    round: Annotated[str | None, Query(max_length=64, description="Rundens id")] = None,
    county: Annotated[str | None, Query(pattern=r"^\d{2}$", description="Fylkesnummer")] = None,
    status: Annotated[CaseStatusName | None, Query(description="Bare saker med status")] = None,
) -> CaseList:
    """The cases with municipality, status, newest version, outcome, score, stale, judgement."""
    snapshot = services(request).rules.current
    histories = await run_in_threadpool(
        services(request).cases.histories, round_id=round, county=county
    )
    versions = await run_in_threadpool(services(request).submissions.submitted_versions, round)
    items = [case_summary(h, _digest(snapshot, h), versions) for h in histories]
    if status is not None:
        items = [i for i in items if i["status"] == status]
    return CaseList.model_validate({"items": items})


@router.get(
    "/cases/{id:case}",
    summary="Hent en sak med hele historikken",
    response_model=CaseDetail,
    responses=responses(200, 404, 401),
)
async def get_case(
    request: Request, id: str, caller: Annotated[Caller, Depends(require("reader"))]
) -> CaseDetail:
    """Versions (with what changed), evaluations, judgements and status changes."""
    history = await _history(request, id)
    versions = await _submitted(request, history)
    return CaseDetail.model_validate(
        case_detail(history, _digest(services(request).rules.current, history), versions)
    )


@router.post(
    "/cases/{id:case}/judgement",
    status_code=201,
    summary="Registrer embetets skjønn: foreslås eller foreslås ikke, med begrunnelse",
    response_model=CaseSummary,
    responses=responses(201, 404, 409, 422, 401, 403),
    openapi_extra=body_doc("JudgementRequest", "judgement_request"),
)
async def judge_case(
    request: Request, id: str, caller: Annotated[Caller, Depends(require("caseworker"))]
) -> CaseSummary:
    """Record the office's judgement of the newest version (it supersedes the one before)."""
    data = json_object(await read_json(request), ("proposal", "justification"))
    svc = services(request)
    history = await _history(request, id)
    record = _current_decision(svc.rules.current, history)
    problems = judgement_problems(data.get("proposal"), data.get("justification"), record.outcome)
    if problems:
        raise _field_problems(problems, "Skjønnet ble ikke registrert.")
    proposal = data["proposal"]
    await run_in_threadpool(
        svc.cases.judge,
        history,
        record,
        proposal,
        departs(proposal, record.outcome),
        data["justification"].strip(),
        caller_name(request),
        _now(),
    )
    return await _summary(request, id)


@router.post(
    "/cases/{id:case}:withdraw",
    summary="Merk saken som trukket (med begrunnelse); den holdes utenfor rangeringen",
    response_model=CaseSummary,
    responses=responses(200, 404, 409, 422, 401, 403),
    openapi_extra=body_doc("ReasonRequest", "reason_request"),
)
async def withdraw_case(
    request: Request, id: str, caller: Annotated[Caller, Depends(require("caseworker"))]
) -> CaseSummary:
    """Withdraw the case, with the reason."""
    return await _close(request, id, "withdrawn")


@router.post(
    "/cases/{id:case}:void",
    summary="Merk saken som feilregistrert (med begrunnelse); den holdes utenfor rangeringen",
    response_model=CaseSummary,
    responses=responses(200, 404, 409, 422, 401, 403),
    openapi_extra=body_doc("ReasonRequest", "reason_request"),
)
async def void_case(
    request: Request, id: str, caller: Annotated[Caller, Depends(require("caseworker"))]
) -> CaseSummary:
    """Void the case (registered by mistake), with the reason."""
    return await _close(request, id, "void")


@router.post(
    "/cases/{id:case}:reevaluate",
    summary="Vurder sakens nyeste versjon på nytt med reglene i bruk",
    response_model=CaseSummary,
    responses=responses(200, 404, 409, 401, 403),
)
async def reevaluate_case(
    request: Request, id: str, caller: Annotated[Caller, Depends(require("caseworker"))]
) -> CaseSummary:
    """Evaluate the newest version again under the rules in force (a new evaluation row)."""
    history = await _history(request, id)
    problems = await reevaluate(request, history)
    if problems:
        raise Problem(
            409,
            "",
            "",
            errors=problems,
            detail=f"Saken {id} kan ikke vurderes på nytt med reglene i bruk.",
        )
    return await _summary(request, id)


@router.post(
    "/counties/{county}/cases:reevaluate",
    summary="Vurder alle fylkets saker som er vurdert med eldre regler på nytt",
    response_model=Reevaluated,
    responses=responses(200, 422, 401, 403),
)
async def reevaluate_county(
    request: Request,
    county: str,
    caller: Annotated[Caller, Depends(require("caseworker"))],
    round: Annotated[str | None, Query(max_length=64, description="Rundens id")] = None,
) -> Reevaluated:
    """Evaluate every stale open case of the county again; what was done and what failed."""
    ruleset = ruleset_for(services(request).rules.current, round, county, ("path", "county"))
    done, failed = await reevaluate_stale(request, ruleset, county)
    return Reevaluated.model_validate(
        {"county": county, "round": ruleset.id, "reevaluated": done, "failed": failed}
    )


@router.get(
    "/cases/{id:case}/document.pdf",
    summary="Sakens utskrivbare dokument (PDF) for arkivet",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "PDF"}, 404: {}},
)
async def case_document(
    request: Request, id: str, caller: Annotated[Caller, Depends(require("reader"))]
) -> Response:
    """The case's printable document: decision per criterion and subject, units, judgement."""
    history = await _history(request, id)
    ruleset = services(request).rules.current.rulesets.get(history.round)
    record = history.decision()
    decision = json.loads(record.decision) if record else None
    pdf = await run_in_threadpool(case_pdf, history, ruleset, decision)
    name = id.replace(":", "-")
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="sak-{name}.pdf"'},
    )


# --- shared with the pages ---------------------------------------------------------------


async def reevaluate(request: Request, history: CaseHistory) -> list[dict[str, Any]]:
    """Evaluate a case's newest version under the rules in force; the problems, if any."""
    svc = services(request)
    snapshot = svc.rules.current
    newest = history.newest
    if history.round not in snapshot.rulesets:
        return [
            error(
                "RULESET_NOT_LOADED",
                f"Regelsettet «{history.round}» er ikke i bruk; saken kan ikke vurderes på nytt.",
                ["cases", history.id],
            )
        ]
    checked = check_application(newest.application, snapshot, svc.settings.max_units)
    if isinstance(checked, list):
        return [error(d.code, d.message, ["cases", history.id, *d.loc]) for d in checked]
    app, ruleset = checked
    (result,) = await evaluate(request, ruleset, [app])
    text = json.dumps(newest.application, ensure_ascii=False)
    row = log_row(app, ruleset, result, text, caller_name(request), _now())
    await run_in_threadpool(svc.cases.link, history.id, newest.version, row)
    return []


async def reevaluate_stale(
    request: Request, ruleset: RuleSet, county: str
) -> tuple[list[str], list[dict[str, Any]]]:
    """Re-evaluate the county's open stale cases: the ids done, and the problems of the rest."""
    histories = await run_in_threadpool(
        services(request).cases.histories, round_id=ruleset.id, county=county
    )
    done: list[str] = []
    failed: list[dict[str, Any]] = []
    for h in histories:
        if h.closed() is not None or not h.stale(ruleset.digest):
            continue
        problems = await reevaluate(request, h)
        if problems:
            failed.append({"case_id": h.id, "errors": problems})
        else:
            done.append(h.id)
    return done, failed


def judgement_errors(problems: list[FieldProblem]) -> list[dict[str, Any]]:
    """Field problems as `errors[]` entries."""
    return [error(p.code, p.msg, [p.field]) for p in problems]


# --- helpers -------------------------------------------------------------------------------


async def _close(request: Request, ident: str, status: ClosingStatus) -> CaseSummary:
    data = json_object(await read_json(request), ("reason",))
    problems = reason_problems(data.get("reason"))
    if problems:
        raise _field_problems(problems, f"Saken ble ikke merket som {CLOSED_LABELS[status]}.")
    svc = services(request)
    history = await _history(request, ident)
    _refuse_closed(history)
    await run_in_threadpool(
        svc.cases.set_status, ident, status, data["reason"].strip(), caller_name(request), _now()
    )
    return await _summary(request, ident)


def json_object(body: Any, allowed: tuple[str, ...]) -> dict[str, Any]:
    """The body as a JSON object with only `allowed` keys; else 422 (BAD_TYPE, UNKNOWN_FIELD)."""
    data = body.data
    if not isinstance(data, dict):
        raise Problem(422, "BAD_TYPE", "Innholdet må være et JSON-objekt.", loc=["body"])
    unknown = [k for k in data if k not in allowed]
    if unknown:
        names = ", ".join(f"«{a}»" for a in allowed)
        raise Problem(
            422,
            "",
            "",
            errors=[
                error("UNKNOWN_FIELD", f"Ukjent felt «{k}»; tillatt er {names}.", [k])
                for k in unknown
            ],
            detail="Forespørselen ble avvist: ukjente felt.",
        )
    return data


def _field_problems(problems: list[FieldProblem], detail: str) -> Problem:
    return Problem(422, "", "", errors=judgement_errors(problems), detail=detail)


def _refuse_closed(history: CaseHistory) -> None:
    closing = history.closed()
    if closing is not None:
        raise Problem(
            409,
            "CASE_CLOSED",
            f"Saken {history.id} er {CLOSED_LABELS[closing.status]} ({closing.reason}).",
        )


def _current_decision(snapshot: Snapshot, history: CaseHistory) -> Any:
    _refuse_closed(history)
    record = history.decision()
    if record is None or history.stale(_digest(snapshot, history)):
        raise Problem(
            409,
            "STALE_CASE",
            f"Saken {history.id} er ikke vurdert med reglene i bruk; vurder den på nytt "
            f"(POST /v1/cases/{history.id}:reevaluate) før skjønnet registreres.",
        )
    return record


async def _history(request: Request, ident: str) -> CaseHistory:
    history = await run_in_threadpool(services(request).cases.history, ident)
    if history is None:
        raise Problem(
            404, "CASE_NOT_FOUND", f"Fant ingen sak med id «{ident}».", loc=["path", "id"]
        )
    return history


async def _summary(request: Request, ident: str) -> CaseSummary:
    history = await _history(request, ident)
    digest = _digest(services(request).rules.current, history)
    versions = await _submitted(request, history)
    return CaseSummary.model_validate(case_summary(history, digest, versions))


async def _submitted(request: Request, history: CaseHistory) -> dict[str, int]:
    """Case id → version in the newest submissions of the case's round (for `submitted`)."""
    return await run_in_threadpool(services(request).submissions.submitted_versions, history.round)


def _digest(snapshot: Snapshot, history: CaseHistory) -> str | None:
    ruleset = snapshot.rulesets.get(history.round)
    return ruleset.digest if ruleset is not None else None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
