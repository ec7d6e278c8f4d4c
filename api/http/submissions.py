"""`/v1/…/submissions`: the county's locked list to Utdanningsdirektoratet (CONTRACT 7).

An approver locks (`POST /v1/counties/{county}/submissions`); anyone with a key reads one
submission, or the newest of every county (the national view). The rules — what is frozen,
the order, what blocks a lock — live in api.submissions; this module only maps them to HTTP.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from api.http.auth import require
from api.http.cases import json_object, judgement_errors
from api.http.deps import caller_name, services
from api.http.inputs import read_json, ruleset_for
from api.http.openapi import body_doc, responses
from api.http.problems import Problem, error
from api.http.submission_schemas import SubmissionList, SubmissionOut
from api.keys import Caller
from api.spreadsheet import XLSX
from api.submission_export import submission_csv, submission_pdf, submission_xlsx
from api.submissions import Conflict, Refused, Submission, request_problems
from engine import RuleSet
from engine.ruleset import Labels
from engine.text import plural

router = APIRouter(prefix="/v1", tags=["innstillinger"])
CSV = "text/csv; charset=utf-8"
PDF = "application/pdf"


def _file(media: str, what: str) -> dict[int | str, dict[str, Any]]:
    return {200: {"content": {media: {}}, "description": what}, 404: {}}


@router.post(
    "/counties/{county}/submissions",
    status_code=201,
    summary="Lås fylkets innstilling til Utdanningsdirektoratet",
    response_model=SubmissionOut,
    responses=responses(201, 409, 422, 401, 403, ok_example="submission"),
    openapi_extra=body_doc("SubmissionRequest", "submission_request"),
)
async def lock_submission(
    request: Request, county: str, caller: Annotated[Caller, Depends(require("approver"))]
) -> SubmissionOut:
    """Freeze the county's list as it stands; 409 listing each case that blocks it."""
    data = json_object(await read_json(request), ("round", "note", "reason"))
    ruleset = _ruleset(request, data.get("round"), county)
    problems = request_problems(data.get("note"), data.get("reason"))
    if problems:
        raise Problem(
            422, "", "", errors=judgement_errors(problems), detail="Innstillingen ble ikke låst."
        )
    svc = services(request)
    try:
        locked = await run_in_threadpool(
            svc.submissions.lock,
            ruleset,
            county,
            data.get("note") or "",
            data.get("reason"),
            caller_name(request),
            dt.datetime.now(dt.UTC),
        )
    except Refused as refused:
        raise _refused(refused, county) from None
    except Conflict:
        raise Problem(
            409,
            "SUBMISSION_CONFLICT",
            f"En annen innstilling for fylke {county} ble låst samtidig; se på den og prøv igjen.",
        ) from None
    return _out(locked)


@router.get(
    "/submissions",
    summary="Nasjonal oversikt: hvert fylkes nyeste innstilling i en runde",
    response_model=SubmissionList,
    responses=responses(200, 422, 401, ok_example="submission_list"),
)
async def list_submissions(
    request: Request,
    caller: Annotated[Caller, Depends(require("reader"))],
    round: Annotated[str | None, Query(max_length=64, description="Rundens id")] = None,
) -> SubmissionList:
    """The newest submission of every county in the round (Utdanningsdirektoratet's view)."""
    round_id = _round(request, round)
    found = await run_in_threadpool(services(request).submissions.newest_per_county, round_id)
    return SubmissionList.model_validate(
        {"round": round_id, "submissions": [s.to_json() for s in found]}
    )


@router.get(
    "/submissions.xlsx",
    summary="Nasjonal oversikt som arbeidsbok: ett ark per fylke",
    response_class=Response,
    responses=_file(XLSX, "Arbeidsbok (.xlsx)"),
)
async def national_workbook(
    request: Request,
    caller: Annotated[Caller, Depends(require("reader"))],
    round: Annotated[str | None, Query(max_length=64, description="Rundens id")] = None,
) -> Response:
    """The newest submission of every county in one workbook, a sheet per county."""
    round_id = _round(request, round)
    found = await run_in_threadpool(services(request).submissions.newest_per_county, round_id)
    body = await run_in_threadpool(
        submission_xlsx, [s.to_json() for s in found], round_labels(request, round_id)
    )
    return download(body, XLSX, national_name(round_id))


@router.get(
    "/submissions/{id:int}",
    summary="Hent én innstilling",
    response_model=SubmissionOut,
    responses=responses(200, 404, 401, ok_example="submission"),
)
async def get_submission(
    request: Request, id: int, caller: Annotated[Caller, Depends(require("reader"))]
) -> SubmissionOut:
    """One submission, superseded or not."""
    return _out(await submission(request, id))


@router.get(
    "/submissions/{id:int}.csv",
    summary="Én innstilling som CSV (én rad per enhet)",
    response_class=Response,
    responses=_file(CSV, "CSV med semikolon, UTF-8 med BOM"),
)
async def submission_as_csv(
    request: Request, id: int, caller: Annotated[Caller, Depends(require("reader"))]
) -> Response:
    """One submission as CSV, one row per unit."""
    found = await submission(request, id)
    return await submission_file(request, found, "csv")


