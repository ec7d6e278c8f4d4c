"""`/v1/evaluations`: evaluate and store, read back, list, and replay under the rules now."""

from __future__ import annotations

import datetime as dt
import json
from functools import partial
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.convertors import StringConvertor, register_url_convertor

from api.evaluation import log_row
from api.http.auth import require
from api.http.deps import caller_name, services
from api.http.inputs import (
    applications_or_422,
    check_application,
    read_json,
)
from api.http.offload import off_loop
from api.http.openapi import body_doc, responses
from api.http.pipeline import evaluate, evaluate_with, read_for_evaluation, store
from api.http.problems import Problem
from api.http.records import full_record, not_found, ruleset_header, summary
from api.http.replay import differences
from api.http.schemas import (
    EvaluatedDecision,
    EvaluationList,
    EvaluationRecord,
    ReplayResult,
    with_evaluation_id,
)
from api.keys import Caller
from api.store.cases import Entry
from api.store.decision_log import Filters
from api.workers import Evaluated
from engine.application import APPLICATION_ID_PATTERN, NO_CONTROL_CHARACTERS
from engine.types import Outcome

router = APIRouter(prefix="/v1", tags=["vurderinger"])


class _IdConvertor(StringConvertor):
    """An evaluation or application id: no colon, so `{id}:replay` is never read as an id."""

    regex = "[^/:]+"


register_url_convertor("ref", _IdConvertor())

JSON = "application/json"


@router.post(
    "/evaluations",
    status_code=201,
    summary="Vurder én søknad og lagre vurderingen",
    response_model=EvaluatedDecision,
    responses=responses(
        201,
        422,
        401,
        403,
        413,
        415,
        ok_example="decision",
        ok_description="Vedtaket med `evaluation_id` (også i `Location` og "
        "`Utvalg-Evaluation-Id`), saken (`case_id`) og versjonen av søknaden i saken "
        "(`case_version`). En søknad lik sakens nyeste versjon gir ingen ny versjon.",
    ),
    openapi_extra=body_doc("Application", "application"),
)
async def create_evaluation(
    request: Request, caller: Annotated[Caller, Depends(require("caseworker"))]
) -> Response:
    """Evaluate one application, store it in the decision log, and return the decision."""
    svc = services(request)
    snapshot = svc.rules.current
    body, app, ruleset, lookup = await read_for_evaluation(
        request, snapshot, svc.settings.max_units
    )
    (result,) = await evaluate_with(request, ruleset, [app], lookup)
    row = log_row(app, ruleset, result, body.text, caller_name(request), _now())
    (stored,) = await store(request, [Entry(row, body.data)])
    return Response(
        with_evaluation_id(result.decision_json, row["id"], stored.case_id, stored.version),
        status_code=201,
        media_type=JSON,
        headers={
            "Location": f"/v1/evaluations/{row['id']}",
            "Utvalg-Evaluation-Id": row["id"],
            "Utvalg-Case": f"{stored.case_id};version={stored.version}",
            "Utvalg-Ruleset": ruleset_header(ruleset),
        },
    )


@router.post(
    "/evaluations:batch",
    summary="Vurder mange søknader (høyst 1 000) og lagre vurderingene",
    response_model=list[EvaluatedDecision],
    responses=responses(
        200,
        422,
        401,
        403,
        413,
        415,
        ok_example="decisions",
        ok_description="Vedtakene i samme rekkefølge som søknadene, hvert med sin "
        "`evaluation_id`. Alle lagres, eller ingen.",
    ),
    openapi_extra=body_doc("BatchRequest", "batch"),
)
async def create_batch(
    request: Request, caller: Annotated[Caller, Depends(require("caseworker"))]
) -> Response:
    """Evaluate every application (all or none are stored) and return decisions in order."""
    svc = services(request)
    snapshot = svc.rules.current
    body = await read_json(request)
    checked = await off_loop(
        request,
        partial(
            applications_or_422,
            body.data,
            snapshot,
            max_units=svc.settings.max_units,
            max_count=svc.settings.max_batch,
            what="Samlingen",
        ),
    )
    by_round: dict[str, list[int]] = {}
    for i, (_, app, _rs) in enumerate(checked):
        by_round.setdefault(app.round, []).append(i)
    results: list[Evaluated | None] = [None] * len(checked)
    for positions in by_round.values():
        ruleset = checked[positions[0]][2]
        done = await evaluate(request, ruleset, [checked[i][1] for i in positions])
        for i, r in zip(positions, done, strict=True):
            results[i] = r
    now = _now()
    name = caller_name(request)
    done_all = [r for r in results if r is not None]
    rows = [
        log_row(app, rs, r, json.dumps(raw, ensure_ascii=False), name, now)
        for (raw, app, rs), r in zip(checked, done_all, strict=True)
    ]
    entries = [Entry(row, raw) for (raw, _, _), row in zip(checked, rows, strict=True)]
    stored = await store(request, entries)
    text = (
        "["
        + ",".join(
            with_evaluation_id(r.decision_json, s.evaluation_id, s.case_id, s.version)
            for r, s in zip(done_all, stored, strict=True)
        )
        + "]"
    )
    return Response(text, media_type=JSON)


