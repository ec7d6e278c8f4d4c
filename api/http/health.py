"""`/healthz` (the process answers) and `/readyz` (rules loaded, a worker ready, writes commit)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from api.http.deps import services
from api.http.openapi import responses
from api.http.problems import Problem
from api.http.schemas import Health, Ready
from engine.decision import RulesetRef

router = APIRouter(tags=["drift"])


@router.get(
    "/healthz",
    summary="Lever tjenesten?",
    response_model=Health,
    responses=responses(200, ok_example="health"),
)
async def healthz() -> Health:
    """Liveness: the server answers."""
    return Health(status="ok")


# how long /readyz waits for a worker that is starting (one imports the engine in ~1 s)
READY_WAIT_SECONDS = 10.0


@router.get(
    "/readyz",
    summary="Er tjenesten klar? Regler lastet, en arbeidsprosess svarer, databasen tar imot",
    response_model=Ready,
    responses=responses(200, 503, ok_example="ready"),
)
async def readyz(request: Request) -> Ready:
    """Readiness: rules loaded, a worker ready, and a write to the database could commit."""
    svc = services(request)
    if not svc.rules.loaded():
        raise Problem(503, "RULES_NOT_LOADED", "Reglene er ikke lastet ennå.")
    if not await svc.pool.wait_ready(READY_WAIT_SECONDS):
        raise Problem(
            503,
            "WORKERS_NOT_READY",
            "Ingen arbeidsprosess for regelmotoren er klar"
            + (" (de dør ved oppstart; se loggen)." if svc.pool.unavailable() else "."),
        )
    try:
        await run_in_threadpool(svc.log.ping)
    except Exception as exc:
        raise Problem(
            503, "DATABASE_UNREACHABLE", f"Databasen svarer ikke ({type(exc).__name__})."
        ) from None
    try:
        await run_in_threadpool(svc.log.check_writable)
    except Exception as exc:
        raise Problem(
            503,
            "DATABASE_NOT_WRITABLE",
            "Databasen svarer, men tar ikke imot skriving nå, så nye vurderinger kan ikke "
            f"lagres ({type(exc).__name__}).",
        ) from None
    return Ready(
        status="ready",
        rulesets=[
            RulesetRef(id=rs.id, version=rs.version, digest=rs.digest)
            for rs in svc.rules.current.rulesets.values()
        ],
        database="ok",
        workers=svc.pool.alive(),
    )