@router.get(
    "/submissions/{id:int}.xlsx",
    summary="Én innstilling som arbeidsbok (.xlsx, én rad per enhet)",
    response_class=Response,
    responses=_file(XLSX, "Arbeidsbok (.xlsx)"),
)
async def submission_as_xlsx(
    request: Request, id: int, caller: Annotated[Caller, Depends(require("reader"))]
) -> Response:
    """One submission as an .xlsx workbook, one row per unit."""
    found = await submission(request, id)
    return await submission_file(request, found, "xlsx")


@router.get(
    "/submissions/{id:int}.pdf",
    summary="Én innstilling som brev (PDF) til Utdanningsdirektoratet",
    response_class=Response,
    responses=_file(PDF, "PDF"),
)
async def submission_as_pdf(
    request: Request, id: int, caller: Annotated[Caller, Depends(require("reader"))]
) -> Response:
    """One submission as the PDF letter: the county, the list, the justifications, who."""
    found = await submission(request, id)
    return await submission_file(request, found, "pdf")


# --- shared with the export routes ---------------------------------------------------------


async def submission_file(request: Request, found: Submission, suffix: str) -> Response:
    """One submission as a download: `csv`, `xlsx` or `pdf` (the API's and the page's)."""
    data, labels = found.to_json(), round_labels(request, found.round)
    if suffix == "csv":
        body, media = submission_csv(data, labels), CSV
    elif suffix == "xlsx":
        body, media = await run_in_threadpool(submission_xlsx, [data], labels), XLSX
    else:  # the letter opens in the browser
        body, media = await run_in_threadpool(submission_pdf, data, labels), PDF
    return download(body, media, f"{file_stem(found)}.{suffix}", inline=suffix == "pdf")


async def submission(request: Request, ident: int) -> Submission:
    """The submission with id `ident`; else 404."""
    found = await run_in_threadpool(services(request).submissions.get, ident)
    if found is None:
        raise Problem(
            404,
            "SUBMISSION_NOT_FOUND",
            f"Fant ingen innstilling med id {ident}.",
            loc=["path", "id"],
        )
    return found


# --- helpers -------------------------------------------------------------------------------


def _round(request: Request, round_id: str | None) -> str:
    """The round asked for, or the only one loaded; else 422."""
    snapshot = services(request).rules.current
    if round_id is None and len(snapshot.rulesets) == 1:
        return next(iter(snapshot.rulesets))
    if round_id is None:
        raise Problem(422, "ROUND_REQUIRED", "Oppgi runden med «round».", loc=["query", "round"])
    return round_id


def round_labels(request: Request, round_id: str) -> Labels:
    """The Norwegian labels of the round's rules (of the first loaded when it is not loaded)."""
    rulesets = services(request).rules.current.rulesets
    found = rulesets.get(round_id) or next(iter(rulesets.values()))
    return found.labels


def file_stem(sub: Submission) -> str:
    """The file name of a submission's export, without the extension."""
    return f"innstilling-{sub.round}-fylke-{sub.county}-nr-{sub.submission_id}"


def national_name(round_id: str) -> str:
    """The file name of the national workbook of a round."""
    return f"innstillinger-{round_id}.xlsx"


def download(body: bytes, media: str, name: str, inline: bool = False) -> Response:
    """An export as a download (or shown in the browser: `inline`), never cached."""
    how = "inline" if inline else "attachment"
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'{how}; filename="{name}"', "Cache-Control": "no-store"},
    )


def _ruleset(request: Request, round_id: object, county: str) -> RuleSet:
    snapshot = services(request).rules.current
    if not isinstance(round_id, str) or round_id not in snapshot.rulesets:
        known = ", ".join(sorted(snapshot.rulesets))
        raise Problem(
            422,
            "UNKNOWN_ROUND",
            f"Ukjent runde «{round_id if isinstance(round_id, str) else ''}». "
            f"Kjente regelsett: {known}.",
            loc=["round"],
        )
    return ruleset_for(snapshot, round_id, county, ("path", "county"))


def _refused(refused: Refused, county: str) -> Problem:
    reason = [b for b in refused.blockers if b.code == "REASON_REQUIRED"]
    cases = [b for b in refused.blockers if b.case_id is not None]
    if not cases:
        return Problem(422, "REASON_REQUIRED", reason[0].msg, loc=["reason"])
    errors = [error(b.code, b.msg, ["cases", b.case_id]) for b in cases if b.case_id]
    errors += [error(b.code, b.msg, ["reason"]) for b in reason]
    return Problem(
        409,
        "",
        "",
        errors=errors,
        detail=f"Innstillingen for fylke {county} kan ikke låses: "
        f"{plural(len(cases), 'sak', 'saker')} må vurderes eller skjønnsvurderes først.",
    )


def _out(found: Submission) -> SubmissionOut:
    return SubmissionOut.model_validate(found.to_json())