@router.get(
    "/evaluations",
    summary="List lagrede vurderinger (nyeste først)",
    response_model=EvaluationList,
    responses=responses(200, 422, 401, ok_example="evaluation_list"),
)
def list_evaluations(
    request: Request,
    caller: Annotated[Caller, Depends(require("reader"))],
    county: Annotated[str | None, Query(pattern=r"^\d{2}$", description="Fylkesnummer")] = None,
    outcome: Annotated[Outcome | None, Query()] = None,
    round: Annotated[
        str | None, Query(max_length=64, pattern=NO_CONTROL_CHARACTERS, description="Rundens id")
    ] = None,
    application_id: Annotated[
        str | None, Query(pattern=APPLICATION_ID_PATTERN, description="Søknadens id")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="Høyst så mange per side")] = 50,
    cursor: Annotated[
        str | None,
        # checked below (INVALID_CURSOR); published so the document is as strict as the server
        Query(
            description="`next_cursor` fra forrige side",
            json_schema_extra={"pattern": "^[0-9]+$", "minLength": 1},
        ),
    ] = None,
) -> EvaluationList:
    """A page of stored evaluations, newest first, with filters and a cursor."""
    before = None
    if cursor is not None:
        # isdigit() alone takes «²»; more than 18 digits does not fit a database integer
        if not (cursor.isascii() and cursor.isdigit() and len(cursor) <= 18):
            raise Problem(
                422,
                "INVALID_CURSOR",
                "«cursor» er ugyldig; bruk `next_cursor` fra forrige side.",
                loc=["query", "cursor"],
            )
        before = int(cursor)
    filters = Filters(county, outcome, round, application_id)
    records, next_seq = services(request).log.page(filters, limit=limit, before=before)
    next_url = None
    if next_seq is not None:
        params = request.query_params.multi_items()
        kept = [(k, v) for k, v in params if k != "cursor"] + [("cursor", str(next_seq))]
        next_url = "/v1/evaluations?" + urlencode(kept)
    return EvaluationList.model_validate(
        {
            "items": [summary(r) for r in records],
            "next_cursor": str(next_seq) if next_seq is not None else None,
            "next": next_url,
        }
    )


@router.get(
    "/evaluations/{id:ref}",
    summary="Hent et lagret vedtak",
    response_model=EvaluatedDecision,
    responses=responses(200, 404, 401, ok_example="decision"),
)
async def get_evaluation(
    request: Request, id: str, caller: Annotated[Caller, Depends(require("reader"))]
) -> Response:
    """The stored decision, by evaluation id or (newest) by application id."""
    svc = services(request)
    record = await run_in_threadpool(svc.log.find, id)
    if record is None:
        raise not_found(id)
    place = await run_in_threadpool(svc.cases.place_of, record.id)
    return Response(
        with_evaluation_id(record.decision, record.id, *(place or (None, None))),
        media_type=JSON,
        headers={
            "Utvalg-Evaluation-Id": record.id,
            "Utvalg-Ruleset": f"{record.ruleset_id};version={record.ruleset_version};"
            f"digest={record.ruleset_digest}",
            "Content-Location": f"/v1/evaluations/{record.id}",
        },
    )


@router.get(
    "/evaluations/{id:ref}/record",
    summary="Hent hele loggposten: søknaden slik den kom inn, vedtaket og hvem som spurte",
    response_model=EvaluationRecord,
    responses=responses(200, 404, 401, ok_example="evaluation_record"),
)
def get_record(
    request: Request, id: str, caller: Annotated[Caller, Depends(require("reader"))]
) -> EvaluationRecord:
    """The full stored record of an evaluation."""
    record = services(request).log.find(id)
    if record is None:
        raise not_found(id)
    return EvaluationRecord.model_validate(full_record(record))


@router.post(
    "/evaluations/{id:ref}:replay",
    summary="Vurder en lagret søknad på nytt med reglene i bruk nå, og sammenlign",
    response_model=ReplayResult,
    responses=responses(200, 404, 409, 401, 403, ok_example="replay"),
)
async def replay(
    request: Request, id: str, caller: Annotated[Caller, Depends(require("caseworker"))]
) -> ReplayResult:
    """Re-evaluate the stored application now; nothing stored is changed."""
    svc = services(request)
    snapshot = svc.rules.current
    record = await run_in_threadpool(svc.log.find, id)
    if record is None:
        raise not_found(id)
    raw = await off_loop(request, json.loads, record.application)
    if record.round not in snapshot.rulesets:
        raise Problem(
            409,
            "RULESET_NOT_LOADED",
            f"Regelsettet «{record.round}» er ikke i bruk lenger; vurderingen kan ikke gjentas.",
        )
    checked = await off_loop(request, check_application, raw, snapshot, svc.settings.max_units)
    if isinstance(checked, list):
        errors = [d.as_error() for d in checked]
        raise Problem(
            409,
            "NO_LONGER_VALID",
            "",
            errors=errors,
            detail="Den lagrede søknaden er ikke gyldig etter reglene i bruk nå.",
        )
    app, ruleset = checked
    (result,) = await evaluate(request, ruleset, [app])
    stored = json.loads(record.decision)
    current = result.decision()
    diffs = differences(stored, current)
    return ReplayResult.model_validate(
        {
            "evaluation_id": record.id,
            "same": not diffs,
            "stored": stored,
            "current": current,
            "differences": diffs,
        }
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
