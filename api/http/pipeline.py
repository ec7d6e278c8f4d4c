"""Evaluate in the workers and store with the case, as the HTTP API and the pages do.

Engine and database failures become problems here, once: 500 `ENGINE_CRASHED`, 422 for input
the engine refused; when the log cannot be written, 503 `LOG_UNAVAILABLE` (the database did
not answer), 503 `LOG_READ_ONLY` (it takes no writes) or 422 `LOG_REFUSED` (it refused the row).
"""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import Request
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from api.evaluation import nothing_to_look_up, survey_lookup
from api.http.deps import kill_switch, services
from api.http.inputs import (
    JsonBody,
    application_or_422,
    check_application,
    parse_json,
    read_media_type,
    refuse_application,
)
from api.http.offload import off_loop
from api.http.problems import Problem
from api.registry import Snapshot
from api.store.cases import Entry, Stored
from api.store.decision_log import write_failure
from api.survey.store import SurveyLookup
from api.workers import EngineCrashed, EngineFailed, Evaluated, WorkersUnavailable
from engine import Application, RuleSet

# A body up to this size is parsed and validated on the event loop (an application
# of a few units is 1-3 KiB and takes some 60 µs, less than the hop to an input thread and
# back); a bigger one goes to an input thread (api.http.offload), so it never holds up others.
INLINE_BODY_BYTES = 8 * 1024


async def read_for_evaluation(
    request: Request, snapshot: Snapshot, max_units: int
) -> tuple[JsonBody, Application, RuleSet, SurveyLookup | None]:
    """Read and validate one application and look up what is stored about it.

    A small body with nothing to look up is handled on the event loop; otherwise all of it
    goes in ONE trip to an input thread (not one to parse and another to look up).
    """
    await read_media_type(request)
    raw = await request.body()
    engine = services(request).log.engine
    if len(raw) <= INLINE_BODY_BYTES and nothing_to_look_up(engine):
        body = parse_json(raw)
        checked = check_application(body.data, snapshot, max_units)
        if isinstance(checked, list):  # refused: its problems' positions are read off the loop
            await off_loop(request, refuse_application, body, checked)
        app, ruleset = checked
        return body, app, ruleset, None
    return await off_loop(request, _parse_and_look_up, raw, snapshot, max_units, engine)


def _parse_and_look_up(
    raw: bytes, snapshot: Snapshot, max_units: int, engine: Engine
) -> tuple[JsonBody, Application, RuleSet, SurveyLookup | None]:
    body = parse_json(raw)
    app, ruleset = application_or_422(body, snapshot, max_units)
    return body, app, ruleset, survey_lookup(engine, [app])


async def evaluate(
    request: Request, ruleset: RuleSet, apps: Sequence[Application]
) -> list[Evaluated]:
    """Evaluate validated applications in the workers; engine failures become problems."""
    # imported survey figures and the office's own records (cases, supervisions): looked up
    # in a thread, unless the database is known to hold neither
    engine = services(request).log.engine
    lookup = None
    if not nothing_to_look_up(engine):
        lookup = await run_in_threadpool(survey_lookup, engine, apps)
    return await evaluate_with(request, ruleset, apps, lookup)


async def evaluate_with(
    request: Request, ruleset: RuleSet, apps: Sequence[Application], lookup: SurveyLookup | None
) -> list[Evaluated]:
    """`evaluate` with the stored figures and records already looked up."""
    try:
        return await services(request).pool.evaluate(ruleset, apps, kill_switch(request), lookup)
    except WorkersUnavailable:
        raise Problem(
            503,
            "WORKERS_UNAVAILABLE",
            "Regelmotoren kan ikke starte nå, så søknaden ble ikke vurdert. Ingenting er "
            "lagret; prøv igjen senere. Feilen er logget.",
        ) from None
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


_NOT_STORED = "Søknaden ble vurdert, men vurderingen kunne ikke lagres i beslutningsloggen"


async def store(request: Request, entries: list[Entry]) -> list[Stored]:
    """Store evaluations with their cases (all or none); a database failure says which.

    The group writer stores requests that arrive together in one transaction, each in its
    own savepoint, so a row the database refuses fails only its own request.
    """
    try:
        return await services(request).writer.store(entries)
    except SQLAlchemyError as exc:
        failure = write_failure(exc)
        cause = type(getattr(exc, "orig", None) or exc).__name__
        if failure == "refused":
            raise Problem(
                422,
                "LOG_REFUSED",
                f"{_NOT_STORED}: databasen avviste den ({cause}). "
                "Ingenting er lagret; andre vurderinger er ikke berørt.",
            ) from None
        if failure == "read_only":
            raise Problem(
                503,
                "LOG_READ_ONLY",
                f"{_NOT_STORED}: databasen tar bare imot lesing nå. Ingenting er lagret; "
                "prøv igjen når driften har gjort den skrivbar.",
            ) from None
        raise Problem(
            503,
            "LOG_UNAVAILABLE",
            f"{_NOT_STORED} (databasen svarer ikke). Ingenting er lagret; prøv igjen.",
        ) from None
