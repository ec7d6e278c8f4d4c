"""Evaluate in the workers and store with the case, as the HTTP API and the pages do.

Engine and database failures become problems here, once: 500 `ENGINE_CRASHED`, 422 for input
the engine refused, 503 `LOG_UNAVAILABLE` when the log cannot be written.
"""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import Request
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from api.evaluation import needs_survey_figures, survey_lookup
from api.http.deps import kill_switch, services
from api.http.problems import Problem
from api.store.cases import Entry, Stored
from api.workers import EngineCrashed, EngineFailed, Evaluated
from engine import Application, RuleSet


async def evaluate(
    request: Request, ruleset: RuleSet, apps: Sequence[Application]
) -> list[Evaluated]:
    """Evaluate validated applications in the workers; engine failures become problems."""
    svc = services(request)
    lookup = None
    if needs_survey_figures(apps):  # only then ask the database
        lookup = await run_in_threadpool(survey_lookup, svc.log.engine, apps)
    try:
        return await svc.pool.evaluate(ruleset, apps, kill_switch(request), lookup)
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


async def store(request: Request, entries: list[Entry]) -> list[Stored]:
    """Store evaluations with their cases (all or none); a database failure becomes a 503."""
    try:
        return await run_in_threadpool(services(request).cases.store, entries)
    except SQLAlchemyError:
        raise Problem(
            503,
            "LOG_UNAVAILABLE",
            "Søknaden ble vurdert, men vurderingen kunne ikke lagres i beslutningsloggen "
            "(databasen svarer ikke). Ingenting er lagret; prøv igjen.",
        ) from None
