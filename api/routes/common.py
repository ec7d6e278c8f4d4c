"""What the route modules share: services, evaluation through the workers, record shapes."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from api.decision_log import Record, new_evaluation_id
from api.problems import Problem
from api.workers import EngineCrashed, EngineFailed, Evaluated, Kill
from engine import Application, RuleSet

if TYPE_CHECKING:
    from api.app import Services

KILL_HEADER = "x-utvalg-test-kill"
log = logging.getLogger("utvalg.api")


def services(request: Request) -> Services:
    """The app's services."""
    result: Services = request.app.state.services
    return result


def kill_switch(request: Request) -> Kill:
    """The test-only kill switch from the request, when the server allows it."""
    if not services(request).settings.test_kill_switch:
        return None
    value = request.headers.get(KILL_HEADER)
    if value in ("once", "always", "hang"):
        return value  # type: ignore[return-value]
    return None


def caller_name(request: Request) -> str | None:
    """The name of the API key that asked (None without keys)."""
    caller = getattr(request.state, "caller", None)
    return caller.name if caller is not None else None


def survey_lookup(request: Request, apps: Sequence[Application]) -> Any:
    """Imported Elevundersøkelsen figures for schools without `bullying` (None when none)."""
    if not any(s.bullying is None for a in apps for s in a.schools):
        return None
    from sqlalchemy.exc import SQLAlchemyError

    from api.survey.store import survey_lookup_for

    try:
        return survey_lookup_for(services(request).log.engine, apps)
    except SQLAlchemyError:
        log.exception("fant ikke importerte tall fra Elevundersøkelsen")
        return None


async def evaluate(
    request: Request,
    ruleset: RuleSet,
    applications: Sequence[Any],
    apps: Sequence[Application] = (),
) -> list[Evaluated]:
    """Evaluate validated applications in the workers; engine failures become problems."""
    pool = services(request).pool
    lookup = None
    if any(s.bullying is None for a in apps for s in a.schools):  # only then ask the database
        lookup = await run_in_threadpool(survey_lookup, request, apps)
    try:
        return await pool.evaluate(ruleset, applications, kill_switch(request), lookup)
    except EngineCrashed as exc:
        raise Problem(
            500,
            "ENGINE_CRASHED",
            "Regelmotoren stoppet to ganger under vurderingen, og søknaden ble ikke vurdert. "
            "Tjenesten går videre; feilen er logget.",
            detail=f"Regelmotoren stoppet to ganger ({exc}).",
        ) from None
    except EngineFailed as exc:
        if exc.kind == "invalid":
            raise Problem(422, "", "", errors=exc.errors, detail=str(exc)) from None
        if exc.kind == "refused":
            msg = f"Regelmotoren avviste en verdi: {exc}"
            raise Problem(422, "ENGINE_REFUSED_INPUT", msg) from None
        raise Problem(500, "ENGINE_ERROR", f"Regelmotoren feilet: {exc}") from None


async def store(request: Request, rows: list[dict[str, Any]]) -> None:
    """Write rows to the decision log; a database failure becomes a 503 problem."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        await services(request).log.append(rows)
    except SQLAlchemyError:
        raise Problem(
            503,
            "LOG_UNAVAILABLE",
            "Søknaden ble vurdert, men vurderingen kunne ikke lagres i beslutningsloggen "
            "(databasen svarer ikke). Ingenting er lagret; prøv igjen.",
        ) from None


def log_row(
    app: Application,
    ruleset: RuleSet,
    result: Evaluated,
    application_text: str,
    api_key: str | None,
    now: dt.datetime,
) -> dict[str, Any]:
    """The decision-log row of one evaluation."""
    return {
        "id": new_evaluation_id(),
        "application_id": result.application_id,
        "round": app.round,
        "county": app.county,
        "municipality_number": app.municipality.number,
        "municipality_name": app.municipality.name,
        "received": app.received,
        "outcome": result.outcome,
        "score": result.score,
        "ruleset_id": ruleset.id,
        "ruleset_version": ruleset.version,
        "ruleset_digest": ruleset.digest,
        "application": application_text,
        "decision": result.decision_json,
        "created_at": now,
        "api_key": api_key,
    }


def ruleset_header(ruleset: RuleSet) -> str:
    """The `Utvalg-Ruleset` header value: id, version and digest."""
    return f"{ruleset.id};version={ruleset.version};digest={ruleset.digest}"


def summary(record: Record) -> dict[str, Any]:
    """A stored evaluation as an EvaluationSummary."""
    return {
        "evaluation_id": record.id,
        "application_id": record.application_id,
        "round": record.round,
        "county": record.county,
        "municipality": {"number": record.municipality_number, "name": record.municipality_name},
        "received": record.received.isoformat() if record.received else None,
        "outcome": record.outcome,
        "score": record.score,
        "ruleset": {
            "id": record.ruleset_id,
            "version": record.ruleset_version,
            "digest": record.ruleset_digest,
        },
        "created_at": record.created_at.isoformat(),
        "api_key": record.api_key,
        "links": {
            "self": f"/v1/evaluations/{record.id}",
            "record": f"/v1/evaluations/{record.id}/record",
            "replay": f"/v1/evaluations/{record.id}:replay",
        },
    }


def full_record(record: Record) -> dict[str, Any]:
    """A stored evaluation with its application and decision."""
    out = summary(record)
    out["application"] = json.loads(record.application)
    out["decision"] = json.loads(record.decision)
    return out


def not_found(ident: str) -> Problem:
    """The 404 for an unknown evaluation or application id."""
    return Problem(
        404,
        "EVALUATION_NOT_FOUND",
        f"Fant ingen vurdering med id «{ident}» (verken vurderings-id eller søknads-id).",
        loc=["path", "id"],
    )
